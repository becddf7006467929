"""The Insights screen's table views, sections and monthly report page."""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.report_text import advice_lines, speed_lines
from slaapp.engine.insights.text import money, period_text, rate
from slaapp.views.common.i18n import tr


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


def monthly_html(report: InsightReport, month: str) -> str:
    """The monthly SLA health report: handoffs and ranked root causes, with their numbers."""
    e = html.escape
    late = sum(h.violations for h in report.handoffs)
    decided = sum(h.judged for h in report.handoffs)
    parts = [
        "<h2>" + tr("SLA health report — {month}").format(month=e(month)) + "</h2>",
        "<p>"
        + tr(
            "Clocks started {period}: <b>{late:,}</b> late of {decided:,} decided ({rate}), "
            "{value} of pipeline behind late clocks."
        ).format(
            period=e(period_text(report.period)),
            late=late,
            decided=decided,
            rate=rate(late / decided if decided else None),
            value=e(money(report.revenue.breached_value)),
        )
        + "</p>",
        "<h3>" + tr("Causes of late clocks, largest first") + "</h3>",
    ]
    if report.causes:
        parts.append("<ol>")
        for cause in report.causes:
            parts.append(
                f"<li><b>{e(cause.title)}</b> ({e(cause.certainty)}) — {e(cause.detail)}"
                + (
                    tr("; about {count:,.0f} late clocks more than expected").format(
                        count=cause.excess_breaches
                    )
                    if cause.excess_breaches >= 1
                    else ""
                )
                + ".</li>"
            )
        parts.append("</ol>")
    else:
        parts.append("<p>" + tr("No cause of late clocks stands out this month.") + "</p>")
    speed = [line.strip() for line in speed_lines(report)]
    parts.append("<h3>" + tr("Where speed matters") + "</h3><ul>")
    parts += [f"<li>{e(line)}</li>" for line in speed]
    parts.append("</ul>")
    if report.advice:
        parts.append("<h3>" + tr("Suggestions") + "</h3><ul>")
        parts += [f"<li>{e(line.strip())}</li>" for line in advice_lines(report)]
        parts.append("</ul>")
    parts.append("<h3>" + tr("Handoffs") + "</h3><table cellpadding='3'>")
    handoff, on_time, late_head, value = tr("Handoff"), tr("On time"), tr("Late"), tr("Value late")
    parts.append(f"<tr><th align='left'>{handoff}</th><th align='right'>{on_time}</th>"
                 f"<th align='right'>{late_head}</th><th align='right'>{value}</th></tr>")  # fmt: skip
    for h in report.handoffs:
        parts.append(
            f"<tr><td>{e(h.name)}</td><td align='right'>{rate(h.adherence)}</td>"
            f"<td align='right'>{h.violations:,}</td>"
            f"<td align='right'>{e(money(h.breached_value))}</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)
