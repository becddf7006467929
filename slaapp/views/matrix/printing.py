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
            f"at {float(step.get('at', 1)):.0%} notify {', '.join(step.get('notify', []))}"
            f" by {', '.join(step.get('channels', []))}"
            + (" and reassign" if step.get("reassign") else "")
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
            f"<li><b>{escape(str(handoff.get('name', '')))}</b>: warnings at {warn or '—'}; "
            f"escalation {escape(ladder) or '—'}"
            + (f"; required fields: {escape(required)}" if required else "")
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
        matrix_terms += f" Periods, charts and sheets use the time zone {zone}."
    if doc.get("conversion"):
        matrix_terms += f" A record converts at {escape(events_words(doc['conversion']))}."
    signed = (
        "".join(f"<td>{escape(name)}<br><br>______________________</td>" for name in signoffs)
        or "<td>Sales lead<br><br>______________</td><td>Marketing lead<br><br>______________</td><td>CS lead<br><br>______________</td>"
    )
    return f"""
<html><body style="font-family: sans-serif; font-size: 10pt">
<h2>{escape(str(doc.get("name", "SLA matrix")))}</h2>
<p>{escape(title)}. Times count in each rule's business calendar: {calendars}.{matrix_terms}</p>
<table border="1" cellspacing="0" cellpadding="5" width="100%" style="border-collapse: collapse">
<tr style="background:#eef1f5"><th>Handoff</th>{head}</tr>
{"".join(rows)}
</table>
<h3>Warnings and escalations</h3><ul>{"".join(terms)}</ul>
<h3>Signed off</h3><table cellpadding="8"><tr>{signed}</tr></table>
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
        raise OSError(f"{path}: the image could not be written")
