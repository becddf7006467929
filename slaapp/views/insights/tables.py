"""Columns of the Insights tables: root causes, handoff health, predictor backtest, target review."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from slaapp.engine.durations import HOURS_ONLY, describe_duration
from slaapp.engine.insights.backtest import HandoffBacktest
from slaapp.engine.insights.health import HandoffHealth, RootCause
from slaapp.engine.insights.suggest import ReviewLine
from slaapp.engine.insights.text import money, rate
from slaapp.views.common.table_model import Column

KINDS = {
    "capacity": "Capacity",
    "individual": "Individual",
    "data": "Data",
    "target": "Target",
}
KIND_TIPS = {
    "capacity": "Hours of a weekday (week after week) or a single day on which a team is late "
    "far more often than in its other working time: too much work for the people on duty",
    "individual": "A person clearly slower than the rest of the team in its normal work "
    "(capacity blocks and days left out)",
    "data": "Records of a source that arrive without an attribute the matrix or reps need",
    "target": "What remains late outside capacity blocks and days and slow people",
}


def _whole(value: float) -> str:
    return f"{value:,.0f}"


CAUSE_COLUMNS: tuple[Column[RootCause], ...] = (
    Column("Kind", lambda c: KINDS.get(c.kind, c.kind), lambda c: KIND_TIPS.get(c.kind, "")),
    Column("Finding", lambda c: c.title, lambda c: f"{c.title}. {c.detail}."),
    Column("Late clocks explained", lambda c: c.excess_breaches, numeric=True, display=_whole,
           header_tooltip="Late clocks beyond what the comparison group would have had"),
    Column("Clocks", lambda c: c.clocks, numeric=True,
           header_tooltip="Sample size: decided clocks behind the finding"),
    Column("Numbers", lambda c: c.detail, lambda c: c.detail),
    Column("How sure", lambda c: c.certainty, lambda c: c.how_sure,
           header_tooltip="very likely, likely or possible; hover a cell for the numbers"),
)  # fmt: skip

HANDOFF_COLUMNS: tuple[Column[HandoffHealth], ...] = (
    Column("Handoff", lambda h: h.name, lambda h: h.name),
    Column("On time", lambda h: h.adherence, numeric=True, display=rate,
           header_tooltip="Clocks on time among decided clocks (on time or late)"),
    Column("Late", lambda h: h.violations, numeric=True),
    Column("Decided", lambda h: h.judged, numeric=True),
    Column("Value late", lambda h: h.breached_value, numeric=True, display=money,
           header_tooltip="Amount of the distinct records behind the late clocks"),
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
    return (
        f"{t.breaches_warned_in_time:,} of {t.breaches:,} late clocks were warned with at least "
        f"the typical response time ({describe_duration(t.typical_response_seconds, HOURS_ONLY)}) left"
    )


BACKTEST_COLUMNS: tuple[Column[BacktestRow], ...] = (
    Column("Handoff", lambda b: b.name, lambda b: b.name),
    Column("First warning", lambda b: "none" if b.test.warn_level is None
           else f"at {b.test.warn_level:.0%}", numeric=True),
    Column("Warnings", lambda b: b.test.warned, numeric=True),
    Column("Followed by a late clock", lambda b: b.test.precision,
           lambda b: f"{b.test.warned_then_breached:,} of {b.test.warned:,} warned clocks were late",
           numeric=True, display=rate),
    Column("Late clocks", lambda b: b.test.breaches, numeric=True),
    Column("Warned in time", lambda b: b.test.in_time, _in_time_tip, numeric=True, display=rate),
)  # fmt: skip

REVIEW_COLUMNS: tuple[Column[ReviewLine], ...] = (
    Column("Handoff", lambda r: r.handoff_name, lambda r: r.handoff_name),
    Column("Target", lambda r: r.target, numeric=True, header_tooltip="The default rule's target"),
    Column("On time", lambda r: r.adherence, numeric=True, display=rate),
    Column("Trend", lambda r: "" if r.trend_points is None else f"{r.trend_points:+.1f} pts/mo",
           lambda r: ", ".join(f"{m}: {rate(v)}" for m, v in r.monthly), numeric=True),
    Column("Suggestion", lambda r: r.suggestion, lambda r: r.suggestion),
)  # fmt: skip
