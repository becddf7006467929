"""The insight report in plain words: the sections the CLI prints and the screen shows."""

from __future__ import annotations

from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.predict import describe_quality
from slaapp.engine.insights.text import money, period_text, rate
from slaapp.engine.insights.whatif import WhatIf


def findings_lines(report: InsightReport) -> list[str]:
    """Root causes, largest first, each with its numbers and sample sizes."""
    if not report.causes:
        return ["No root causes stand out: no team-day passes the capacity threshold, no rep "
                "is significantly slower than the team, and no source arrives without data."]  # fmt: skip
    return [
        f"{i}. {c.title}. {c.detail}. About {c.excess_breaches:,.0f} breaches more than expected."
        for i, c in enumerate(report.causes, start=1)
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
        f"  Violations {before.violations:,} -> {after.violations:,}; alerts "
        f"{before.alerts.total:,} -> {after.alerts.total:,} (warnings {before.alerts.warnings:,}"
        f" -> {after.alerts.warnings:,}, breaches {before.alerts.breaches:,} -> "
        f"{after.alerts.breaches:,}, escalations {before.alerts.escalations:,} -> "
        f"{after.alerts.escalations:,}){conversion}.",
    ]


def report_lines(report: InsightReport) -> list[str]:
    """The whole report as text sections."""
    lines = [f"SLA insights for clocks started {period_text(report.period)}", ""]
    lines += ["Root causes", *findings_lines(report), ""]
    lines.append("Handoffs")
    for h in report.handoffs:
        lines.append(
            f"  {h.name}: {rate(h.adherence)} on time, {h.violations:,} late of {h.judged:,} "
            f"decided clocks, {money(h.breached_value)} breached"
        )
    lines += ["", "Revenue"]
    lines.append(
        f"  Breached value {money(report.revenue.breached_value)}; open clocks at risk or "
        f"breached hold {money(report.revenue.at_stake_value)}."
    )
    for entry in report.revenue.handoffs:
        if entry.bands:
            bands = ", ".join(f"{b.label} {rate(b.rate)} (n={b.clocks:,})" for b in entry.bands)
            lines.append(f"  {report.names.get(entry.handoff, entry.handoff)}: {bands}")
    lines += ["", "Alerts"]
    lines.append(
        f"  {rate(report.backtest.precision)} of warnings were followed by a breach; "
        f"{rate(report.backtest.in_time)} of breaches were warned in time."
    )
    if report.quality is not None:
        lines.append("  " + describe_quality(report.quality))
    elif report.model_problem:
        lines.append(f"  No breach predictor: {report.model_problem}.")
    lines += ["", "Quarterly review"]
    for line in report.review:
        trend = "" if line.trend_points is None else f", trend {line.trend_points:+.1f} pts/month"
        lines.append(
            f"  {line.handoff_name} (target {line.target}): {rate(line.adherence)} on time of "
            f"{line.clocks:,}{trend}. {line.suggestion}"
        )
    return lines


__all__ = ["findings_lines", "report_lines", "what_if_lines"]
