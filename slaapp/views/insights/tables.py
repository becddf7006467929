"""Columns of the Insights tables: root causes, handoff health, predictor backtest, target review."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QT_TR_NOOP

from slaapp.engine.durations import HOURS_ONLY, describe_duration
from slaapp.engine.insights.backtest import HandoffBacktest
from slaapp.engine.insights.health import HandoffHealth, RootCause
from slaapp.engine.insights.suggest import ReviewLine
from slaapp.engine.insights.text import money, rate
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.common.table_model import Column

# Headers and the texts of these tables are marked with QT_TR_NOOP and translated where shown
# (i18n.translated / tr_marked): the screens build their models with `translated(...)`.
KINDS = {
    "capacity": QT_TR_NOOP("Capacity"),
    "individual": QT_TR_NOOP("Individual"),
    "data": QT_TR_NOOP("Data"),
    "target": QT_TR_NOOP("Target"),
}
KIND_TIPS = {
    "capacity": QT_TR_NOOP(
        "Hours of a weekday (week after week) or a single day on which a team is late "
        "far more often than in its other working time: too much work for the people on duty"
    ),
    "individual": QT_TR_NOOP(
        "A person clearly slower than the rest of the team in its normal work "
        "(capacity blocks and days left out)"
    ),
    "data": QT_TR_NOOP(
        "Records of a source that arrive without an attribute the matrix or reps need"
    ),
    "target": QT_TR_NOOP("What remains late outside capacity blocks and days and slow people"),
}


def _whole(value: float) -> str:
    return f"{value:,.0f}"


CAUSE_COLUMNS: tuple[Column[RootCause], ...] = (
    Column(QT_TR_NOOP("Kind"), lambda c: tr_marked(KINDS.get(c.kind, c.kind)),
           lambda c: tr_marked(KIND_TIPS.get(c.kind, ""))),
    Column(QT_TR_NOOP("Finding"), lambda c: c.title, lambda c: f"{c.title}. {c.detail}."),
    Column(QT_TR_NOOP("Late clocks explained"), lambda c: c.excess_breaches, numeric=True,
           display=_whole,
           header_tooltip=QT_TR_NOOP("Late clocks beyond what the comparison group would have had")),
    Column(QT_TR_NOOP("Clocks"), lambda c: c.clocks, numeric=True,
           header_tooltip=QT_TR_NOOP("Sample size: decided clocks behind the finding")),
    Column(QT_TR_NOOP("Numbers"), lambda c: c.detail, lambda c: c.detail),
    Column(QT_TR_NOOP("How sure"), lambda c: c.certainty, lambda c: c.how_sure,
           header_tooltip=QT_TR_NOOP(
               "very likely, likely or possible; hover a cell for the numbers")),
)  # fmt: skip

HANDOFF_COLUMNS: tuple[Column[HandoffHealth], ...] = (
    Column(QT_TR_NOOP("Handoff"), lambda h: h.name, lambda h: h.name),
    Column(QT_TR_NOOP("On time"), lambda h: h.adherence, numeric=True, display=rate,
           header_tooltip=QT_TR_NOOP("Clocks on time among decided clocks (on time or late)")),
    Column(QT_TR_NOOP("Late"), lambda h: h.violations, numeric=True),
    Column(QT_TR_NOOP("Decided"), lambda h: h.judged, numeric=True),
    Column(QT_TR_NOOP("Value late"), lambda h: h.breached_value, numeric=True, display=money,
           header_tooltip=QT_TR_NOOP("Amount of the distinct records behind the late clocks")),
)  # fmt: skip


@dataclass(frozen=True)
class BacktestRow:
    """A handoff's backtest with the handoff's name."""

    name: str
    test: HandoffBacktest


def backtest_rows(tests: Iterable[HandoffBacktest], names: Mapping[str, str]) -> list[BacktestRow]:
    return [BacktestRow(names.get(t.handoff, t.handoff), t) for t in tests]


def _in_time_tip(row: BacktestRow) -> str:
    t = row.test
    return tr(
        "{warned:,} of {late:,} late clocks were warned with at least "
        "the typical response time ({typical}) left"
    ).format(
        warned=t.breaches_warned_in_time,
        late=t.breaches,
        typical=describe_duration(t.typical_response_seconds, HOURS_ONLY),
    )


def _first_warning(row: BacktestRow) -> str:
    level = row.test.warn_level
    return tr("none") if level is None else tr("at {share:.0%}").format(share=level)


def _trend(line: ReviewLine) -> str:
    points = line.trend_points
    return "" if points is None else tr("{points:+.1f} pts/mo").format(points=points)


BACKTEST_COLUMNS: tuple[Column[BacktestRow], ...] = (
    Column(QT_TR_NOOP("Handoff"), lambda b: b.name, lambda b: b.name),
    Column(QT_TR_NOOP("First warning"), _first_warning, numeric=True),
    Column(QT_TR_NOOP("Warnings"), lambda b: b.test.warned, numeric=True),
    Column(QT_TR_NOOP("Followed by a late clock"), lambda b: b.test.precision,
           lambda b: tr("{late:,} of {warned:,} warned clocks were late").format(
               late=b.test.warned_then_breached, warned=b.test.warned),
           numeric=True, display=rate),
    Column(QT_TR_NOOP("Late clocks"), lambda b: b.test.breaches, numeric=True),
    Column(QT_TR_NOOP("Warned in time"), lambda b: b.test.in_time, _in_time_tip, numeric=True,
           display=rate),
)  # fmt: skip

REVIEW_COLUMNS: tuple[Column[ReviewLine], ...] = (
    Column(QT_TR_NOOP("Handoff"), lambda r: r.handoff_name, lambda r: r.handoff_name),
    Column(QT_TR_NOOP("Target"), lambda r: r.target, numeric=True,
           header_tooltip=QT_TR_NOOP("The default rule's target")),
    Column(QT_TR_NOOP("On time"), lambda r: r.adherence, numeric=True, display=rate),
    Column(QT_TR_NOOP("Trend"), _trend,
           lambda r: ", ".join(f"{m}: {rate(v)}" for m, v in r.monthly), numeric=True),
    Column(QT_TR_NOOP("Suggestion"), lambda r: r.suggestion, lambda r: r.suggestion),
)  # fmt: skip
