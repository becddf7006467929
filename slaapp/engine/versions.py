"""Clocks under a history of matrix versions: each judged by the version in force at its start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import ClockTable, evaluate
from slaapp.engine.eventlog import EventLog
from slaapp.engine.matrix import Matrix

B = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class PublishedMatrix:
    """A published matrix version as the evaluation needs it."""

    number: int
    matrix: Matrix
    effective_from: int
    reevaluate_open: bool = False


def _open_at(table: ClockTable, instant: int) -> B:
    running: B = (table.started_at <= instant) & (~table.closed | (table.stopped_at > instant))
    return running


def evaluate_versions(
    versions: Sequence[PublishedMatrix], log: EventLog, as_of: int
) -> tuple[ClockTable, npt.NDArray[np.int32]]:
    """Clocks each judged by one version, and the number of that version.

    A clock is judged by the latest version effective at its start; the first version
    covers all earlier history. A version published with "re-evaluate open clocks" also
    judges the clocks still open when it takes effect. Versions effective after as_of
    judge nothing yet.
    """
    if not versions:
        raise ValueError("no matrix version to evaluate with")
    ordered = sorted(versions, key=lambda v: v.number)
    ordered = [ordered[0], *(v for v in ordered[1:] if v.effective_from <= as_of)]
    starts = np.array([v.effective_from for v in ordered], dtype=np.int64)
    starts[0] = np.iinfo(np.int64).min
    picked: list[tuple[ClockTable, npt.NDArray[np.int64]]] = []
    numbers: list[npt.NDArray[np.int32]] = []
    for position, version in enumerate(ordered):
        table = evaluate(version.matrix, log, as_of)
        base = np.searchsorted(starts, table.started_at, side="right") - 1
        judge = base == position
        if version.reevaluate_open and position > 0:
            judge |= (base < position) & _open_at(table, version.effective_from)
        for later in ordered[position + 1 :]:
            if later.reevaluate_open:
                judge &= ~_open_at(table, later.effective_from)
        rows = np.flatnonzero(judge)
        picked.append((table, rows))
        numbers.append(np.full(rows.size, version.number, dtype=np.int32))
    merged = _merge(picked, as_of)
    version_numbers = np.concatenate(numbers)
    order = np.lexsort((merged.started_at, merged.cycle, merged.handoff, merged.record))
    return take_clocks(merged, order), version_numbers[order]


def take_clocks(table: ClockTable, rows: npt.NDArray[np.int64]) -> ClockTable:
    """The clocks at these row positions, in that order."""
    columns = {f.name: getattr(table, f.name) for f in fields(table)}
    for name, value in columns.items():
        if isinstance(value, np.ndarray):
            columns[name] = value[rows]
    return ClockTable(**columns)


def _merge(parts: list[tuple[ClockTable, npt.NDArray[np.int64]]], as_of: int) -> ClockTable:
    """One table from rows of several, with handoff and segment codes in shared vocabularies."""
    handoffs = tuple(dict.fromkeys(k for t, _ in parts for k in t.handoff_keys))
    segments = tuple(dict.fromkeys(k for t, _ in parts for k in t.segment_keys))
    first = parts[0][0]
    columns: dict[str, list[npt.NDArray[np.generic]]] = {}
    for table, rows in parts:
        handoff_map = np.array(
            [handoffs.index(k) for k in table.handoff_keys] or [0], dtype=np.int32
        )
        segment_map = np.array(
            [segments.index(k) for k in table.segment_keys] or [0], dtype=np.int32
        )
        for f in fields(table):
            value = getattr(table, f.name)
            if not isinstance(value, np.ndarray):
                continue
            value = value[rows]
            if f.name == "handoff":
                value = handoff_map[value]
            elif f.name == "segment":
                value = segment_map[value]
            columns.setdefault(f.name, []).append(value)
    return ClockTable(
        as_of=as_of,
        records=first.records,
        owners=first.owners,
        handoff_keys=handoffs,
        segment_keys=segments,
        **{name: np.concatenate(values) for name, values in columns.items()},
    )
