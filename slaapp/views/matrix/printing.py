"""The matrix as a one-page agreement (PDF or PNG) for the meeting where teams sign it off."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import (
    QColor,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from slaapp.engine.matrix_draft import calendar_label, describe_cell, events_words
from slaapp.views.common.i18n import tr


def matrix_html(doc: dict[str, Any], title: str, signoffs: tuple[str, ...]) -> str:
    """An HTML table of handoffs x segments with each handoff's terms and sign-off lines."""
    segments = [s for s in doc.get("segments", []) if isinstance(s, dict)]
    handoffs = [h for h in doc.get("handoffs", []) if isinstance(h, dict)]
    head = "".join(f"<th>{escape(str(s.get('name', s.get('key'))))}</th>" for s in segments)
    rows = []
    for i, handoff in enumerate(handoffs):
        cells = []
        for segment in segments:
            cell = describe_cell(doc, i, str(segment.get("key")))
            text = "—" if cell is None else cell.line().replace("\n", " · ")
            style = ' style="color:#888;font-style:italic"' if cell and cell.falls_back else ""
            cells.append(f"<td{style}>{escape(text)}</td>")
        label = (
            f"<b>{escape(str(handoff.get('name', '')))}</b><br>"
            f"<small>{escape(str(handoff.get('team', '')))}: {escape(str(handoff.get('start')))}"
            f" → {escape(events_words(handoff.get('stop')))}</small>"
        )
        rows.append(f"<tr><td>{label}</td>{''.join(cells)}</tr>")
    terms = []
    for handoff in handoffs:
        ladder = "; ".join(
            tr("at {share:.0%} notify {who} by {channels}").format(
                share=float(step.get("at", 1)),
                who=", ".join(step.get("notify", [])),
                channels=", ".join(step.get("channels", [])),
            )
            + (tr(" and reassign") if step.get("reassign") else "")
            for step in handoff.get("escalation", []) or []
            if isinstance(step, dict)
        )
        warn = ", ".join(
            f"{float(w):.0%}"
            for w in handoff.get("warn_at", []) or []
            if isinstance(w, int | float)
        )
        required = ", ".join((handoff.get("quality") or {}).get("required", []))
        terms.append(
            f"<li><b>{escape(str(handoff.get('name', '')))}</b>: "
            + tr("warnings at {warn}; escalation {ladder}").format(
                warn=warn or "—", ladder=escape(ladder) or "—"
            )
            + (
                tr("; required fields: {fields}").format(fields=escape(required))
                if required
                else ""
            )
            + "</li>"
        )
    calendars = ", ".join(
        f"{escape(calendar_label(k, v))} ({escape(str(v.get('timezone', 'UTC')))})"
        for k, v in (doc.get("calendars") or {}).items()
        if isinstance(v, dict)
    )
    matrix_terms = ""
    if doc.get("business_timezone"):
        zone = escape(str(doc["business_timezone"]))
        matrix_terms += tr(" Periods, charts and sheets use the time zone {zone}.").format(
            zone=zone
        )
    if doc.get("conversion"):
        matrix_terms += tr(" A record converts at {events}.").format(
            events=escape(events_words(doc["conversion"]))
        )
    blank_leads = (tr("Sales lead"), tr("Marketing lead"), tr("CS lead"))
    signed = "".join(
        f"<td>{escape(name)}<br><br>______________________</td>" for name in signoffs
    ) or "".join(f"<td>{escape(name)}<br><br>______________</td>" for name in blank_leads)
    heading = escape(str(doc.get("name", tr("SLA matrix"))))
    terms_text = tr("Times count in each rule's business calendar: {calendars}.").format(
        calendars=calendars
    )
    handoff, warnings, signed_off = tr("Handoff"), tr("Warnings and escalations"), tr("Signed off")
    return f"""
<html><body style="font-family: sans-serif; font-size: 10pt">
<h2>{heading}</h2>
<p>{escape(title)}. {terms_text}{matrix_terms}</p>
<table border="1" cellspacing="0" cellpadding="5" width="100%" style="border-collapse: collapse">
<tr style="background:#eef1f5"><th>{handoff}</th>{head}</tr>
{"".join(rows)}
</table>
<h3>{warnings}</h3><ul>{"".join(terms)}</ul>
<h3>{signed_off}</h3><table cellpadding="8"><tr>{signed}</tr></table>
</body></html>"""


def export_pdf(html: str, path: Path) -> None:
    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(110)
    document = QTextDocument()
    document.setHtml(html)
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    document.print_(writer)


def export_png(html: str, path: Path, width: int = 1600) -> None:
    document = QTextDocument()
    document.setHtml(html)
    document.setTextWidth(width)
    size = document.size().toSize()
    image = QImage(size.width(), size.height(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    if not image.save(str(path)):
        raise OSError(tr("{path}: the image could not be written").format(path=path))
