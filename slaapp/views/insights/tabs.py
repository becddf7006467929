"""The Insights screen's tables and report pages, filled from an InsightReport."""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from slaapp.engine.durations import describe_duration
from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.backtest import HandoffBacktest
from slaapp.engine.insights.health import HandoffHealth, RootCause
from slaapp.engine.insights.suggest import ReviewLine
from slaapp.engine.insights.text import money, period_text, rate
from slaapp.views.insights.tables import Column, RowsModel

KINDS = {
    "capacity": "Capacity",
    "individual": "Individual",
    "data": "Data",
    "target": "Target",
}
KIND_TIPS = {
    "capacity": "A team-day whose breach rate passed the capacity threshold: too much work for "
    "the people on duty",
    "individual": "A rep significantly slower than the rest of the team on normal days",
    "data": "Records of a source that arrive without an attribute the matrix or reps need",
    "target": "What remains late outside capacity days and slow reps",
}


def make_table(model: QAbstractItemModel, parent: QWidget, stretch: int = -1) -> QTableView:
    """A read-only table; `stretch` is the column taking the spare width (-1: the last)."""
    table = QTableView(parent)
    table.setModel(model)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if stretch < 0:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    return table


def titled(title: str, body: QWidget, parent: QWidget | None = None) -> QWidget:
    """A section: a bold heading over a widget."""
    box = QWidget(parent)
    heading = QLabel(title)
    font = QFont(heading.font())
    font.setBold(True)
    heading.setFont(font)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 4, 0, 0)
    layout.addWidget(heading)
    layout.addWidget(body, 1)
    return box


def causes_model(parent: QWidget) -> RowsModel[RootCause]:
    return RowsModel(
        [
            Column("Kind", lambda c: KINDS.get(c.kind, c.kind), lambda c: KIND_TIPS.get(c.kind, "")),
            Column("Finding", lambda c: c.title, lambda c: f"{c.title}. {c.detail}."),
            Column("Excess breaches", lambda c: f"{c.excess_breaches:,.0f}", numeric=True,
                   header_tip="Breaches beyond what the comparison group would have had"),
            Column("Clocks", lambda c: f"{c.clocks:,}", numeric=True,
                   header_tip="Sample size: decided clocks behind the finding"),
            Column("Numbers", lambda c: c.detail, lambda c: c.detail),
        ],
        parent,
    )  # fmt: skip


def handoffs_model(parent: QWidget) -> RowsModel[HandoffHealth]:
    return RowsModel(
        [
            Column("Handoff", lambda h: h.name),
            Column("On time", lambda h: rate(h.adherence), numeric=True,
                   header_tip="Met clocks among decided clocks (met, missed, breached)"),
            Column("Late", lambda h: f"{h.violations:,}", numeric=True),
            Column("Decided", lambda h: f"{h.judged:,}", numeric=True),
            Column("Breached value", lambda h: money(h.breached_value), numeric=True,
                   header_tip="Amount of the distinct records behind the late clocks"),
        ],
        parent,
    )  # fmt: skip


def backtest_model(parent: QWidget, names: dict[str, str]) -> RowsModel[HandoffBacktest]:
    return RowsModel(
        [
            Column("Handoff", lambda b: names.get(b.handoff, b.handoff)),
            Column("First warning", lambda b: "none" if b.warn_level is None
                   else f"at {b.warn_level:.0%}", numeric=True),
            Column("Warnings", lambda b: f"{b.warned:,}", numeric=True),
            Column("Followed by a breach", lambda b: rate(b.precision),
                   lambda b: f"{b.warned_then_breached:,} of {b.warned:,} warned clocks breached",
                   numeric=True),
            Column("Breaches", lambda b: f"{b.breaches:,}", numeric=True),
            Column("Warned in time", lambda b: rate(b.in_time),
                   lambda b: f"{b.breaches_warned_in_time:,} of {b.breaches:,} breaches were "
                   f"warned with at least the typical response time "
                   f"({describe_duration(b.typical_response_seconds)}) left",
                   numeric=True),
        ],
        parent,
    )  # fmt: skip


def review_model(parent: QWidget) -> RowsModel[ReviewLine]:
    return RowsModel(
        [
            Column("Handoff", lambda r: r.handoff_name),
            Column("Target", lambda r: r.target, numeric=True,
                   header_tip="The default rule's target"),
            Column("On time", lambda r: rate(r.adherence), numeric=True),
            Column("Trend", lambda r: "" if r.trend_points is None
                   else f"{r.trend_points:+.1f} pts/mo",
                   lambda r: ", ".join(f"{m}: {rate(v)}" for m, v in r.monthly), numeric=True),
            Column("Suggestion", lambda r: r.suggestion, lambda r: r.suggestion),
        ],
        parent,
    )  # fmt: skip


def monthly_html(report: InsightReport, month: str) -> str:
    """The monthly SLA health report: handoffs and ranked root causes, with their numbers."""
    e = html.escape
    late = sum(h.violations for h in report.handoffs)
    decided = sum(h.judged for h in report.handoffs)
    parts = [
        f"<h2>SLA health report — {e(month)}</h2>",
        f"<p>Clocks started {e(period_text(report.period))}: <b>{late:,}</b> late of "
        f"{decided:,} decided ({rate(late / decided if decided else None)}), "
        f"{e(money(report.revenue.breached_value))} of pipeline behind late clocks.</p>",
        "<h3>Root causes, largest first</h3>",
    ]
    if report.causes:
        parts.append("<ol>")
        for cause in report.causes:
            parts.append(
                f"<li><b>{e(cause.title)}</b> — {e(cause.detail)}; about "
                f"{cause.excess_breaches:,.0f} breaches more than expected.</li>"
            )
        parts.append("</ol>")
    else:
        parts.append("<p>No root cause stands out this month.</p>")
    parts.append("<h3>Handoffs</h3><table cellpadding='3'>")
    parts.append("<tr><th align='left'>Handoff</th><th align='right'>On time</th>"
                 "<th align='right'>Late</th><th align='right'>Breached value</th></tr>")  # fmt: skip
    for h in report.handoffs:
        parts.append(
            f"<tr><td>{e(h.name)}</td><td align='right'>{rate(h.adherence)}</td>"
            f"<td align='right'>{h.violations:,}</td>"
            f"<td align='right'>{e(money(h.breached_value))}</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)
