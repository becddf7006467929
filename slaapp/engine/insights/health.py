"""The SLA health report: per-handoff figures and root causes ranked by the breaches they explain."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import MET
from slaapp.engine.insights.capacity import CapacityFindings
from slaapp.engine.insights.frame import Frame
from slaapp.engine.insights.sources import MissingData

B = npt.NDArray[np.bool_]

GOAL = 0.9
MIN_EXCESS = 1.0
"""Causes explaining less than one breach are left out."""


@dataclass(frozen=True)
class HandoffHealth:
    handoff: str
    name: str
    clocks: int
    judged: int
    violations: int
    breached_value: float

    @property
    def adherence(self) -> float | None:
        return (self.judged - self.violations) / self.judged if self.judged else None


@dataclass(frozen=True)
class RootCause:
    """A cause with the breaches it explains beyond what its comparison group would have had."""

    kind: str  # capacity, individual, data, target
    title: str
    detail: str
    excess_breaches: float
    clocks: int


def person_names(frame: Frame) -> dict[str, str]:
    names: dict[str, str] = {}
    for person in frame.inputs.people:
        names[person.key] = person.name
        if person.email:
            names[person.email] = person.name
    return names


def handoff_health(frame: Frame, scope: B) -> tuple[HandoffHealth, ...]:
    clocks = frame.inputs.clocks
    found: list[HandoffHealth] = []
    for h, key in enumerate(clocks.handoff_keys):
        mine = scope & (clocks.handoff == h)
        if not mine.any():
            continue
        breached = np.flatnonzero(mine & frame.breached)
        records = np.unique(clocks.record[breached], return_index=True)[1]
        try:
            name = frame.inputs.matrix.handoff(key).name
        except KeyError:
            name = key
        found.append(
            HandoffHealth(
                key,
                name,
                int(mine.sum()),
                int((mine & frame.judged).sum()),
                int(breached.size),
                float(frame.amount[breached[records]].sum()),
            )
        )
    return tuple(found)


def root_causes(
    frame: Frame, scope: B, capacity: CapacityFindings, missing: tuple[MissingData, ...],
    goal: float = GOAL,
) -> tuple[RootCause, ...]:  # fmt: skip
    """Capacity days, slow reps, sources without data and targets out of reach, largest first."""
    names = person_names(frame)
    clocks = frame.inputs.clocks
    judged = scope & frame.judged
    causes: list[RootCause] = []
    for team in sorted({p.team for p in capacity.periods}):
        periods = [p for p in capacity.periods if p.team == team]
        team_code = frame.teams.index(team)
        normal = judged & ~capacity.capacity_days & (frame.team == team_code)
        normal_rate = float(frame.breached[normal].mean()) if normal.any() else 0.0
        volume = sum(p.clocks for p in periods)
        breaches = sum(p.breaches for p in periods)
        days: dict[str, int] = {}
        for p in periods:
            days[p.weekday] = days.get(p.weekday, 0) + 1
        spread = ", ".join(f"{n} {d}{'s' if n > 1 else ''}" for d, n in
                           sorted(days.items(), key=lambda item: -item[1]))  # fmt: skip
        causes.append(RootCause(
            "capacity", f"{team} over capacity on {len(periods)} day{'s' if len(periods) > 1 else ''}",
            f"{spread}: {breaches:,} of {volume:,} clocks breached ({breaches / volume:.0%}) "
            f"against {normal_rate:.0%} on other days",
            breaches - volume * normal_rate, volume,
        ))  # fmt: skip
    for rep in capacity.reps:
        handoff = _handoff_name(frame, rep.handoff)
        causes.append(RootCause(
            "individual", f"{names.get(rep.owner, rep.owner)} slow on {handoff}",
            f"{rep.breaches:,} of {rep.clocks:,} clocks breached ({rep.rate:.0%}) against "
            f"{rep.team_rate:.0%} for the rest of {rep.team} ({rep.team_clocks:,} clocks) on "
            f"normal days; one-sided binomial test, BH-adjusted q = {rep.q_value:.1g}",
            rep.excess_breaches, rep.clocks,
        ))  # fmt: skip
    for gap in missing:
        excess = max(gap.breach_rate - gap.other_breach_rate, 0.0) * gap.clocks
        causes.append(RootCause(
            "data", f"{gap.source} leads arrive without {gap.attribute}",
            f"{gap.missing:,} of {gap.records:,} records lack it ({gap.share:.0%}) against "
            f"{gap.other_share:.0%} of other sources; their clocks breach {gap.breach_rate:.0%} "
            f"against {gap.other_breach_rate:.0%} (q = {gap.q_value:.1g})",
            excess, gap.clocks,
        ))  # fmt: skip
    explained = capacity.capacity_days.copy()
    for rep in capacity.reps:
        code = clocks.owners.index(rep.owner)
        explained |= (clocks.owner == code) & (
            clocks.handoff == clocks.handoff_keys.index(rep.handoff)
        )
    for h, key in enumerate(clocks.handoff_keys):
        rest = judged & ~explained & (clocks.handoff == h)
        n = int(rest.sum())
        if n == 0:
            continue
        late = int(frame.breached[rest].sum())
        excess = late - (1 - goal) * n
        if excess > 0 and late / n > 1 - goal:
            on_time = float((clocks.status[rest] == MET).mean())
            causes.append(RootCause(
                "target", f"{_handoff_name(frame, key)} misses its target on normal days",
                f"{late:,} of {n:,} clocks late ({1 - on_time:.0%}) outside capacity days and "
                f"slow reps, against a {goal:.0%} goal: the target or the process needs review",
                excess, n,
            ))  # fmt: skip
    causes.sort(key=lambda c: -c.excess_breaches)
    # A source without data is a finding even where it costs no breaches (segments, quality).
    return tuple(c for c in causes if c.kind == "data" or c.excess_breaches >= MIN_EXCESS)


def _handoff_name(frame: Frame, key: str) -> str:
    try:
        return frame.inputs.matrix.handoff(key).name
    except KeyError:
        return key
