"""Where the stored data lies and which zone periods are read in, for reports and screens."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slaapp.models.database import Database
from slaapp.models.matrices import load_version
from slaapp.models.tables import Clock
from slaapp.reports.periods import DataSpan, local_day, nothing_words


def period_zone(database: Database, tz: str | None = None) -> str:
    """The zone days are read in: `tz`, else the latest matrix's business zone."""
    if tz:
        return tz
    with database.session() as session:
        _, matrix = load_version(session)
    return matrix.display_zone


def stored_span(session: Session, zone: str) -> DataSpan | None:
    """The local days of the first and last stored clock start (None without clocks)."""
    # Two scalar queries: each reads one end of the index (one query with both scans it all).
    first = session.scalar(select(func.min(Clock.started_at)))
    last = session.scalar(select(func.max(Clock.started_at)))
    return None if first is None or last is None else DataSpan.of(int(first), int(last), zone)


def data_span(database: Database, zone: str) -> DataSpan | None:
    """The stored data's own range, in local days of `zone`."""
    with database.session() as session:
        return stored_span(session, zone)


def empty_note(session: Session, start: int, end: int, zone: str, flags: bool = True) -> str:
    """Where the data lies, for a period [start, end) without clocks."""
    first, last = local_day(start, zone), local_day(max(start, end - 1), zone)
    return nothing_words(first, last, zone, stored_span(session, zone), flags)
