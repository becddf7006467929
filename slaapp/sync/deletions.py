"""Records deleted or merged in the CRM: a cancelling event on the deleted, events moved to the survivor."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from slaapp.engine.eventlog import EventRow, event_log
from slaapp.models.evaluation import CRM_DELETED, DELETED_REASON
from slaapp.models.ingest import ingest_log, refresh_record_values
from slaapp.models.tables import Clock, Event, Record


def _known(session: Session, source: str, external_ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(external_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Record.external_id, Record.id).where(
            Record.source == source, Record.external_id.in_(wanted)
        )
    )
    return {ext: rid for ext, rid in rows}


def mark_deleted(
    session: Session, source: str, deleted: Iterable[tuple[str, int]], now: int
) -> set[int]:
    """Store a CRM_DELETED event on each known deleted record; the ids of the records changed.

    The event cancels the record's open clocks (with `cancel_reason` "deleted in CRM"), so
    alerts stop; the record and its history stay. Records never synced are not created.
    """
    deleted = list(deleted)
    known = _known(session, source, (ext for ext, _ in deleted))
    rows = [EventRow(ext, CRM_DELETED, at, None, {"cancel_reason": DELETED_REASON})
            for ext, at in deleted if ext in known]  # fmt: skip
    if not rows:
        return set()
    return set(ingest_log(session, event_log(rows), source=source, now=now).changed_records)


def merge_records(
    session: Session, source: str, merged: Iterable[tuple[str, str]], now: int
) -> set[int]:
    """Move the events of each merged record (loser) to its survivor and drop the loser.

    Events the survivor already has (same name and instant) and deletion marks are not
    moved; returns the survivors' ids to re-evaluate.
    """
    changed: set[int] = set()
    for loser, survivor in merged:
        known = _known(session, source, (loser, survivor))
        if loser not in known or survivor not in known or loser == survivor:
            continue
        lost, kept = known[loser], known[survivor]
        have = {
            (name, at)
            for name, at in session.execute(
                select(Event.name, Event.occurred_at).where(Event.record_id == kept)
            )
        }
        moving = [
            event_id
            for event_id, name, at in session.execute(
                select(Event.id, Event.name, Event.occurred_at).where(Event.record_id == lost)
            )
            if name != CRM_DELETED and (name, at) not in have
        ]
        if moving:
            session.execute(update(Event).where(Event.id.in_(moving)).values(record_id=kept))
        session.execute(delete(Event).where(Event.record_id == lost))
        session.execute(delete(Clock).where(Clock.record_id == lost))
        session.execute(delete(Record).where(Record.id == lost))
        changed.add(kept)
    if changed:
        refresh_record_values(session, changed, now)
    return changed
