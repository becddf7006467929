"""Stored clocks judged at an instant, for `slaapp clocks`: history from the table, open ones re-judged."""

from __future__ import annotations

from slaapp.engine.clocks import ClockTable
from slaapp.models.current_clocks import current_clocks
from slaapp.models.database import Database


def clocks_at(database: Database, as_of: int, *, open_only: bool = False) -> ClockTable:
    """Every clock judged at `as_of` (only those open then when `open_only`); LookupError
    before any matrix is published."""
    with database.session() as session:
        return current_clocks(session, as_of, as_of if open_only else None).clocks
