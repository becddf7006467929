"""The insight report in plain words: the sections the CLI prints and the screen shows."""

from __future__ import annotations

from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.predict import describe_quality
from slaapp.engine.insights.text import money, period_text, rate
from slaapp.engine.insights.whatif import WhatIf


def predictor_problem(problem: str) -> str:
    """Why there is no predictor, as one plain sentence."""
    if problem.startswith("the late-clock predictor"):
        return problem[:1].upper() + problem[1:] + "."
    return f"No late-clock predictor: {problem}."


def findings_lines(report: InsightReport) -> list[str]:
    """Root causes, largest first, each with its numbers, certainty and late clocks explained."""
    if not report.causes:
        return ["No cause stands out: no team is late far more often in some hours or on some "
                "day, nobody is clearly slower than their team, and no source arrives without "
                "data."]  # fmt: skip
    lines: list[str] = []
    for i, c in enumerate(report.causes, start=1):
        extra = (
            f" About {c.excess_breaches:,.0f} late clocks more than expected."
            if c.excess_breaches >= 1
            else ""
        )
        lines.append(f"{i}. {c.title} ({c.certainty}). {c.detail}.{extra}")
        if c.how_sure:
            lines.append(f"   How sure: {c.how_sure}.")
    return lines


def speed_lines(report: InsightReport) -> list[str]:
    """Where conversion falls with slower responses, and where it does not."""
    lines: list[str] = []
    for curve in report.speed:
        fast, slow = curve.ends
        who = (
            curve.group
            if curve.dimension == "source"
            else report.names.get(curve.group, curve.group)
        )
        handoff = report.names.get(curve.handoff, curve.handoff)
        if curve.matters:
            lines.append(
                f"  {handoff}, {who} ({curve.certainty}): {rate(fast.rate)} convert {fast.label}, "
                f"{rate(slow.rate)} {slow.label}."
            )
    flat: dict[str, list[str]] = {}
    for curve in report.speed:
        if not curve.matters:
            who = (
                curve.group
                if curve.dimension == "source"
                else report.names.get(curve.group, curve.group)
            )
            flat.setdefault(report.names.get(curve.handoff, curve.handoff), []).append(who)
    for handoff, groups in flat.items():
        lines.append(f"  {handoff}: no effect of speed for {', '.join(groups)}.")
    return lines or ["  Not enough converted records to tell where speed matters."]


def advice_lines(report: InsightReport) -> list[str]:
    return [
        f"  {a.action}: {a.change[0].upper()}{a.change[1:]}: {a.effect}." for a in report.advice
    ]


def what_if_lines(run: WhatIf) -> list[str]:
    before, after = run.before, run.after
    conversion = (
        ""
        if before.conversion is None or after.conversion is None
        else f"; estimated conversion {before.conversion:.1%} -> {after.conversion:.1%}"
    )
    return [
        run.sentence,
        f"  Clocks replayed: {before.clocks:,} started {period_text(run.period)}.",
        f"  Late clocks {before.violations:,} -> {after.violations:,}; alerts "
        f"{before.alerts.total:,} -> {after.alerts.total:,} (warnings {before.alerts.warnings:,}"
        f" -> {after.alerts.warnings:,}, late notices {before.alerts.breaches:,} -> "
        f"{after.alerts.breaches:,}, escalations {before.alerts.escalations:,} -> "
        f"{after.alerts.escalations:,}){conversion}.",
    ]


def report_lines(report: InsightReport) -> list[str]:
    """The whole report as text sections."""
    lines = [f"SLA insights for clocks started {period_text(report.period)}", ""]
    lines += ["Causes of late clocks", *findings_lines(report), ""]
    lines.append("Handoffs")
    for h in report.handoffs:
        lines.append(
            f"  {h.name}: {rate(h.adherence)} on time, {h.violations:,} late of {h.judged:,} "
            f"decided clocks, {money(h.breached_value)} late"
        )
    lines += ["", "Revenue"]
    lines.append(
        f"  Value of records with late clocks {money(report.revenue.breached_value)}; open "
        f"clocks at risk or late hold {money(report.revenue.at_stake_value)} (distinct records)."
    )
    for entry in report.revenue.handoffs:
        if entry.bands:
            bands = ", ".join(f"{b.label} {rate(b.rate)} (n={b.clocks:,})" for b in entry.bands)
            lines.append(f"  {report.names.get(entry.handoff, entry.handoff)}: {bands}")
    lines += ["", f"Where speed matters (conversion to {report.revenue.outcome_event})"]
    lines += speed_lines(report)
    if report.advice:
        lines += ["", "Suggestions", *advice_lines(report)]
    lines += ["", "Alerts"]
    lines.append(
        f"  {rate(report.backtest.precision)} of warnings were followed by a late clock; "
        f"{rate(report.backtest.in_time)} of late clocks were warned in time."
    )
    if report.quality is not None:
        lines.append("  " + describe_quality(report.quality))
    elif report.model_problem:
        lines.append("  " + predictor_problem(report.model_problem))
    lines += ["", "Quarterly review"]
    for line in report.review:
        trend = "" if line.trend_points is None else f", trend {line.trend_points:+.1f} pts/month"
        lines.append(
            f"  {line.handoff_name} (target {line.target}): {rate(line.adherence)} on time of "
            f"{line.clocks:,}{trend}. {line.suggestion}"
        )
    return lines


__all__ = [
    "advice_lines",
    "findings_lines",
    "predictor_problem",
    "report_lines",
    "speed_lines",
    "what_if_lines",
]
