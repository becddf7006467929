"""The analysis prompt: the period's aggregated violation data, ready for an AI assistant."""

from __future__ import annotations

from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.predict import describe_quality
from slaapp.engine.insights.text import money, period_text, rate


def analysis_prompt(report: InsightReport) -> str:
    """Plain text holding only aggregates (no record names), with the questions to answer."""
    lines = [
        "You are a revenue operations analyst. Below are aggregated SLA figures for the "
        f"handoffs of a revenue team, for clocks started {period_text(report.period)}.",
        "Explain in plain words where and why SLAs slip, separate capacity problems from "
        "individual ones, weigh them by revenue, and propose at most five concrete actions "
        "(staffing, routing, targets, data capture), each with the figure it should move.",
        "",
        "## Handoffs (clocks, late, on time, value of records with late clocks)",
    ]
    for h in report.handoffs:
        lines.append(
            f"- {h.name}: {h.clocks:,} clocks, {h.violations:,} late, "
            f"{rate(h.adherence)} on time, {money(h.breached_value)} late"
        )
    lines += ["", "## Causes of late clocks, ranked by the late clocks they explain"]
    if not report.causes:
        lines.append("- none found")
    for cause in report.causes:
        lines.append(
            f"- [{cause.kind}, {cause.certainty}] {cause.title}: {cause.detail} "
            f"(about {cause.excess_breaches:,.0f} late clocks more than expected; how sure: "
            f"{cause.how_sure})"
        )
    lines += ["", "## Conversion by response time (share reaching "
              f"{report.revenue.outcome_event})"]  # fmt: skip
    for money_line in report.revenue.handoffs:
        if money_line.bands:
            bands = "; ".join(f"{b.label} {rate(b.rate)} of {b.clocks:,}" for b in money_line.bands)
            lines.append(f"- {report.names.get(money_line.handoff, money_line.handoff)}: {bands}")
    lines.append(
        f"- value of open clocks at risk or late (distinct records): {money(report.revenue.at_stake_value)}"
    )
    lines += ["", "## Alerts"]
    lines.append(
        f"- warnings followed by a late clock: {rate(report.backtest.precision)}; "
        f"late clocks warned in time: {rate(report.backtest.in_time)}"
    )
    if report.quality is not None:
        lines.append(f"- {describe_quality(report.quality)}")
    suggestions = [s for s in report.suggestions if s.chosen is not None]
    if suggestions:
        lines += ["", "## Target changes replayed on this period"]
        lines += [f"- {s.chosen.sentence}" for s in suggestions if s.chosen is not None]
    return "\n".join(lines) + "\n"
