"""The alert ladder of every open clock of a ClockTable, each under its own matrix version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.alert_ladder import NEVER, Step, crossings, ladder, thresholds
from slaapp.engine.clocks import OPEN_STATUSES, ClockTable
from slaapp.engine.matrix import Matrix

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class ClockLadders:
    """For the clocks at `rows` of a table: their steps, and when each step is crossed.

    `crossing` and `remindable` have one column per step slot; a clock with fewer steps
    has NEVER-crossing padding slots.
    """

    rows: I64
    steps: tuple[tuple[Step, ...], ...]
    crossing: I64
    remindable: B

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def index_of(self, i: int, fired_at_fraction: float | None) -> int:
        """The highest step of clock i at or below a fired fraction (-1 for none)."""
        if fired_at_fraction is None:
            return -1
        below = [k for k, s in enumerate(self.steps[i]) if s.at <= fired_at_fraction + 1e-9]
        return below[-1] if below else -1


def open_rows(clocks: ClockTable) -> I64:
    """Row positions of the clocks still open."""
    return np.flatnonzero(np.isin(clocks.status, OPEN_STATUSES)).astype(np.int64)


def clock_ladders(
    clocks: ClockTable, matrices: Mapping[int, Matrix], versions: I32, rows: I64
) -> ClockLadders:
    """Steps and crossing instants of the clocks at `rows`, each under its version's rule."""
    n = rows.size
    groups: dict[tuple[int, int, int], list[int]] = {}
    for position, row in enumerate(rows.tolist()):
        key = (int(versions[row]), int(clocks.handoff[row]), int(clocks.segment[row]))
        groups.setdefault(key, []).append(position)
    steps: list[tuple[Step, ...]] = [()] * n
    per_group: list[tuple[list[int], tuple[Step, ...], Matrix, str]] = []
    for (version, h_code, s_code), members in groups.items():
        matrix = matrices[version]
        handoff = matrix.handoff(clocks.handoff_keys[h_code])
        segment = clocks.segment_keys[s_code]
        found = ladder(handoff, segment)
        for position in members:
            steps[position] = found
        per_group.append((members, found, matrix, handoff.rule_calendar(segment)))
    width = max((len(s) for s in steps), default=0)
    crossing = np.full((n, width), NEVER, dtype=np.int64)
    remindable = np.zeros((n, width), dtype=np.bool_)
    for members, found, matrix, calendar_key in per_group:
        at = np.array(members, dtype=np.int64)
        picked = rows[at]
        target = clocks.target[picked]
        limits = np.stack([thresholds(found, int(t)) for t in target.tolist()])
        crossing[at, : len(found)] = crossings(
            matrix.calendar(calendar_key),
            clocks.as_of,
            clocks.started_at[picked],
            clocks.elapsed[picked],
            ~clocks.has_due[picked],
            limits,
        )
        remindable[at, : len(found)] = [s.remindable for s in found]
    return ClockLadders(rows, tuple(steps), crossing, remindable)
