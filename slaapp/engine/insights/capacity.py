"""Capacity problems (team-days over a breach-rate threshold) versus individual ones (slow reps)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.insights.frame import WEEKDAYS, Frame
from slaapp.engine.insights.stats import benjamini_hochberg, binomial_sf

B = npt.NDArray[np.bool_]

CAPACITY_THRESHOLD = 0.6
MIN_DAY_VOLUME = 8
MIN_REP_CLOCKS = 20
FALSE_DISCOVERY = 0.05
MIN_EXCESS_RATE = 0.05


@dataclass(frozen=True)
class CapacityPeriod:
    """A day on which a team breached more than the threshold share of its judged clocks."""

    team: str
    day: str  # ISO date in the org's zone
    weekday: str
    clocks: int
    breaches: int

    @property
    def breach_rate(self) -> float:
        return self.breaches / self.clocks


@dataclass(frozen=True)
class SlowRep:
    """A rep whose breach rate on one handoff is significantly above the rest of the team's."""

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


@dataclass(frozen=True)
class CapacityFindings:
    threshold: float
    periods: tuple[CapacityPeriod, ...]
    capacity_days: B  # per clock: started on a flagged team-day
    reps: tuple[SlowRep, ...]
    reps_tested: int

    def weekday_pattern(self) -> tuple[str, int] | None:
        """The weekday holding most flagged periods, when it holds at least half of them."""
        if len(self.periods) < 2:
            return None
        counts: dict[str, int] = {}
        for period in self.periods:
            counts[period.weekday] = counts.get(period.weekday, 0) + 1
        day, count = max(counts.items(), key=lambda item: item[1])
        return (day, count) if count * 2 >= len(self.periods) else None


def capacity_findings(
    frame: Frame,
    scope: B,
    threshold: float = CAPACITY_THRESHOLD,
    min_volume: int = MIN_DAY_VOLUME,
    min_rep_clocks: int = MIN_REP_CLOCKS,
    alpha: float = FALSE_DISCOVERY,
) -> CapacityFindings:
    """Flag team-days over `threshold`, then test reps against their team on the other days."""
    if not 0 < threshold < 1:
        raise ValueError("the capacity threshold must be between 0 and 1")
    judged = scope & frame.judged
    periods, on_capacity_day = _capacity_days(frame, judged, threshold, min_volume)
    reps, tested = _slow_reps(frame, judged & ~on_capacity_day, min_rep_clocks, alpha)
    return CapacityFindings(threshold, periods, on_capacity_day, reps, tested)


def _capacity_days(
    frame: Frame, judged: B, threshold: float, min_volume: int
) -> tuple[tuple[CapacityPeriod, ...], B]:
    rows = np.flatnonzero(judged)
    flagged = np.zeros(frame.team.size, dtype=np.bool_)
    if rows.size == 0:
        return (), flagged
    day0 = int(frame.local_day[rows].min())
    span = int(frame.local_day[rows].max()) - day0 + 1
    key = frame.team[rows].astype(np.int64) * span + (frame.local_day[rows] - day0)
    volume = np.bincount(key, minlength=len(frame.teams) * span)
    breaches = np.bincount(key, weights=frame.breached[rows], minlength=volume.size)
    hot = (volume >= min_volume) & (breaches > threshold * np.maximum(volume, 1))
    found: list[CapacityPeriod] = []
    for cell in np.flatnonzero(hot):
        team, offset = divmod(int(cell), span)
        day = day0 + offset
        found.append(
            CapacityPeriod(
                team=frame.teams[team],
                day=str(np.datetime64(day, "D")),
                weekday=WEEKDAYS[(day + 3) % 7],
                clocks=int(volume[cell]),
                breaches=int(breaches[cell]),
            )
        )
    all_keys = frame.team.astype(np.int64) * span + (frame.local_day - day0)
    inside = (frame.local_day >= day0) & (frame.local_day < day0 + span)
    flagged = inside & hot[np.clip(all_keys, 0, hot.size - 1)]
    found.sort(key=lambda p: (-p.breaches, p.day, p.team))
    return tuple(found), flagged


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
        if qv < alpha and k / n - rk / rn >= MIN_EXCESS_RATE
    ]
    found.sort(key=lambda r: -r.excess_breaches)
    return tuple(found), len(candidates)
