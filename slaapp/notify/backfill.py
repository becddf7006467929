"""The backfill guard: a step revealed by data that arrived long after its instant is history."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slaapp.models.tables import Event

HISTORY_NOTE = (
    "history: the data that revealed it arrived {late} after it happened "
    "(more than the {horizon} h backfill horizon), so it was recorded, not sent"
)


def revealed_at(session: Session, starts: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """When the data that opened each clock arrived, keyed by (record id, start instant): the
    first ingest of the record's events at that instant, else of any of the record's events."""
    wanted = set(starts)
    record_ids = sorted({record_id for record_id, _ in wanted})
    at_instant: dict[tuple[int, int], int] = {}
    first: dict[int, int] = {}
    for part in range(0, len(record_ids), 900):
        rows = session.execute(
            select(Event.record_id, Event.occurred_at, func.min(Event.ingested_at))
            .where(Event.record_id.in_(record_ids[part : part + 900]))
            .group_by(Event.record_id, Event.occurred_at)
        )
        for record_id, occurred_at, ingested_at in rows:
            at_instant[(record_id, occurred_at)] = int(ingested_at)
            first[record_id] = min(first.get(record_id, int(ingested_at)), int(ingested_at))
    found = {}
    for key in wanted:
        arrived = at_instant.get(key, first.get(key[0]))
        if arrived is not None:
            found[key] = arrived
    return found


def is_history(instant: int, arrived: int | None, horizon_hours: int) -> bool:
    """Whether a step at `instant` came to light more than the horizon after it happened."""
    return arrived is not None and instant < arrived - horizon_hours * 3600


def history_note(instant: int, arrived: int | None, horizon_hours: int) -> str:
    late = (arrived or instant) - instant
    words = f"{late // 86400} d" if late >= 2 * 86400 else f"{late // 3600} h"
    return HISTORY_NOTE.format(late=words, horizon=horizon_hours)
