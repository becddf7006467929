"""Loads what the insight functions need (events, clocks, matrices, people) in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from slaapp.engine.insights.analyze import InsightReport, analyze
from slaapp.engine.insights.frame import Frame, build_frame
from slaapp.engine.insights.inputs import InsightInputs, Period
from slaapp.models.database import Database
from slaapp.models.directory import load_people
from slaapp.models.evaluation import load_log, stored_clocks
from slaapp.reports.periods import (
    DataSpan,
    day_bounds,
    follow_data,
    judged_at,
    local_day,
    nothing_words,
)
from slaapp.reports.spans import data_span, period_zone

DEFAULT_DAYS = 90


@dataclass(frozen=True, eq=False)
class InsightData:
    """The inputs with the names users know (handoffs and segments of every version)."""

    inputs: InsightInputs
    names: dict[str, str]


@dataclass(frozen=True)
class InsightPeriod:
    """The local days analysed, in `zone`; `moved` when a default period moved to the data's
    own range because the newest clock is older than it."""

    first: date
    last: date
    zone: str
    span: DataSpan | None
    moved: bool = False

    @property
    def period(self) -> Period:
        return Period(*day_bounds(self.first, self.last, self.zone))

    def judged_at(self, as_of: int) -> int:
        """Clocks of the period are judged at its end or `as_of`, whichever is earlier."""
        return judged_at(self.period.end, as_of)

    def empty_words(self, flags: bool = True) -> str:
        """`no clocks between D and D (zone); the data covers D to D[: use --from D --to D]`."""
        return nothing_words(self.first, self.last, self.zone, self.span, flags)

    def words(self) -> str:
        """`2017-06-01 to 2018-05-31 (America/New_York)`, saying when it follows the data."""
        text = f"{self.first.isoformat()} to {self.last.isoformat()} ({self.zone})"
        return text + (": the data's own range" if self.moved else "")


def insight_zone(database: Database, tz: str | None = None) -> str:
    """`tz`, else the latest matrix's business zone; LookupError before any matrix."""
    return period_zone(database, tz)


def judge_until(as_of: int, judge_day: date | None, zone: str) -> int:
    """`as_of`, or the end of `judge_day` (local in `zone`) when that is earlier."""
    if judge_day is None:
        return as_of
    return min(as_of, day_bounds(judge_day, judge_day, zone)[1])


def insight_period(
    database: Database,
    zone: str,
    as_of: int,
    first: date | None = None,
    last: date | None = None,
    days: int = DEFAULT_DAYS,
) -> InsightPeriod:
    """The days to analyse: the ones given, else the `days` ending on the as-of day, or the
    data's own range when its newest clock is older than that default period."""
    span = data_span(database, zone)
    if first is not None or last is not None:
        end_day = last if last is not None else local_day(as_of, zone)
        start_day = first if first is not None else end_day - timedelta(days=days - 1)
        return InsightPeriod(start_day, end_day, zone, span)
    end_day = local_day(as_of, zone)
    start_day = end_day - timedelta(days=days - 1)
    chosen = follow_data(start_day, end_day, span)
    return InsightPeriod(*chosen, zone, span, moved=chosen != (start_day, end_day))


def load_insight_data(database: Database, as_of: int) -> InsightData | None:
    """Every stored event judged at `as_of`; None while nothing is stored or published yet."""
    with database.session() as session:
        log, pks = load_log(session)
        if len(log) == 0:
            return None
        try:
            result = stored_clocks(session, as_of, loaded=(log, pks))
        except LookupError:
            return None
        people = load_people(session)
    names: dict[str, str] = {}
    for version in result.matrices:
        names |= {s.key: s.name for s in version.matrix.segments}
        names |= {h.key: h.name for h in version.matrix.handoffs}
    inputs = InsightInputs(
        log=log,
        clocks=result.clocks,
        matrix=result.matrices[-1].matrix,
        people=people,
        as_of=as_of,
        record_ids=np.asarray(pks, dtype=np.int64),
    )
    return InsightData(inputs, names)


def insight_report(
    data: InsightData,
    period: Period,
    threshold: float,
    with_suggestions: bool = True,
    frame: Frame | None = None,
) -> InsightReport:
    """The insights of a period (revenue totals count distinct records, DESIGN 7a)."""
    return analyze(
        data.inputs, period, threshold, with_suggestions, frame or build_frame(data.inputs)
    )
