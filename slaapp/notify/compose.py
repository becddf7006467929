"""What an alert says: what, for whom, time left or how late, value, source, tier, load, link."""

from __future__ import annotations

import math
from dataclasses import dataclass

from slaapp.engine.alert_ladder import BREACH, ESCALATION, WARNING, Step
from slaapp.engine.durations import TimeTerms, describe_duration

SEVERITY_WORDS = {WARNING: "Due soon", BREACH: "Breached", ESCALATION: "Escalation"}


def amount_of(value: object) -> float | None:
    """A record's `amount` attribute as a number (None when empty or not a number)."""
    try:
        found = float(str(value)) if value not in (None, "") else None
    except ValueError:
        return None
    return None if found is None or math.isnan(found) else found


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
    terms: TimeTerms


def title(step: Step, facts: ClockFacts, reminder: int) -> str:
    prefix = SEVERITY_WORDS.get(step.kind, step.kind.title())
    if reminder:
        prefix = f"Reminder: {prefix.lower()}"
    return f"{prefix}: {facts.handoff_name} for {facts.record_name} ({facts.owner_name})"


def lines(step: Step, facts: ClockFacts) -> tuple[str, ...]:
    target = describe_duration(facts.target, facts.terms)
    found = [f"What: {facts.handoff_name} ({facts.segment_name}), target {target}"]
    found.append(
        f"For: {facts.record_name}, owned by {facts.owner_name} ({facts.team or 'no team'})"
    )
    found.append(time_line(facts.remaining, facts.terms))
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


def time_line(remaining: int, terms: TimeTerms) -> str:
    """`Time left: 1 h 30 min` or `Late by: 2 business days 3 h`, in the rule's own terms."""
    if remaining >= 0:
        return f"Time left: {describe_duration(remaining, terms)}"
    return f"Late by: {describe_duration(-remaining, terms)}"


def with_time(found: tuple[str, ...], remaining: int, terms: TimeTerms) -> tuple[str, ...]:
    """An alert's lines with its time line said again as of now (at send time)."""
    fresh = time_line(remaining, terms)
    return tuple(fresh if line.startswith(TIME_PREFIXES) else line for line in found)


TIME_PREFIXES = ("Time left:", "Late by:")


def group_title(count: int, recipient_name: str, severities: list[str]) -> str:
    """`3 SLA alerts for Victor Hale: 1 escalation, 2 breaches`, worst kinds first."""
    order = (ESCALATION, "pattern", BREACH, WARNING)
    words = {ESCALATION: "escalation", "pattern": "pattern", BREACH: "breach", WARNING: "due soon"}
    parts = []
    for kind in order:
        n = severities.count(kind)
        if n:
            word = words[kind]
            plural = (
                word if n == 1 or kind == WARNING else word + ("es" if word.endswith("ch") else "s")
            )
            parts.append(f"{n} {plural}")
    return f"{count} SLA alerts for {recipient_name}: {', '.join(parts)}"


def item_line(
    text: str, remaining: int | None, terms: TimeTerms, amount: float | None, link: str | None
) -> str:
    """One item of a grouped message: what and whose, time left or late now, value, link."""
    parts = [text]
    if remaining is not None:
        parts.append(
            describe_duration(remaining, terms) + " left"
            if remaining >= 0
            else "late by " + describe_duration(-remaining, terms)
        )
    value = money(amount)
    if value:
        parts.append(value)
    if link:
        parts.append(link)
    return "• " + " · ".join(parts)
