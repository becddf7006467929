"""What the sheets share: the workbook context, column specs and `SheetWriter`, one worksheet."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from slaapp.reports.cells import is_formula_like, safe_text
from slaapp.reports.scorecard import Figures, ScorecardData
from slaapp.reports.workbook_style import (
    ACCENT,
    ADHERENCE_GOOD,
    ADHERENCE_WARN,
    BAD_FILL,
    BAD_FONT,
    BETTER,
    GOOD_FILL,
    GOOD_FONT,
    MUTED,
    WARN_FILL,
    WARN_FONT,
    WORSE,
    WorkbookStyles,
    shown_width,
)
from slaapp.reports.workbook_time import LocalTime, as_hours


class SheetContext:
    """What every sheet of one workbook shares: the book, the data, the formats, local time."""

    def __init__(self, book: Any, data: ScorecardData) -> None:
        self.book = book
        self.data = data
        self.styles = WorkbookStyles(book)
        self.time = LocalTime(data.timezone)
        self.period = self.time.span(data.start, data.end)
        self.previous_period = self.time.span(data.previous_start, data.start)
        self.a4 = not data.timezone.startswith("America/")
        self.handoff_names = {h.key: h.name for h in data.handoffs}

    def page_header(self, sheet: str) -> str:
        title = _header_text(f"{self.data.title} – {self.data.scope}", 90)
        return f'&L&"-,Bold"{title}&C{_header_text(sheet, 40)}&R{_header_text(self.period, 60)}'

    def page_footer(self) -> str:
        generated = _header_text(self.time.moment(self.data.generated_at), 40)
        return f"&Lslaapp · generated {generated} ({_header_text(self.data.timezone, 40)})&RPage &P of &N"

    def subtitle(self) -> str:
        return (
            f"{self.data.scope} · {self.period} · compared with {self.previous_period} · "
            f"times in {self.data.timezone}"
        )


@dataclass(frozen=True)
class SheetColumn:
    header: str
    kind: str
    min_width: float = 8.0
    max_width: float = 48.0
    indent: int = 0  # text right after a number column is indented so the two do not touch


class SheetWriter:
    """One worksheet written top to bottom (constant_memory needs row order), fitting widths."""

    def __init__(self, context: SheetContext, name: str) -> None:
        self.context = context
        self.name = name
        self.ws = context.book.add_worksheet(name)
        self.styles = context.styles
        self.widths: dict[int, float] = {}  # characters of the widest value per column
        self.final: dict[int, float] = {}  # column widths as set

    def fit(self, col: int, width: float) -> None:
        if width > self.widths.get(col, 0.0):
            self.widths[col] = width

    def text(self, row: int, col: int, value: object, **look: Any) -> None:
        text = safe_text(value)
        if is_formula_like(text):
            look["quote"] = True
        self.ws.write_string(row, col, text, self.styles.get("text", **look))
        longest = max((len(part) for part in text.splitlines()), default=0)
        scale = 1.25 if look.get("bold") else 1.1  # proportional text is wider than digits
        self.fit(col, longest * scale + look.get("indent", 0) * 1.5)

    def number(self, row: int, col: int, value: float | None, kind: str, **look: Any) -> None:
        fmt = self.styles.get(kind, **look)
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            self.ws.write_blank(row, col, None, fmt)
            return
        self.ws.write_number(row, col, value, fmt)
        self.fit(col, shown_width(value, kind) * (1.1 if look.get("bold") else 1.0))

    def value(self, row: int, col: int, value: object, kind: str, **look: Any) -> None:
        if kind == "text":
            self.text(row, col, value, **look)
        else:
            self.number(row, col, value, kind, **look)  # type: ignore[arg-type]

    def row(
        self, row: int, cols: Sequence[SheetColumn], values: Sequence[object], **look: Any
    ) -> None:
        for col, (spec, value) in enumerate(zip(cols, values, strict=True)):
            self.value(row, col, value, spec.kind, **look)

    def header(self, row: int, cols: Sequence[SheetColumn], first_col: int = 0) -> None:
        for offset, spec in enumerate(cols):
            col = first_col + offset
            self.ws.write_string(
                row, col, safe_text(spec.header), self.styles.header(spec.kind, spec.indent)
            )
            words = spec.header.split()
            # A header may wrap onto two lines: its longest word, or half of it, must fit.
            need = max(max((len(w) for w in words), default=0), math.ceil(len(spec.header) / 2))
            self.fit(col, need * 1.3)
        self.ws.set_row(row, 32 if any(len(c.header) > 12 for c in cols) else 20)

    def title(self, heading: str, subtitle: str) -> None:
        self.ws.set_row(0, 26)
        self.ws.write_string(
            0, 0, safe_text(heading), self.styles.get(bold=True, size=16, colour=ACCENT)
        )
        self.ws.set_row(1, 20)
        self.ws.write_string(1, 0, safe_text(subtitle), self.styles.get(colour=MUTED, valign="top"))

    def apply_widths(
        self, cols: Sequence[SheetColumn] | None = None, limits: dict[int, float] | None = None
    ) -> None:
        for col, width in self.widths.items():
            low, high = 4.0, 60.0
            if cols is not None and col < len(cols):
                low, high = cols[col].min_width, cols[col].max_width
            if limits and col in limits:
                high = limits[col]
            self.final[col] = min(max(width + 2, low), high)
            self.ws.set_column(col, col, self.final[col])

    def column_pixels(self, first: int, last: int) -> int:
        """Width in pixels of columns first..last as set by apply_widths (Calibri 11)."""
        return sum(int(self.final.get(col, 8.43) * 7 + 0.5) + 5 for col in range(first, last + 1))

    def print_setup(self, header_row: int | None, *, one_page: bool = False) -> None:
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(9 if self.context.a4 else 1)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        ws.center_horizontally()
        ws.fit_to_pages(1, 1 if one_page else 0)
        if header_row is not None:
            ws.repeat_rows(header_row)
        ws.set_header(self.context.page_header(self.name), {"margin": 0.3})
        ws.set_footer(self.context.page_footer(), {"margin": 0.3})

    def traffic_lights(
        self, first_row: int, col: int, last_row: int, last_col: int | None = None
    ) -> None:
        """Green/yellow/red fill on the adherence numbers of a range (blank cells stay white)."""
        if last_row < first_row:
            return
        cell = xl_rowcol_to_cell(first_row, col)
        rules = (
            (f"=AND(ISNUMBER({cell}),{cell}>={ADHERENCE_GOOD})", GOOD_FILL, GOOD_FONT),
            (
                f"=AND(ISNUMBER({cell}),{cell}>={ADHERENCE_WARN},{cell}<{ADHERENCE_GOOD})",
                WARN_FILL,
                WARN_FONT,
            ),
            (f"=AND(ISNUMBER({cell}),{cell}<{ADHERENCE_WARN})", BAD_FILL, BAD_FONT),
        )
        for criteria, fill, font in rules:
            self.ws.conditional_format(
                first_row,
                col,
                last_row,
                col if last_col is None else last_col,
                {
                    "type": "formula",
                    "criteria": criteria,
                    "format": self.styles.conditional(fill, font),
                },
            )

    def better_worse(self, first_row: int, col: int, last_row: int, direction: int) -> None:
        """Green font where the change is better, red where worse (direction +1: higher is better)."""
        if direction == 0 or last_row < first_row:
            return
        cell = xl_rowcol_to_cell(first_row, col)
        good, bad = (">", "<") if direction > 0 else ("<", ">")
        for sign, colour in ((good, BETTER), (bad, WORSE)):
            self.ws.conditional_format(
                first_row,
                col,
                last_row,
                col,
                {
                    "type": "formula",
                    "criteria": f"=AND(ISNUMBER({cell}),{cell}{sign}0)",
                    "format": self.styles.conditional(None, colour),
                },
            )


def figure_values(f: Figures) -> tuple[object, ...]:
    """clocks, met, missed, open breached, adherence, median/avg/p90 hours, quality, revenue."""
    return (
        f.clocks,
        f.met,
        f.missed,
        f.breached_open,
        f.adherence,
        as_hours(f.median_response_seconds),
        as_hours(f.mean_response_seconds),
        as_hours(f.p90_response_seconds),
        f.quality_pass_rate,
        f.revenue_at_stake,
    )


FIGURE_COLS = (
    SheetColumn("Clocks", "int"),
    SheetColumn("Met", "int"),
    SheetColumn("Missed", "int"),
    SheetColumn("Open breached", "int"),
    SheetColumn("Adherence", "pct", 10),
    SheetColumn("Median response (h)", "hours", 10),
    SheetColumn("Average response (h)", "hours", 10),
    SheetColumn("P90 response (h)", "hours", 10),
    SheetColumn("Quality pass rate", "pct", 10),
    SheetColumn("Revenue at stake", "money", 12),
)


def column_index(cols: Sequence[SheetColumn], header: str) -> int:
    return [c.header for c in cols].index(header)


def relative_change(now: float | None, before: float | None, scale: float = 1.0) -> float | None:
    if now is None or before is None:
        return None
    return (now - before) * scale


def _header_text(text: str, limit: int) -> str:
    """Text for a page header or footer: `&` doubled (it starts a code), cut to `limit`."""
    text = safe_text(text).replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("&", "&&")
