"""Alert backtest: how often a warning was followed by a breach, and breaches warned in time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import CANCELLED, MET, ClockTable
from slaapp.engine.matrix import Matrix

B = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class HandoffBacktest:
    """One handoff's first warning level against what happened next.

    A breach counts as warned in time when the first warning left at least the time a met
    clock of this handoff typically takes (its median response) before the due time.
    """

    handoff: str
    warn_level: float | None
    warned: int
    warned_then_breached: int
    breaches: int
    breaches_warned_in_time: int
    typical_response_seconds: int

    @property
    def precision(self) -> float | None:
        return self.warned_then_breached / self.warned if self.warned else None

    @property
    def in_time(self) -> float | None:
        return self.breaches_warned_in_time / self.breaches if self.breaches else None


@dataclass(frozen=True)
class AlertBacktest:
    handoffs: tuple[HandoffBacktest, ...]

    @property
    def precision(self) -> float | None:
        warned = sum(h.warned for h in self.handoffs)
        return sum(h.warned_then_breached for h in self.handoffs) / warned if warned else None

    @property
    def in_time(self) -> float | None:
        breaches = sum(h.breaches for h in self.handoffs)
        warned = sum(h.breaches_warned_in_time for h in self.handoffs)
        return warned / breaches if breaches else None


def alert_backtest(matrix: Matrix, clocks: ClockTable, scope: B) -> AlertBacktest:
    """Per handoff of the matrix, judged over the clocks in scope that ran to a decision."""
    found: list[HandoffBacktest] = []
    share = clocks.elapsed / clocks.target
    for h, key in enumerate(clocks.handoff_keys):
        try:
            handoff = matrix.handoff(key)
        except KeyError:
            continue
        mine = scope & (clocks.handoff == h)
        # A warning counts once the clock ran past its level, before or without being cancelled.
        decided = mine & (clocks.status != CANCELLED)
        met = mine & (clocks.status == MET)
        typical = int(np.median(clocks.elapsed[met])) if met.any() else 0
        level_of = np.full(len(clocks), np.nan)
        for s, segment in enumerate(clocks.segment_keys):
            if segment in handoff.rules:
                levels = [w for w in handoff.rule_warn_at(segment) if w < 1.0]
                level_of[mine & (clocks.segment == s)] = min(levels) if levels else np.nan
        warned = decided & (share >= level_of)
        breached = decided & (share > 1.0)
        lead = (1.0 - level_of) * clocks.target  # business seconds left at the first warning
        in_time = breached & (share >= level_of) & (lead >= typical)
        levels_used = level_of[mine & ~np.isnan(level_of)]
        found.append(
            HandoffBacktest(
                handoff=key,
                warn_level=float(levels_used.min()) if levels_used.size else None,
                warned=int(warned.sum()),
                warned_then_breached=int((warned & breached).sum()),
                breaches=int(breached.sum()),
                breaches_warned_in_time=int(in_time.sum()),
                typical_response_seconds=typical,
            )
        )
    return AlertBacktest(tuple(found))
