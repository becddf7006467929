"""The SLA health report: per-handoff figures and root causes ranked by the breaches they explain."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import MET
from slaapp.engine.insights.blocks import certainty, hours_text, p_text, percent, zone_words
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
    """A cause with the late clocks it explains beyond what its comparison group would have had."""

    kind: str  # capacity, individual, data, target
    title: str
    detail: str
    excess_breaches: float
    clocks: int
    certainty: str = "likely"  # very likely, likely, possible
    how_sure: str = ""  # the numbers behind the certainty
    handoff: str = ""  # the handoff key, for a person or a target cause


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
    zone = zone_words(frame.zone)
    causes: list[RootCause] = []
    for b in capacity.blocks:
        causes.append(RootCause(
            "capacity", f"{b.team}, {b.day_name}s {hours_text(b.start, b.end)} ({zone})",
            f"{percent(b.rate)} late vs {percent(b.baseline_rate)} otherwise, {b.weeks} of "
            f"{b.weeks_seen} weeks, {b.late:,} of {b.clocks:,} clocks; {b.arrivals_per_hour:.1f} "
            f"arrivals an hour for {b.people:.1f} people working then (otherwise "
            f"{b.baseline_arrivals_per_hour:.1f} for {b.baseline_people:.1f})",
            b.excess, b.clocks, certainty(b.p_adjusted),
            f"one-sided binomial test against the team's other working hours, corrected for "
            f"every team, weekday and hour range scanned: p {p_text(b.p_adjusted)}",
        ))  # fmt: skip
    for d in capacity.days:
        causes.append(RootCause(
            "capacity", f"{d.team} on {d.weekday} {d.day}",
            f"{percent(d.rate)} late vs {percent(d.baseline_rate)} on its other days, "
            f"{d.late:,} of {d.clocks:,} clocks",
            d.excess, d.clocks, certainty(d.p_adjusted),
            f"one-sided binomial test against the team's other days, corrected for every "
            f"team-day: q {p_text(d.p_adjusted)}",
        ))  # fmt: skip
    for rep in capacity.reps:
        handoff = _handoff_name(frame, rep.handoff)
        causes.append(RootCause(
            "individual", f"{names.get(rep.owner, rep.owner)} slow on {handoff}",
            f"{rep.breaches:,} of {rep.clocks:,} clocks late ({percent(rep.rate)}) vs "
            f"{percent(rep.team_rate)} for the rest of {rep.team} ({rep.team_clocks:,} clocks) "
            "in normal work (capacity blocks and days left out)",
            rep.excess_breaches, rep.clocks, certainty(rep.q_value),
            f"one-sided binomial test against the rest of the team, corrected for every person "
            f"and handoff tested: q {p_text(rep.q_value)}", rep.handoff,
        ))  # fmt: skip
    for gap in missing:
        excess = max(gap.breach_rate - gap.other_breach_rate, 0.0) * gap.clocks
        slower = (
            f"; their clocks are late {percent(gap.breach_rate)} of the time vs "
            f"{percent(gap.other_breach_rate)}"
            if excess >= MIN_EXCESS
            else ""
        )
        causes.append(RootCause(
            "data", f"{gap.source} leads arrive without {gap.attribute}",
            f"{gap.missing:,} of {gap.records:,} records lack it ({percent(gap.share)}) vs "
            f"{percent(gap.other_share)} of other sources{slower}",
            excess, gap.clocks, certainty(gap.q_value),
            f"one-sided binomial test against the other sources, corrected for every source "
            f"and attribute: q {p_text(gap.q_value)}",
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
                "target", f"{_handoff_name(frame, key)} is late too often in normal work",
                f"{late:,} of {n:,} clocks late ({percent(1 - on_time)}) outside capacity blocks, "
                f"capacity days and slow people, vs a {percent(goal)} goal: the target or the "
                "process needs review",
                excess, n, "likely", f"{late:,} late of {n:,} where {percent(1 - goal)} is allowed",
                key,
            ))  # fmt: skip
    causes.sort(key=lambda c: -c.excess_breaches)
    # A source without data is a finding even where it costs no breaches (segments, quality).
    return tuple(c for c in causes if c.kind == "data" or c.excess_breaches >= MIN_EXCESS)


def _handoff_name(frame: Frame, key: str) -> str:
    try:
        return frame.inputs.matrix.handoff(key).name
    except KeyError:
        return key
