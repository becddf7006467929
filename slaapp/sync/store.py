"""Sync state in the database: cursors, the per-source run lock, run history and page commits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from slaapp.engine.eventlog import EventRow, event_log
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.ingest import ingest_log
from slaapp.models.tables import SyncCursor, SyncRun
from slaapp.sync.connector import Cursor, Page, SourceError
from slaapp.sync.deletions import mark_deleted, merge_records
from slaapp.sync.lock_owner import process_alive, this_host

LOCK_STREAM = "~run"
OWNERS_STREAM = "~owners"
CONTACTED_BY = "contacted_by"
"""The attribute naming who made the activity behind a first contact (never the record owner)."""
STALE_SECONDS = 120
"""A run on another host whose heartbeat is older than this was killed; the next sync takes over.

A run on this host whose process is gone is taken over at once (the lock row names the
host and process id)."""


class SourceBusyError(SourceError):
    """Another sync of the same source is running (in this or another process)."""


@dataclass(frozen=True)
class PageResult:
    events_added: int
    records_changed: int
    clocks: int


def _row(session: Session, source: str, stream: str, lock: bool = False) -> SyncCursor | None:
    query = select(SyncCursor).where(SyncCursor.source == source, SyncCursor.stream == stream)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def load_cursor(database: Database, source: str, stream: str) -> Cursor:
    with database.session() as session:
        row = _row(session, source, stream)
        if row is None:
            return Cursor()
        return Cursor(row.watermark, frozenset(row.seen_ids or ()), dict(row.extra or {}))


def _save_cursor(session: Session, source: str, stream: str, cursor: Cursor, now: int) -> None:
    row = _row(session, source, stream)
    if row is None:
        row = SyncCursor(source=source, stream=stream)
        session.add(row)
    row.watermark = cursor.watermark
    row.seen_ids = sorted(cursor.seen_ids)
    row.extra = dict(cursor.extra)
    row.updated_at = now


def claim_run(database: Database, source: str, now: int) -> tuple[int, int | None]:
    """Start a run of `source`: its run id and the id of a killed run it takes over, if any.

    Raises SourceBusyError when a live run holds the source (heartbeat within STALE_SECONDS).
    """
    host, pid = this_host(), os.getpid()
    try:
        with database.session() as session:
            lock = _row(session, source, LOCK_STREAM, lock=True)
            if lock is None:
                lock = SyncCursor(
                    source=source, stream=LOCK_STREAM, watermark=0, extra={}, updated_at=now
                )
                session.add(lock)
                session.flush()
            held = dict(lock.extra or {})
            holder = held.get("run")
            if lock.watermark and holder and _held(held, lock.watermark, now, host):
                raise _busy(source, held, host)
            run = SyncRun(source=source, started_at=now, state="running")
            session.add(run)
            session.flush()
            killed = None
            if holder:
                old = session.get(SyncRun, int(holder))
                if old is not None and old.state == "running":
                    old.state = "interrupted"
                    old.error = f"stopped before finishing; run {run.id} resumed from its cursor"
                    killed = old.id
            lock.watermark = now
            lock.extra = {"run": run.id, "host": host, "pid": pid}
            lock.updated_at = now
            return run.id, killed
    except IntegrityError:  # another process created the lock row at the same moment
        raise _busy(source, {}, host) from None
    except OperationalError as exc:  # SQLite: another process holds the write lock
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise _busy(source, {}, host) from None
        raise


def _held(held: Mapping[str, Any], beat: int, now: int, host: str) -> bool:
    """Whether the run in the lock still holds it: on this host, while its process lives
    (this very process counts as alive: a sync is already running here); elsewhere, while
    its heartbeat is younger than STALE_SECONDS."""
    fresh = beat > now - STALE_SECONDS
    pid = held.get("pid")
    if held.get("host") == host and isinstance(pid, int):
        return pid == os.getpid() or (process_alive(pid) and fresh)
    return fresh


def _busy(source: str, held: Mapping[str, Any], host: str) -> SourceBusyError:
    where = held.get("host")
    who = (
        f" (process {held.get('pid')} on {'this computer' if where == host else where})"
        if where
        else ""
    )
    return SourceBusyError(
        f"{source}: a sync of this source is already running{who}; try again when it has "
        f"finished (a sync that stopped on another computer is taken over after "
        f"{STALE_SECONDS // 60} minutes without a sign of life)"
    )


def finish_run(
    database: Database, source: str, run_id: int, state: str, error: str | None, now: int
) -> None:
    """Record how a run ended and free the source."""
    with database.session() as session:
        run = session.get(SyncRun, run_id)
        if run is not None:
            run.state = state
            run.error = error
            run.finished_at = now
        lock = _row(session, source, LOCK_STREAM, lock=True)
        if lock is not None and (lock.extra or {}).get("run") == run_id:
            lock.watermark = 0
            lock.extra = {}
            lock.updated_at = now


def commit_page(
    database: Database,
    source: str,
    stream: str,
    page: Page,
    owners: Mapping[str, str],
    run_id: int,
    now: int,
    pages: int = 1,
) -> PageResult:
    """Ingest a page's events, re-evaluate their records, and advance the cursor: one transaction.

    `pages`: how many fetched pages `page` combines (for the run's page count).
    """
    with database.session(immediate=True) as session:  # SQLite: writers wait their turn
        added = clocks = 0
        touched: set[int] = set()
        loaded = None
        log = page.log
        if log is None and page.events:
            log = event_log([_with_people(e, owners) for e in page.events])
        if log is not None and len(log):
            kinds = {r.external_id: r.kind for r in page.record_info}
            names = {r.external_id: r.name for r in page.record_info}
            ingested = ingest_log(session, log, source=source, now=now, kinds=kinds, names=names)
            loaded = (log, list(ingested.record_ids)) if ingested.only_new_records else None
            added, touched = ingested.events_added, set(ingested.changed_records)
        if page.merged or page.deleted:
            loaded = None
            touched |= merge_records(session, source, page.merged, now)
            touched |= mark_deleted(session, source, page.deleted, now)
        if touched:
            clocks = refresh_clocks(session, now, touched, loaded)
        changed = len(touched)
        _save_cursor(session, source, stream, page.next_cursor, now)
        run = session.get(SyncRun, run_id)
        if run is not None:
            run.pages += pages
            run.records += page.records
            run.events += added
        lock = _row(session, source, LOCK_STREAM)
        if lock is not None:
            lock.watermark = now  # heartbeat
    return PageResult(added, changed, clocks)


def combine(pages: list[Page]) -> Page:
    """Fetched pages of one stream as one page with the cursor of the last (one commit)."""
    if len(pages) == 1:
        return pages[0]
    if any(p.log is not None for p in pages):
        raise ValueError("pages holding an event log are committed one at a time")
    return Page(
        sum(p.records for p in pages),
        tuple(e for p in pages for e in p.events),
        pages[-1].next_cursor,
        tuple(r for p in pages for r in p.record_info),
        problems=tuple(x for p in pages for x in p.problems),
        deleted=tuple(d for p in pages for d in p.deleted),
        merged=tuple(m for p in pages for m in p.merged),
    )


def _with_people(event: EventRow, owners: Mapping[str, str]) -> EventRow:
    """The event with CRM owner ids (owner, attribute `contacted_by`) as directory keys."""
    attributes = event.attributes
    made_by = attributes.get(CONTACTED_BY)
    if made_by and made_by in owners:
        attributes = {**attributes, CONTACTED_BY: owners[made_by]}
    owner = owners.get(event.owner, event.owner) if event.owner else event.owner
    if owner == event.owner and attributes is event.attributes:
        return event
    return EventRow(event.record_id, event.event, event.occurred_at, owner, attributes)


def save_owner_map(database: Database, source: str, owners: Mapping[str, str], now: int) -> None:
    with database.session() as session:
        _save_cursor(session, source, OWNERS_STREAM, Cursor(now, frozenset(), {"map": owners}), now)


def owner_map(database: Database, source: str) -> dict[str, str]:
    """CRM owner id -> directory person key, as the last sync of `source` resolved them."""
    extra: Mapping[str, Any] = load_cursor(database, source, OWNERS_STREAM).extra
    return dict(extra.get("map", {}))
