"""The findings of a report as DESIGN 7b lists them: one stable `kind` each, with its numbers."""

from __future__ import annotations

from typing import Any

from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.blocks import certainty, hours_text, p_text, percent, zone_words
from slaapp.engine.insights.frame import WEEKDAYS
from slaapp.engine.insights.speed import SpeedCurve

KINDS = ("capacity_block", "capacity_day", "slow_person", "missing_data", "speed_matters",
         "suggestion")  # fmt: skip


def report_findings(report: InsightReport) -> list[dict[str, Any]]:
    """Blocks, days, people, missing data, where speed matters, then suggestions."""
    found: list[dict[str, Any]] = []
    zone = zone_words(report.zone)
    for b in report.capacity.blocks:
        title = (
            f"{b.team}, {b.day_name}s {hours_text(b.start, b.end)} ({zone}): "
            f"{percent(b.rate)} late vs {percent(b.baseline_rate)} otherwise, {b.weeks} of "
            f"{b.weeks_seen} weeks, {b.late:,} of {b.clocks:,} clocks."
        )
        found.append({
            "kind": "capacity_block", "title": title, "certainty": certainty(b.p_adjusted),
            "team": b.team, "weekday": WEEKDAYS[b.weekday], "hours": [b.start, b.end],
            "zone": report.zone, "weeks": b.weeks, "weeks_seen": b.weeks_seen, "late": b.late,
            "clocks": b.clocks, "rate": b.rate, "baseline_rate": b.baseline_rate,
            "arrivals_per_hour": b.arrivals_per_hour, "people": b.people,
            "baseline_arrivals_per_hour": b.baseline_arrivals_per_hour,
            "baseline_people": b.baseline_people, "staffed_rate": b.staffed_rate,
            "how_sure": f"p {p_text(b.p_adjusted)} after correcting for every team, weekday "
            "and hour range scanned",
        })  # fmt: skip
    for d in report.capacity.days:
        found.append({
            "kind": "capacity_day",
            "title": f"{d.team} on {d.weekday} {d.day}: {percent(d.rate)} late vs "
            f"{percent(d.baseline_rate)} on its other days, {d.late:,} of {d.clocks:,} clocks.",
            "certainty": certainty(d.p_adjusted), "team": d.team, "day": d.day,
            "late": d.late, "clocks": d.clocks, "rate": d.rate, "baseline_rate": d.baseline_rate,
            "how_sure": f"q {p_text(d.p_adjusted)} after correcting for every team-day",
        })  # fmt: skip
    people = {p.key: p for p in report.people} | {p.email: p for p in report.people if p.email}
    for rep in report.capacity.reps:
        person = people.get(rep.owner)
        name = person.name if person else rep.owner
        handoff = report.names.get(rep.handoff, rep.handoff)
        found.append({
            "kind": "slow_person",
            "title": f"{name} is slow on {handoff}: {percent(rep.rate)} late vs "
            f"{percent(rep.team_rate)} for the rest of {rep.team}, {rep.breaches:,} of "
            f"{rep.clocks:,} clocks.",
            "certainty": certainty(rep.q_value),
            "person": person.key if person else rep.owner,
            "email": (person.email if person else None) or (rep.owner if "@" in rep.owner else None),
            "name": name, "team": rep.team, "handoff": rep.handoff, "late": rep.breaches,
            "clocks": rep.clocks, "rate": rep.rate, "baseline_rate": rep.team_rate,
            "baseline_clocks": rep.team_clocks,
            "how_sure": f"q {p_text(rep.q_value)} after correcting for every person and "
            "handoff tested",
        })  # fmt: skip
    for gap in report.missing:
        segment = report.needs.get(gap.attribute)
        found.append({
            "kind": "missing_data",
            "title": f"{gap.source} leads arrive without {gap.attribute}: {gap.missing:,} of "
            f"{gap.records:,} records ({percent(gap.share)} vs {percent(gap.other_share)} of "
            "other sources).",
            "certainty": certainty(gap.q_value), "source": gap.source,
            "attribute": gap.attribute, "segment": segment, "missing": gap.missing,
            "records": gap.records, "other_share": gap.other_share,
            "how_sure": f"q {p_text(gap.q_value)} after correcting for every source and "
            "attribute",
        })  # fmt: skip
    for curve in report.speed:
        if curve.matters:
            found.append(_speed(report, curve))
    for advice in report.advice:
        found.append({
            "kind": "suggestion",
            "title": f"{advice.change[0].upper()}{advice.change[1:]}: {advice.effect}.",
            "certainty": advice.certainty, "handoff": advice.handoff, "segment": advice.segment,
            "source": advice.source, "action": advice.action, "change": advice.change,
            "effect": advice.effect,
        })  # fmt: skip
    return found


def _speed(report: InsightReport, curve: SpeedCurve) -> dict[str, Any]:
    fast, slow = curve.ends
    handoff = report.names.get(curve.handoff, curve.handoff)
    who = curve.group if curve.dimension == "source" else report.names.get(curve.group, curve.group)
    flat = [
        report.names.get(c.group, c.group)
        for c in report.speed
        if c.handoff == curve.handoff and not c.matters and c.dimension == curve.dimension
    ]
    rest = f"; no effect for {', '.join(flat)}" if flat else ""
    return {
        "kind": "speed_matters",
        "title": f"Speed matters on {handoff} for {who}: {percent(fast.rate or 0.0)} convert "
        f"{fast.label}, {percent(slow.rate or 0.0)} {slow.label}{rest}.",
        "certainty": curve.certainty,
        "handoff": curve.handoff,
        curve.dimension: curve.group,
        "bands": [
            {"label": b.label, "clocks": b.clocks, "converted": b.converted, "rate": b.rate}
            for b in curve.bands
        ],
        "no_effect": flat,
        "how_sure": f"Cochran-Armitage trend test z = {curve.z:.1f}, p = "
        f"{p_text(curve.p_adjusted)} after correcting for every segment and source tested",
    }
