"""Clocks as they stand now: closed history read from the clocks table, open clocks re-judged."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from slaapp.engine.clocks import OPEN_STATUSES, STATUSES, ClockTable
from slaapp.engine.errors import NotFoundError
from slaapp.engine.eventlog import NO_VALUE
from slaapp.engine.metrics_open import judge_open_now, rule_timing
from slaapp.engine.versions import PublishedMatrix, take_clocks
from slaapp.models.bulk import chunks, placeholder
from slaapp.models.clock_columns import joined_columns
from slaapp.models.evaluation import (
    StoredClocks,
    record_label,
    refresh_clocks,
    stored_clocks,
    with_crm_deletion,
)
from slaapp.models.matrices import published_matrices

_STATUS_SQL = " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(STATUSES))
_NUMBERS = {
    0: "c.record_id", 4: "c.cycle", 5: "c.version", 8: "c.started_at",
    9: "coalesce(c.stopped_at, 0)", 10: "coalesce(c.due_at, 0)", 11: "c.target_seconds",
    12: "c.elapsed_seconds", 13: "c.paused_seconds", 14: f"CASE c.status {_STATUS_SQL} END",
    15: "CASE WHEN c.quality_ok IS NULL THEN -1 WHEN c.quality_ok THEN 1 ELSE 0 END",
    16: "c.evaluated_at", 17: "CASE WHEN c.stopped_at IS NULL THEN 0 ELSE 1 END",
    18: "CASE WHEN c.due_at IS NULL THEN 0 ELSE 1 END",
}  # fmt: skip
_TEXTS = {1: "r.source", 2: "r.external_id", 3: "c.handoff", 6: "c.segment",
          7: "coalesce(c.owner, '')"}  # fmt: skip
"""The stored columns by position, with NULLs and status words as the numbers a ClockTable
holds: integers (each read as one numpy column) and text."""
WIDTH = len(_NUMBERS) + len(_TEXTS)
_FROM = " FROM clocks c JOIN records r ON r.id = c.record_id WHERE "
_SELECT = f"SELECT {', '.join((_NUMBERS | _TEXTS)[i] for i in range(WIDTH))}" + _FROM
Columns = list[Any]
"""The 19 columns by position: numpy int64 arrays for the integers, lists for the text."""
_OPEN = "c.is_open = TRUE"  # a comparison: SQLite's planner reads a bare boolean by scanning


def current_clocks(
    session: Session,
    now: int,
    since: int | None = None,
    records: Collection[int] = (),
    *,
    persist: bool = False,
) -> StoredClocks:
    """Every open clock judged at `now`, with the closed clocks that stopped at or after `since`
    (all of them when None) and every clock of `records`: what `stored_clocks(session, now)`
    gives for those clocks, without reading events for records the stored clocks still cover.

    A clock starts or stops only at an event, so a record's stored clocks stay true after the
    instant they were judged until its next event: closed ones as they are, open ones with
    business time added on their rule's calendar. Records with a later event due by `now`
    (`reevaluate_at`), clocks judged after `now`, and open clocks a version published with
    "re-evaluate open clocks" has taken over since, are evaluated from their events: stored
    again when `persist` (a writer's session), else only for this answer.
    """
    versions = [with_crm_deletion(v) for v in published_matrices(session)]
    if not versions:
        raise NotFoundError(
            "no matrix has been published yet: run `slaapp matrix publish FILE` first"
        )
    connection = session.connection()
    marker = placeholder(connection)
    stale = stale_records(connection, now, versions)
    if stale and persist:
        refresh_clocks(session, now, stale)
        stale = set()
    columns = _read(connection, _OPEN, ())
    if since is None:
        closed = _read(connection, "NOT c.is_open", ())
    else:
        closed = _read(connection, f"NOT c.is_open AND c.stopped_at >= {marker}", (since,))
        seen = set(zip(closed[0].tolist(), closed[3], closed[4].tolist(), strict=True))
        for part in chunks(sorted(set(records))):
            where = f"NOT c.is_open AND c.record_id IN ({', '.join([marker] * len(part))})"
            found = _read(connection, where, tuple(part))
            keys = zip(found[0].tolist(), found[3], found[4].tolist(), strict=True)
            closed = _joined(closed, _taken(found, np.array([k not in seen for k in keys], bool)))
    columns = _joined(columns, closed)
    if stale:
        columns = _taken(columns, ~np.isin(columns[0], np.array(sorted(stale), dtype=np.int64)))
    labelled = _several_sources(connection)
    pks, first = np.unique(columns[0], return_index=True)
    origins = {
        pk: (columns[1][i], columns[2][i])
        for pk, i in zip(pks.tolist(), first.tolist(), strict=True)
    }
    table, pks, numbers = _table(columns, now, versions, origins, labelled)
    table = _rejudge_open(table, numbers, columns[16], now, versions)
    if stale:
        fresh = stored_clocks(session, now, stale)
        origins |= _origins(connection, marker, stale)
        table, pks, numbers = _combine(
            (table, pks, numbers), fresh, _kept(fresh, since, records), origins, labelled, now
        )
    teams = {h.key: h.team for v in versions for h in v.matrix.handoffs}
    order = np.lexsort((table.started_at, table.cycle, table.handoff, pks[table.record]))
    return StoredClocks(
        take_clocks(table, order), pks, numbers[order], teams, tuple(versions),
        tuple(origins[int(pk)] for pk in pks.tolist()),
    )  # fmt: skip


def _read(connection: Any, where: str, params: tuple[Any, ...]) -> Columns:
    """The stored columns of the clocks `where` finds, each read as one joined string (row by
    row when a text holds a separator)."""
    found = joined_columns(
        connection, list(_NUMBERS.values()), list(_TEXTS.values()), _FROM + where, params
    )
    if found is None:
        rows = connection.exec_driver_sql(_SELECT + where, params).fetchall()
        values = list(zip(*rows, strict=True)) if rows else [()] * WIDTH
        return [np.array(v, dtype=np.int64) if i in _NUMBERS else list(v)
                for i, v in enumerate(values)]  # fmt: skip
    numbers, texts = found
    by_place = dict(zip(_NUMBERS, numbers, strict=True)) | dict(zip(_TEXTS, texts, strict=True))
    return [by_place[i] for i in range(WIDTH)]


def _taken(columns: Columns, keep: npt.NDArray[np.bool_]) -> Columns:
    """The rows where `keep` holds."""
    rows = np.flatnonzero(keep).tolist()
    return [c[keep] if isinstance(c, np.ndarray) else [c[i] for i in rows] for c in columns]


def _joined(first: Columns, second: Columns) -> Columns:
    """The rows of `first`, then those of `second`."""
    return [
        np.concatenate((a, b)) if isinstance(a, np.ndarray) else [*a, *b]
        for a, b in zip(first, second, strict=True)
    ]


def stale_records(
    connection: Any,
    now: int,
    versions: Sequence[PublishedMatrix],
    *,
    judged_later: bool = True,
) -> set[int]:
    """Records whose stored clocks are not the truth at `now` (see `current_clocks`); those
    judged after `now` only when `judged_later`."""
    marker = placeholder(connection)
    queries: list[tuple[str, tuple[int, ...]]] = [
        (f"SELECT id FROM records WHERE reevaluate_at <= {marker}", (now,))
    ]
    if judged_later:
        queries.append((f"SELECT record_id FROM clocks WHERE evaluated_at > {marker}", (now,)))
    queries += [
        (
            "SELECT record_id FROM clocks c WHERE " + _OPEN + " "
            f"AND evaluated_at < {marker} AND started_at <= {marker}",
            (version.effective_from, version.effective_from),
        )
        for version in versions[1:]
        if version.reevaluate_open and version.effective_from <= now
    ]
    return {int(pk) for sql, args in queries for (pk,) in connection.exec_driver_sql(sql, args)}


def _several_sources(connection: Any) -> bool:
    """Whether records come from more than one source (both ends of the (source, id) index)."""
    low, high = connection.exec_driver_sql(
        "SELECT (SELECT min(source) FROM records), (SELECT max(source) FROM records)"
    ).one()
    return bool(low != high)


def _origins(connection: Any, marker: str, pks: Collection[int]) -> dict[int, tuple[str, str]]:
    """(source, CRM id) of each record."""
    found: dict[int, tuple[str, str]] = {}
    for part in chunks(sorted(pks)):
        rows = connection.exec_driver_sql(
            f"SELECT id, source, external_id FROM records WHERE id IN "
            f"({', '.join([marker] * len(part))})",
            tuple(part),
        )
        found |= {int(pk): (source, external) for pk, source, external in rows}
    return found


def _codes(values: Sequence[Any], vocabulary: Sequence[Any]) -> npt.NDArray[np.int32]:
    index = {value: code for code, value in enumerate(vocabulary)}
    return np.fromiter((index[v] for v in values), dtype=np.int32, count=len(values))


def _vocabulary(versions: Sequence[PublishedMatrix], now: int) -> tuple[tuple[str, ...], ...]:
    """Handoff and segment keys in the order a full evaluation at `now` gives them."""
    judging = [versions[0], *(v for v in versions[1:] if v.effective_from <= now)]
    handoffs = tuple(dict.fromkeys(h.key for v in judging for h in v.matrix.handoffs))
    segments = tuple(dict.fromkeys(s.key for v in judging for s in v.matrix.segments))
    return handoffs, segments


def _table(
    columns: Columns,
    now: int,
    versions: Sequence[PublishedMatrix],
    origins: dict[int, tuple[str, str]],
    labelled: bool,
) -> tuple[ClockTable, npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Stored columns as a ClockTable (record codes in database id order), ids and versions."""

    def ints(index: int, dtype: type = np.int64) -> npt.NDArray[Any]:
        return np.array(columns[index], dtype=np.int64).astype(dtype, copy=False)

    pks, record = np.unique(ints(0), return_inverse=True)
    handoffs, segments = _vocabulary(versions, now)
    handoffs += tuple(sorted(set(columns[3]) - set(handoffs)))
    segments += tuple(sorted(set(columns[6]) - set(segments)))
    owners, found = np.unique(np.array(columns[7], dtype=object), return_inverse=True)
    owner: npt.NDArray[np.int32] = found.reshape(-1).astype(np.int32)
    if len(owners) and owners[0] == "":  # no owner: '' sorts first
        owners, owner = owners[1:], owner + NO_VALUE  # code 0 becomes NO_VALUE
    table = ClockTable(
        as_of=now,
        record=record.astype(np.int32),
        handoff=_codes(columns[3], handoffs),
        cycle=ints(4, np.int32),
        segment=_codes(columns[6], segments),
        owner=owner,
        started_at=ints(8),
        stopped_at=ints(9),
        closed=ints(17, np.bool_),
        due_at=ints(10),
        has_due=ints(18, np.bool_),
        target=ints(11),
        elapsed=ints(12),
        paused=ints(13),
        status=ints(14, np.int8),
        quality=ints(15, np.int8),
        records=tuple(record_label(*origins[int(pk)], labelled) for pk in pks.tolist()),
        owners=tuple(owners.tolist()),
        handoff_keys=handoffs,
        segment_keys=segments,
    )
    return table, pks, ints(5, np.int32)


def _rejudge_open(
    table: ClockTable,
    numbers: npt.NDArray[np.int32],
    judged: npt.NDArray[np.int64],
    now: int,
    versions: Sequence[PublishedMatrix],
) -> ClockTable:
    """Open clocks moved from the instant they were judged to `now` (DESIGN section 4)."""
    if not len(table):
        return table
    keys = np.stack([numbers.astype(np.int64), table.handoff, table.segment], axis=1)
    unique, rule = np.unique(keys, axis=0, return_inverse=True)
    matrices = {v.number: v.matrix for v in versions}
    rules = [
        rule_timing(matrices, number, table.handoff_keys[h_code], table.segment_keys[s_code])
        for number, h_code, s_code in unique.tolist()
    ]
    status, elapsed, paused = judge_open_now(
        table.status, table.elapsed, table.target, judged, now, rule.reshape(-1), rules,
        table.has_due, table.paused,
    )  # fmt: skip
    return replace(table, status=status, elapsed=elapsed, paused=paused)


def _kept(
    fresh: StoredClocks, since: int | None, records: Collection[int]
) -> npt.NDArray[np.bool_]:
    """Which freshly evaluated clocks the answer holds (open, recent, or of `records`)."""
    c = fresh.clocks
    keep = np.isin(c.status, OPEN_STATUSES)
    if since is None:
        return np.ones(len(c), dtype=np.bool_)
    keep |= c.closed & (c.stopped_at >= since)
    if records:
        keep |= np.isin(fresh.record_ids[c.record], np.array(sorted(records), dtype=np.int64))
    return keep


def _combine(
    stored: tuple[ClockTable, npt.NDArray[np.int64], npt.NDArray[np.int32]],
    fresh: StoredClocks,
    keep: npt.NDArray[np.bool_],
    origins: dict[int, tuple[str, str]],
    labelled: bool,
    now: int,
) -> tuple[ClockTable, npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """The stored part and the kept fresh clocks in one table with shared vocabularies."""
    table, pks, numbers = stored
    c = take_clocks(fresh.clocks, np.flatnonzero(keep))
    all_pks = np.unique(np.concatenate([pks, fresh.record_ids[c.record]]))
    handoffs = tuple(dict.fromkeys((*table.handoff_keys, *c.handoff_keys)))
    segments = tuple(dict.fromkeys((*table.segment_keys, *c.segment_keys)))
    owners = tuple(sorted({*table.owners, *c.owners}))

    def remap(part: ClockTable, part_pks: npt.NDArray[np.int64]) -> dict[str, Any]:
        owner_map = np.array([owners.index(o) for o in part.owners] + [NO_VALUE], np.int32)
        return {
            "record": np.searchsorted(all_pks, part_pks[part.record]).astype(np.int32),
            "handoff": _codes([part.handoff_keys[h] for h in part.handoff.tolist()], handoffs),
            "segment": _codes([part.segment_keys[s] for s in part.segment.tolist()], segments),
            "owner": np.where(part.owner == NO_VALUE, NO_VALUE, owner_map[part.owner]),
        }

    first, second = remap(table, pks), remap(c, fresh.record_ids)
    names = (
        *("cycle", "started_at", "stopped_at", "closed", "due_at", "has_due", "target"),
        *("elapsed", "paused", "status", "quality"),
    )
    merged = ClockTable(
        as_of=now,
        **{k: np.concatenate([first[k], second[k]]).astype(first[k].dtype) for k in first},
        **{k: np.concatenate([getattr(table, k), getattr(c, k)]) for k in names},
        records=tuple(record_label(*origins[int(pk)], labelled) for pk in all_pks.tolist()),
        owners=owners,
        handoff_keys=handoffs,
        segment_keys=segments,
    )
    return merged, all_pks, np.concatenate([numbers, fresh.versions[keep]]).astype(np.int32)
