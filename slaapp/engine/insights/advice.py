"""Advice that follows the cause: staff a block, talk with a person, tighten where speed sells."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slaapp.engine.insights.blocks import hours_text, percent, zone_words
from slaapp.engine.insights.capacity import CapacityFindings
from slaapp.engine.insights.frame import Frame
from slaapp.engine.insights.health import RootCause, person_names
from slaapp.engine.insights.speed import SpeedCurve
from slaapp.engine.insights.suggest import Suggestion


@dataclass(frozen=True)
class Advice:
    """One proposed action: `action` is tighten, loosen, staff or coach (DESIGN 7b)."""

    action: str
    handoff: str  # key
    segment: str | None  # key; None: every segment
    change: str
    effect: str
    certainty: str
    source: str | None = None


def explained_handoffs(
    frame: Frame, capacity: CapacityFindings, causes: tuple[RootCause, ...]
) -> dict[str, str]:
    """Handoffs with late clocks in blocks, bad days or of slow people and no target cause,
    each with those causes in words: no longer target is proposed for them."""
    clocks = frame.inputs.clocks
    words: dict[str, list[str]] = {}
    for cause in causes:
        if cause.kind == "individual":
            words.setdefault(cause.handoff, []).append(cause.title.split(" slow on ")[0])
    for b in capacity.blocks:
        code = frame.teams.index(b.team)
        rows = capacity.in_blocks & (frame.team == code)
        for h in np.unique(clocks.handoff[rows]).tolist():
            label = f"{b.team} on {b.day_name}s {hours_text(b.start, b.end)}"
            words.setdefault(clocks.handoff_keys[h], []).append(label)
    for d in capacity.days:
        rows = capacity.capacity_days & (frame.team == frame.teams.index(d.team))
        for h in np.unique(clocks.handoff[rows]).tolist():
            words.setdefault(clocks.handoff_keys[h], []).append(f"{d.team} on {d.day}")
    targets = {c.handoff for c in causes if c.kind == "target"}
    return {
        k: "the late clocks are explained by " + ", ".join(dict.fromkeys(v))
        for k, v in words.items()
        if k not in targets
    }


def advise(
    frame: Frame,
    capacity: CapacityFindings,
    speed: tuple[SpeedCurve, ...],
    suggestions: tuple[Suggestion, ...],
) -> tuple[Advice, ...]:
    """Staffing for each block, a conversation for each slow person, tightening where
    conversion falls with slower responses, and the longer targets the replays support."""
    clocks = frame.inputs.clocks
    names = person_names(frame)
    found: list[Advice] = []
    zone = zone_words(frame.zone)
    for b in capacity.blocks:
        code = frame.teams.index(b.team)
        rows = capacity.in_blocks & (frame.team == code)
        handoff = clocks.handoff_keys[int(np.bincount(clocks.handoff[rows]).argmax())]
        found.append(Advice(
            "staff", handoff, None,
            f"one more {b.team} person on {b.day_name}s {hours_text(b.start, b.end)} ({zone})",
            f"would have cut the block's late rate from {percent(b.rate)} to about "
            f"{percent(b.staffed_rate)} ({b.arrivals_per_hour:.1f} arrivals an hour for "
            f"{b.people:.1f} people; the extra person at the team's usual pace)",
            "likely",
        ))  # fmt: skip
    for rep in capacity.reps:
        name = names.get(rep.owner, rep.owner)
        fewer = rep.excess_breaches
        found.append(Advice(
            "coach", rep.handoff, None, f"a conversation with {name} about {_name(frame, rep.handoff)}",
            f"{percent(rep.rate)} late vs {percent(rep.team_rate)} for the rest of {rep.team}; "
            f"at the team's rate about {fewer:,.0f} fewer late clocks",
            "likely",
        ))  # fmt: skip
    for curve in speed:
        if not curve.matters:
            continue
        fast, slow = curve.ends
        segment = curve.group if curve.dimension == "segment" else None
        source = curve.group if curve.dimension == "source" else None
        who = _group_words(frame, curve)
        found.append(Advice(
            "tighten", curve.handoff, segment,
            f"tighten {_name(frame, curve.handoff)} for {who} to half its current target",
            f"they convert at {percent(fast.rate or 0.0)} {fast.label} vs "
            f"{percent(slow.rate or 0.0)} {slow.label}",
            curve.certainty, source,
        ))  # fmt: skip
    for s in suggestions:
        if s.chosen is not None:
            change = s.chosen.sentence.rstrip(".")
            found.append(Advice("loosen", s.handoff, s.chosen.changes[0].segment,
                                change[:1].lower() + change[1:], s.reason, "possible"))  # fmt: skip
    return tuple(found)


def _name(frame: Frame, key: str) -> str:
    try:
        return frame.inputs.matrix.handoff(key).name
    except KeyError:
        return key


def _group_words(frame: Frame, curve: SpeedCurve) -> str:
    if curve.dimension == "source":
        return f"{curve.group} leads"
    try:
        return f"{frame.inputs.matrix.segment(curve.group).name} records"
    except KeyError:
        return f"{curve.group} records"
