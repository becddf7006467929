"""What an alert says: what, for whom, time left or how late, value, source, tier, load, link."""

from __future__ import annotations

import math
from dataclasses import dataclass

from slaapp.engine.alert_ladder import BREACH, ESCALATION, WARNING, Step

SEVERITY_WORDS = {WARNING: "Due soon", BREACH: "Breached", ESCALATION: "Escalation"}


def duration(seconds: int) -> str:
    """Business time in plain words: `45 min`, `3 h 10 min`, `2 d 4 h` (days of 24 h)."""
    seconds = abs(int(seconds))
    minutes = max(seconds // 60, 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def money(amount: float | None) -> str | None:
    if amount is None or math.isnan(amount):
        return None
    return f"${amount:,.0f}"


@dataclass(frozen=True)
class ClockFacts:
    """One clock at the moment its step fires, in the words users know."""

    record_id: int
    record_name: str
    source: str
    external_id: str
    handoff: str
    handoff_name: str
    segment_name: str
    team: str
    owner: str | None
    owner_name: str
    target: int
    remaining: int
    amount: float | None
    tier: str
    lead_source: str
    open_load: int
    capacity: int | None
    link: str | None


def title(step: Step, facts: ClockFacts, reminder: int) -> str:
    prefix = SEVERITY_WORDS.get(step.kind, step.kind.title())
    if reminder:
        prefix = f"Reminder: {prefix.lower()}"
    return f"{prefix}: {facts.handoff_name} for {facts.record_name} ({facts.owner_name})"


def lines(step: Step, facts: ClockFacts) -> tuple[str, ...]:
    found = [f"What: {facts.handoff_name} ({facts.segment_name}), target {duration(facts.target)}"]
    found.append(
        f"For: {facts.record_name}, owned by {facts.owner_name} ({facts.team or 'no team'})"
    )
    if facts.remaining >= 0:
        found.append(f"Time left: {duration(facts.remaining)} of business time")
    else:
        found.append(f"Late by: {duration(-facts.remaining)} of business time")
    value = money(facts.amount)
    if value:
        found.append(f"Deal value: {value}")
    found.append(f"Source: {facts.lead_source or 'unknown'} · Tier: {facts.tier or 'unknown'}")
    load = f"{facts.open_load} open clock{'s' if facts.open_load != 1 else ''}"
    if facts.capacity:
        load += f" (capacity {facts.capacity})"
    found.append(f"{facts.owner_name}'s open load: {load}")
    if step.reassign:
        found.append("This step reassigns the record to the next available rep of the team.")
    found.append(
        f"Record: {facts.source} {facts.external_id}" + (f" · {facts.link}" if facts.link else "")
    )
    return tuple(found)


def digest_title(count: int, recipient_name: str) -> str:
    return f"{count} SLA alerts for {recipient_name}"


def digest_lines(titles: list[tuple[str, str | None]]) -> tuple[str, ...]:
    """One line per alert of a digest, most urgent first, each with its link when known."""
    return tuple(f"• {text}" + (f" · {link}" if link else "") for text, link in titles)
