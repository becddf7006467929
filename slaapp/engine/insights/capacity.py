"""Capacity problems (hour blocks, single days) versus individual ones (slow reps)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.insights.blocks import (
    CapacityBlock,
    CapacityDay,
    block_mask,
    capacity_blocks,
    capacity_days,
    day_mask,
    working_time,
)
from slaapp.engine.insights.frame import Frame
from slaapp.engine.insights.stats import benjamini_hochberg, binomial_sf

B = npt.NDArray[np.bool_]

CAPACITY_THRESHOLD = 0.3
"""The lowest late rate a single team-day must reach to count as a capacity day."""
MIN_REP_CLOCKS = 20
FALSE_DISCOVERY = 0.01
MIN_EXCESS_RATE = 0.05
MIN_EXCESS_CLOCKS = 5.0
"""A slow person explains at least this many late clocks beyond their team's normal rate."""


@dataclass(frozen=True)
class SlowRep:
    """A rep whose late rate on one handoff is significantly above the rest of the team's
    normal work (clocks in capacity blocks and days left out of both sides)."""

    owner: str
    team: str
    handoff: str
    clocks: int
    breaches: int
    team_clocks: int
    team_breaches: int
    p_value: float
    q_value: float

    @property
    def rate(self) -> float:
        return self.breaches / self.clocks

    @property
    def team_rate(self) -> float:
        return self.team_breaches / self.team_clocks if self.team_clocks else 0.0

    @property
    def excess_breaches(self) -> float:
        return self.breaches - self.clocks * self.team_rate


@dataclass(frozen=True, eq=False)
class CapacityFindings:
    threshold: float
    blocks: tuple[CapacityBlock, ...]
    days: tuple[CapacityDay, ...]
    capacity_days: B  # per clock: started inside a flagged block or on a flagged team-day
    in_blocks: B  # per clock: started inside a flagged block
    working: B  # per clock: started in its team's working time
    reps: tuple[SlowRep, ...]
    reps_tested: int


def capacity_findings(
    frame: Frame,
    scope: B,
    threshold: float = CAPACITY_THRESHOLD,
    min_rep_clocks: int = MIN_REP_CLOCKS,
    alpha: float = FALSE_DISCOVERY,
) -> CapacityFindings:
    """Blocks and days in each team's working time, then reps against their team's normal work."""
    if not 0 < threshold < 1:
        raise ValueError("the capacity threshold must be between 0 and 1")
    working = working_time(frame)
    judged = scope & frame.judged & working
    blocks = capacity_blocks(frame, judged)
    in_blocks = block_mask(frame, blocks)
    days = capacity_days(frame, judged & ~in_blocks, floor=threshold)
    flagged = in_blocks | day_mask(frame, days)
    reps, tested = _slow_reps(frame, judged & ~flagged, min_rep_clocks, alpha)
    return CapacityFindings(threshold, blocks, days, flagged, in_blocks, working, reps, tested)


def _slow_reps(
    frame: Frame, normal: B, min_clocks: int, alpha: float
) -> tuple[tuple[SlowRep, ...], int]:
    clocks = frame.inputs.clocks
    owners = clocks.owner
    candidates: list[tuple[str, str, str, int, int, int, int, float]] = []
    rows = np.flatnonzero(normal & (owners >= 0))
    groups: dict[tuple[int, int], list[int]] = {}
    for h, t in set(zip(clocks.handoff[rows].tolist(), frame.team[rows].tolist(), strict=True)):
        groups[(h, t)] = []
    for (h, t), _ in groups.items():
        members = rows[(clocks.handoff[rows] == h) & (frame.team[rows] == t)]
        counts = np.bincount(owners[members], minlength=len(clocks.owners))
        misses = np.bincount(
            owners[members], weights=frame.breached[members], minlength=counts.size
        )
        total, total_missed = int(counts.sum()), int(misses.sum())
        for owner in np.flatnonzero(counts >= min_clocks):
            n, k = int(counts[owner]), int(misses[owner])
            rest_n, rest_k = total - n, total_missed - k
            if rest_n < min_clocks:
                continue
            rest_rate = rest_k / rest_n
            # The rest's rate, kept off 0 so one breach by a rep of a spotless team is no finding.
            p = binomial_sf(k, n, max(rest_rate, 0.5 / rest_n))
            candidates.append(
                (
                    clocks.owners[owner],
                    frame.teams[t],
                    clocks.handoff_keys[h],
                    n,
                    k,
                    rest_n,
                    rest_k,
                    p,
                )
            )
    if not candidates:
        return (), 0
    q = benjamini_hochberg(np.array([c[7] for c in candidates], dtype=np.float64))
    found = [
        SlowRep(owner, team, handoff, n, k, rn, rk, p, float(qv))
        for (owner, team, handoff, n, k, rn, rk, p), qv in zip(candidates, q.tolist(), strict=True)
        if qv < alpha
        and k / n - rk / rn >= MIN_EXCESS_RATE
        and k - n * rk / rn >= MIN_EXCESS_CLOCKS
    ]
    found.sort(key=lambda r: -r.excess_breaches)
    return tuple(found), len(candidates)
