"""The Definitions sheet: the SLA matrix, its calendars and how each figure is computed."""

from __future__ import annotations

import math

from slaapp.reports.cells import is_formula_like, safe_text
from slaapp.reports.workbook_sheet import SheetColumn, SheetContext, SheetWriter
from slaapp.reports.workbook_style import ACCENT, ADHERENCE_GOOD, ADHERENCE_WARN


def write_definitions(context: SheetContext) -> None:
    data = context.data
    sheet = SheetWriter(context, "Definitions")
    ws = sheet.ws
    sheet.title("Definitions", f"How the figures of this workbook are computed · {data.scope}")
    heading = context.styles.get(bold=True, size=13, colour=ACCENT)
    label = context.styles.get(bold=True, valign="top")
    wrap = context.styles.get(wrap=True, valign="top")
    label_quoted = context.styles.get(bold=True, valign="top", quote=True)
    wrap_quoted = context.styles.get(wrap=True, valign="top", quote=True)
    body_width = 110
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, body_width)

    def pair(row: int, name: str, text: str) -> None:
        name, text = safe_text(name), safe_text(text)
        # Wrapped text: a generous height (a character is rarely wider than a digit).
        lines = sum(max(1, math.ceil(len(part) / (body_width * 1.1))) for part in text.split("\n"))
        if lines > 1:
            ws.set_row(row, 15 * lines + 3)
        ws.write_string(row, 0, name, label_quoted if is_formula_like(name) else label)
        ws.write_string(row, 1, text, wrap_quoted if is_formula_like(text) else wrap)

    row = 3
    ws.set_row(row, 22)
    ws.write_string(row, 0, "SLA matrix", heading)
    row += 1
    for name, text in (
        ("Matrix", data.matrix_name),
        ("Version in force", f"{data.matrix_version}"),
        ("Period", f"{context.period}, compared with {context.previous_period}"),
        ("Times shown in", data.timezone),
        (
            "Adherence colours",
            f"Green at or above {ADHERENCE_GOOD:.0%}, yellow at or above {ADHERENCE_WARN:.0%}, "
            f"red below {ADHERENCE_WARN:.0%}.",
        ),
        (
            "Changes",
            "Percentage points (pp) for rates, hours for response times; green is better, "
            "red is worse (lower is better for response times, breaches and revenue at stake).",
        ),
    ):
        pair(row, name, text)
        row += 1
    row += 1

    def table(
        row: int,
        title: str,
        headers: tuple[str, str],
        pairs: tuple[tuple[str, str], ...],
        empty: str,
    ) -> int:
        """A headed two-column table of (name, text) pairs; returns the row after it."""
        ws.set_row(row, 22)
        ws.write_string(row, 0, title, heading)
        row += 1
        sheet.header(row, (SheetColumn(headers[0], "text"), SheetColumn(headers[1], "text")))
        ws.set_row(row, 20)
        row += 1
        for name, text in pairs or ((("", empty),) if empty else ()):
            pair(row, name, text)
            row += 1
        return row

    row = table(
        row,
        "Calendars",
        ("Calendar", "Hours and holidays"),
        data.calendars,
        "No calendars in the matrix.",
    )
    table(row + 1, "How each figure is computed", ("Figure", "Definition"), data.definitions, "")
    sheet.print_setup(None)
