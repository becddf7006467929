"""Alert ladder steps a set of clocks reached: warnings, breaches and escalations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.calendar import CalendarSpec
from slaapp.engine.clocks import ClockTable
from slaapp.engine.matrix import Matrix

B = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AlertVolume:
    warnings: int
    breaches: int
    escalations: int

    @property
    def total(self) -> int:
        return self.warnings + self.breaches + self.escalations


def ladder_volume(matrix: Matrix, clocks: ClockTable, rows: npt.NDArray[np.int64]) -> AlertVolume:
    """Warnings (each warn_at level below 1 reached), breaches and escalation steps past 1."""
    share = clocks.elapsed[rows] / clocks.target[rows]
    warnings = breaches = escalations = 0
    keys = (
        np.array(clocks.handoff[rows]).astype(np.int64) * len(clocks.segment_keys)
        + clocks.segment[rows]
    )
    for key in np.unique(keys):
        h, s = divmod(int(key), len(clocks.segment_keys))
        handoff_key, segment_key = clocks.handoff_keys[h], clocks.segment_keys[s]
        group = share[keys == key]
        try:
            handoff = matrix.handoff(handoff_key)
            levels = handoff.rule_warn_at(segment_key)
        except KeyError:
            continue
        warnings += sum(int((group >= w).sum()) for w in levels if w < 1.0)
        breaches += int((group > 1.0).sum())
        # A step at 1.0 is the breach notice itself; later steps are escalations.
        escalations += sum(int((group >= s.at).sum()) for s in handoff.escalation if s.at > 1.0)
    return AlertVolume(warnings, breaches, escalations)


def describe_target(seconds: int, spec: CalendarSpec | None) -> str:
    """A target in the words the matrix uses: business days, days, hours or minutes."""
    if spec is not None and not spec.always:
        day = spec.business_day_seconds
        if day and seconds % day == 0:
            return _unit(seconds // day, "business day")
    elif seconds % 86400 == 0:
        return _unit(seconds // 86400, "day")
    if seconds % 3600 == 0:
        return _unit(seconds // 3600, "hour")
    if seconds % 60 == 0:
        return _unit(seconds // 60, "minute")
    return _unit(seconds, "second")


def _unit(amount: int, name: str) -> str:
    return f"{amount} {name}" + ("" if amount == 1 else "s")
