"""Background work of the Insights screen, and the breach-risk column for the live table."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime

from slaapp.engine.collector import collector_paused
from slaapp.engine.display_time import show_instant
from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.frame import Frame, build_frame
from slaapp.engine.insights.inputs import Period
from slaapp.engine.insights.prompt import analysis_prompt
from slaapp.engine.insights.whatif import Change, WhatIf, what_if
from slaapp.services.database import Database
from slaapp.services.insights import (
    InsightData,
    InsightPeriod,
    insight_period,
    insight_report,
    insight_zone,
    judge_until,
    load_insight_data,
)
from slaapp.views.common.i18n import tr


@dataclass(frozen=True, eq=False)
class InsightsResult:
    """What the screen shows: the report of the chosen period and last month's health report."""

    data: InsightData
    frame: Frame
    report: InsightReport
    monthly: InsightReport
    month: str
    prompt: str
    chosen: InsightPeriod | None = None  # the days analysed, in the business zone
    started: int = 0  # clocks started in the period

    def status_words(self) -> str:
        """What the screen says above the figures: the period, its zone, or where data lies."""
        chosen = self.chosen
        if chosen is None:
            return ""
        if not self.started:
            return chosen.empty_words(flags=False).capitalize() + tr(": pick those dates.")
        judged = show_instant(self.report.as_of, chosen.zone, year=True, weekday=False)
        if chosen.moved:
            return tr(
                "Clocks started {period} (no clocks in the last days: showing the data's own "
                "range), judged at {time}."
            ).format(period=chosen.words(), time=judged)
        return tr("Clocks started {period}, judged at {time}.").format(
            period=chosen.words(), time=judged
        )


def last_full_month(as_of: int) -> tuple[Period, str]:
    """The calendar month (UTC) before the one holding `as_of`, and its name."""
    today = datetime.fromtimestamp(as_of, UTC).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    first = date(year, month, 1)
    last_day = calendar.monthrange(year, month)[1]
    start = int(datetime(year, month, 1, tzinfo=UTC).timestamp())
    return Period(start, start + last_day * 86400), first.strftime("%B %Y")


def load_insights(
    database: Database,
    days: tuple[date, date] | None,
    threshold: float,
    as_of: int,
    judge_day: date | None = None,
) -> InsightsResult | None:
    """One unit of work: read the history, then analyse the period and last month (run on a
    worker, the garbage collector paused: see `collector_paused`).

    `days` are the first and last local day in the business zone; None asks for the default
    period (the last days, or the data's own range when its newest clock is older). Clocks
    are judged at the period's end or `as_of`, whichever is earlier; `judge_day` moves `as_of`
    back to the end of that local day.
    """
    with collector_paused():
        return _load_insights(database, days, threshold, as_of, judge_day)


def _load_insights(
    database: Database,
    days: tuple[date, date] | None,
    threshold: float,
    as_of: int,
    judge_day: date | None,
) -> InsightsResult | None:
    try:
        zone = insight_zone(database)
    except LookupError:
        return None
    as_of = judge_until(as_of, judge_day, zone)
    first, last = days if days is not None else (None, None)
    chosen = insight_period(database, zone, as_of, first, last)
    period = chosen.period
    data = load_insight_data(database, chosen.judged_at(as_of))
    if data is None:
        return None
    frame = build_frame(data.inputs)
    report = insight_report(data, period, threshold, frame=frame)
    month_period, month = last_full_month(chosen.judged_at(as_of))  # old data: its last month
    monthly = insight_report(data, month_period, threshold, with_suggestions=False, frame=frame)
    started = int(period.contains(data.inputs.clocks.started_at).sum())
    return InsightsResult(
        data, frame, report, monthly, month, analysis_prompt(monthly), chosen, started
    )


def run_what_if(frame: Frame, changes: tuple[Change, ...], period: Period) -> WhatIf:
    return what_if(frame, changes, period)
