"""Sync state in the database: cursors, the per-source run lock, run history and page commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from slaapp.engine.eventlog import event_log
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.ingest import ingest_log
from slaapp.models.tables import SyncCursor, SyncRun
from slaapp.sync.connector import Cursor, Page, SourceError

LOCK_STREAM = "~run"
OWNERS_STREAM = "~owners"
STALE_SECONDS = 600
"""A run whose heartbeat is older than this was killed; the next sync takes over."""


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
    busy = SourceBusyError(
        f"{source}: a sync of this source is already running (or one stopped without finishing "
        f"less than {STALE_SECONDS // 60} minutes ago); try again in a few minutes"
    )
    try:
        with database.session() as session:
            lock = _row(session, source, LOCK_STREAM, lock=True)
            if lock is None:
                lock = SyncCursor(
                    source=source, stream=LOCK_STREAM, watermark=0, extra={}, updated_at=now
                )
                session.add(lock)
                session.flush()
            holder = (lock.extra or {}).get("run")
            if lock.watermark and holder and lock.watermark > now - STALE_SECONDS:
                raise busy
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
            lock.extra = {"run": run.id}
            lock.updated_at = now
            return run.id, killed
    except IntegrityError:  # another process created the lock row at the same moment
        raise busy from None
    except OperationalError as exc:  # SQLite: another process holds the write lock
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise busy from None
        raise


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
) -> PageResult:
    """Ingest a page's events, re-evaluate their records, and advance the cursor: one transaction."""
    with database.session() as session:
        added = changed = clocks = 0
        log = page.log
        if log is None and page.events:
            rows = [replace(e, owner=owners.get(e.owner, e.owner)) if e.owner else e
                    for e in page.events]  # fmt: skip
            log = event_log(rows)
        if log is not None and len(log):
            kinds = {r.external_id: r.kind for r in page.record_info}
            names = {r.external_id: r.name for r in page.record_info}
            ingested = ingest_log(session, log, source=source, now=now, kinds=kinds, names=names)
            loaded = (log, list(ingested.record_ids)) if ingested.only_new_records else None
            clocks = refresh_clocks(session, now, ingested.changed_records, loaded)
            added, changed = ingested.events_added, len(ingested.changed_records)
        _save_cursor(session, source, stream, page.next_cursor, now)
        run = session.get(SyncRun, run_id)
        if run is not None:
            run.pages += 1
            run.records += page.records
            run.events += added
        lock = _row(session, source, LOCK_STREAM)
        if lock is not None:
            lock.watermark = now  # heartbeat
    return PageResult(added, changed, clocks)


def save_owner_map(database: Database, source: str, owners: Mapping[str, str], now: int) -> None:
    with database.session() as session:
        _save_cursor(session, source, OWNERS_STREAM, Cursor(now, frozenset(), {"map": owners}), now)


def owner_map(database: Database, source: str) -> dict[str, str]:
    """CRM owner id -> directory person key, as the last sync of `source` resolved them."""
    extra: Mapping[str, Any] = load_cursor(database, source, OWNERS_STREAM).extra
    return dict(extra.get("map", {}))
