"""Clocks from stored events: evaluate under the published versions and persist the results."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from slaapp.engine.clocks import OPEN_STATUSES, STATUSES, ClockTable
from slaapp.engine.errors import NotFoundError
from slaapp.engine.eventlog import EventLog, event_log_from_columns
from slaapp.engine.versions import PublishedMatrix, evaluate_versions
from slaapp.models.bulk import chunks, insert_rows, key_criteria, placeholder
from slaapp.models.matrices import published_matrices
from slaapp.models.tables import Clock, Record, table_of

CRM_DELETED = "deleted_in_crm"
"""The event a CRM sync stores when a record was deleted there: it cancels every open clock."""
DELETED_REASON = "deleted in CRM"
"""The `cancel_reason` attribute the deletion event carries (shown on the record)."""


def with_crm_deletion(version: PublishedMatrix) -> PublishedMatrix:
    """The version with CRM_DELETED among every handoff's cancel events (the engine stays pure)."""
    matrix = version.matrix
    handoffs = tuple(
        h if CRM_DELETED in h.cancel else replace(h, cancel=(*h.cancel, CRM_DELETED))
        for h in matrix.handoffs
    )
    return replace(version, matrix=replace(matrix, handoffs=handoffs, _calendars=matrix._calendars))


@dataclass(frozen=True, eq=False)
class StoredClocks:
    """Clocks evaluated from the database, with the record ids and matrix versions behind them."""

    clocks: ClockTable
    record_ids: np.ndarray  # database id of each record code of clocks.records
    versions: np.ndarray  # matrix version number of each clock
    teams: dict[str, str]  # handoff key -> team
    matrices: tuple[PublishedMatrix, ...]  # every published version, oldest first
    origins: tuple[tuple[str, str], ...] = ()  # (source, CRM id) per record code, when read


_EVENTS_SQL = (
    "SELECT e.record_id, r.source, r.external_id, e.name, e.occurred_at, e.owner, e.attributes "
    "FROM events e JOIN records r ON r.id = e.record_id {where} "
    "ORDER BY e.record_id, e.occurred_at, e.id"
)


def record_label(source: str, external: str, labelled: bool) -> str:
    """A record's name in clock tables: `source:id` once several sources are stored."""
    return f"{source}:{external}" if labelled else external


def load_log(
    session: Session, record_ids: Collection[int] | None = None
) -> tuple[EventLog, list[int]]:
    """The stored events (of some records) as an EventLog, and the database id per record code."""
    connection = session.connection()
    marker = placeholder(connection)
    rows: list[Any] = []
    if record_ids is None:
        rows = list(connection.exec_driver_sql(_EVENTS_SQL.format(where="")).fetchall())
    else:
        for part in chunks(sorted(record_ids)):
            where = f"WHERE e.record_id IN ({', '.join([marker] * len(part))})"
            rows += connection.exec_driver_sql(
                _EVENTS_SQL.format(where=where), tuple(part)
            ).fetchall()
        rows.sort(key=lambda row: row[0])
    labelled = len({row[1] for row in rows}) > 1
    labels = [record_label(row[1], row[2], labelled) for row in rows]
    attributes: dict[str, list[str | None]] = {}
    for i, row in enumerate(rows):
        found = json.loads(row[6]) if isinstance(row[6], str) else row[6]
        if not found:  # no attributes (SQL NULL, or a JSON null an older version wrote)
            continue
        for name, value in found.items():
            column = attributes.get(name)
            if column is None:
                column = attributes[name] = [None] * len(rows)
            column[i] = None if value is None else str(value)
    log = event_log_from_columns(
        labels, [r[3] for r in rows], [r[4] for r in rows], [r[5] for r in rows], attributes
    )
    pk_by_label = {label: row[0] for label, row in zip(labels, rows, strict=True)}
    return log, [pk_by_label[label] for label in log.record.values]


def stored_clocks(
    session: Session,
    as_of: int,
    record_ids: Collection[int] | None = None,
    loaded: tuple[EventLog, list[int]] | None = None,
) -> StoredClocks:
    """Evaluate the stored events at as_of under every published matrix version.

    `loaded` is an EventLog already holding every stored event of its records (with the
    record ids per record code), to skip reading them back right after storing them.
    """
    versions = published_matrices(session)
    if not versions:
        raise NotFoundError(
            "no matrix has been published yet: run `slaapp matrix publish FILE` first"
        )
    versions = [with_crm_deletion(v) for v in versions]
    log, pks = loaded if loaded is not None else load_log(session, record_ids)
    clocks, numbers = evaluate_versions(versions, log, as_of)
    teams = {h.key: h.team for v in versions for h in v.matrix.handoffs}
    return StoredClocks(clocks, np.array(pks, dtype=np.int64), numbers, teams, tuple(versions))


