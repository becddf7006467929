"""Background work of the Insights screen, and the breach-risk column for the live table."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime

from slaapp.engine.insights.analyze import InsightReport, analyze
from slaapp.engine.insights.frame import Frame, build_frame
from slaapp.engine.insights.inputs import Period
from slaapp.engine.insights.prompt import analysis_prompt
from slaapp.engine.insights.whatif import Change, WhatIf, what_if
from slaapp.services.database import Database
from slaapp.services.insights import InsightData, load_insight_data


@dataclass(frozen=True, eq=False)
class InsightsResult:
    """What the screen shows: the report of the chosen period and last month's health report."""

    data: InsightData
    frame: Frame
    report: InsightReport
    monthly: InsightReport
    month: str
    prompt: str


def last_full_month(as_of: int) -> tuple[Period, str]:
    """The calendar month (UTC) before the one holding `as_of`, and its name."""
    today = datetime.fromtimestamp(as_of, UTC).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    first = date(year, month, 1)
    last_day = calendar.monthrange(year, month)[1]
    start = int(datetime(year, month, 1, tzinfo=UTC).timestamp())
    return Period(start, start + last_day * 86400), first.strftime("%B %Y")


def load_insights(
    database: Database, period: Period, threshold: float, as_of: int
) -> InsightsResult | None:
    """One unit of work: read the history, then analyse the period and last month."""
    data = load_insight_data(database, as_of)
    if data is None:
        return None
    frame = build_frame(data.inputs)
    report = analyze(data.inputs, period, threshold, frame=frame)
    month_period, month = last_full_month(as_of)
    monthly = analyze(data.inputs, month_period, threshold, with_suggestions=False, frame=frame)
    return InsightsResult(data, frame, report, monthly, month, analysis_prompt(monthly))


def run_what_if(frame: Frame, changes: tuple[Change, ...], period: Period) -> WhatIf:
    return what_if(frame, changes, period)