def refresh_clocks(
    session: Session,
    now: int,
    record_ids: Collection[int] | None = None,
    loaded: tuple[EventLog, list[int]] | None = None,
) -> int:
    """Re-evaluate records (all when None) at `now` and replace their stored clocks.

    Each record also gets `reevaluate_at`: its earliest event after `now`, when one is stored,
    the instant its stored clocks stop being the whole truth (see `current_clocks`).
    """
    if record_ids is not None and not record_ids:
        return 0
    loaded = loaded if loaded is not None else load_log(session, record_ids)
    result = stored_clocks(session, now, record_ids, loaded)
    if record_ids is None:
        session.execute(delete(Clock))
    else:
        for matches in key_criteria(session, Clock.record_id, sorted(record_ids)):
            session.execute(delete(Clock).where(matches))
    columns = clock_columns(result, now)
    insert_rows(session, table_of(Clock), list(columns), zip(*columns.values(), strict=True))
    _mark_later_events(session, now, record_ids, loaded)
    return len(result.clocks)


def _mark_later_events(
    session: Session,
    now: int,
    record_ids: Collection[int] | None,
    loaded: tuple[EventLog, list[int]],
) -> None:
    """Store each record's earliest event after `now` (NULL for the records without one)."""
    log, pks = loaded
    table = table_of(Record)
    was_marked = table.c.reevaluate_at.is_not(None)  # rows already NULL are not rewritten
    if record_ids is None:
        session.execute(update(table).where(was_marked).values(reevaluate_at=None))
    else:
        for matches in key_criteria(session, table.c.id, sorted(record_ids)):
            session.execute(update(table).where(was_marked, matches).values(reevaluate_at=None))
    later = log.occurred_at > now
    if not later.any():
        return
    codes, times = log.record.codes[later], log.occurred_at[later]
    earliest = np.full(len(pks), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(earliest, codes, times)
    marked = np.flatnonzero(earliest < np.iinfo(np.int64).max)
    session.connection().execute(
        update(table).where(table.c.id == bindparam("pk")).values(reevaluate_at=bindparam("at")),
        [{"pk": pks[code], "at": int(earliest[code])} for code in marked.tolist()],
    )


def refresh_open_clocks(session: Session, now: int) -> int:
    """Persist time-driven changes: re-evaluate every record with an open stored clock."""
    open_records = session.scalars(select(Clock.record_id).where(Clock.is_open).distinct()).all()
    return refresh_clocks(session, now, set(open_records))


def clock_columns(result: StoredClocks, now: int) -> dict[str, list[Any]]:
    """Columns of the `clocks` table for these clocks."""
    c = result.clocks
    handoffs = np.array(c.handoff_keys, dtype=object)[c.handoff]
    columns: dict[str, list[Any]] = {
        "record_id": result.record_ids[c.record].tolist(),
        "handoff": handoffs.tolist(),
        "cycle": c.cycle.tolist(),
        "version": result.versions.tolist(),
        "segment": np.array(c.segment_keys, dtype=object)[c.segment].tolist(),
        "team": [result.teams.get(h, "") for h in handoffs.tolist()],
        "owner": np.array([*c.owners, None], dtype=object)[c.owner].tolist(),
        "started_at": c.started_at.tolist(),
        "stopped_at": _or_none(c.stopped_at, c.closed),
        "due_at": _or_none(c.due_at, c.has_due),
        "target_seconds": c.target.tolist(),
        "elapsed_seconds": c.elapsed.tolist(),
        "paused_seconds": c.paused.tolist(),
        "pct_elapsed": c.pct_elapsed.tolist(),
        "status": np.array(STATUSES, dtype=object)[c.status].tolist(),
        "is_open": np.isin(c.status, OPEN_STATUSES).tolist(),
        "quality_ok": np.array([None, False, True], dtype=object)[
            c.quality.astype(np.int64) + 1
        ].tolist(),
        "evaluated_at": [now] * len(c),
    }
    return columns


def _or_none(values: np.ndarray, present: np.ndarray) -> list[int | None]:
    return [v if p else None for v, p in zip(values.tolist(), present.tolist(), strict=True)]
