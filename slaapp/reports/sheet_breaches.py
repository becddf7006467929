"""The Breaches sheet: one row per missed or breached clock, with links to the CRM."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from slaapp.engine.durations import describe_duration
from slaapp.reports.cells import EXCEL_MAX_TEXT, safe_text
from slaapp.reports.scorecard import BreachRow
from slaapp.reports.sheet_breaches_xml import (
    NUMBER_COLUMNS,
    TEXT_COLUMNS,
    TRIGGERS,
    BreachCells,
    BreachFormats,
    RowXml,
    formula_link_ok,
    hyperlink_formula,
)
from slaapp.reports.workbook_sheet import SheetColumn, SheetContext, SheetWriter
from slaapp.reports.workbook_time import EXCEL_EPOCH_DAYS

MAX_URL_LENGTH = 2_000
EXCEL_MAX_ROWS = 1_048_576
_URL_BREAKERS = re.compile(r'[\x00-\x20"<>\x7f]')

BREACH_COLS = (
    SheetColumn("Record", "text", 10, 24),
    SheetColumn("Record name", "text", 14, 40),
    SheetColumn("Handoff", "text", 12, 32),
    SheetColumn("Segment", "text", 10, 24),
    SheetColumn("Owner", "text", 12, 28),
    SheetColumn("Team", "text", 10, 24),
    SheetColumn("Started", "datetime", 16),
    SheetColumn("Due", "datetime", 16),
    SheetColumn("Stopped", "datetime", 16),
    SheetColumn("Late", "text", 10, 16, indent=1),
    SheetColumn("Late (h)", "hours", 9),
    SheetColumn("Status", "text", 9, 14, indent=1),
    SheetColumn("Amount", "money", 11),
    SheetColumn("Source", "text", 10, 24, indent=1),
    SheetColumn("Tier", "text", 8, 16),
)


def write_breaches(
    context: SheetContext,
    step: Callable[[float], None],
    *,
    fast_rows: bool,
    max_links: int,
    progress_rows: int,
) -> None:
    """The Breaches sheet; `step` gets the progress fraction every `progress_rows` rows."""
    _Breaches(context, step, fast_rows, max_links, progress_rows).write()


class _Breaches:
    """The Breaches sheet: a row per missed or breached clock, a CRM link on the record id.

    `fast_rows`: write the rows as XlsxWriter's own XML when it allows (else one call per cell);
    `max_links`: hyperlinks the sheet may hold before =HYPERLINK() formulas take over;
    `progress_rows`: rows between calls of `step` (which may raise to cancel).
    """

    def __init__(
        self,
        context: SheetContext,
        step: Callable[[float], None],
        fast_rows: bool,
        max_links: int,
        progress_rows: int,
    ) -> None:
        self.context = context
        self.step = step
        self.fast_rows = fast_rows
        self.max_links = max_links
        self.progress_rows = progress_rows

    def write(self) -> None:
        sheet = SheetWriter(self.context, "Breaches")
        ws = sheet.ws
        cols = BREACH_COLS
        rows: Sequence[BreachRow] = self.context.data.breaches
        top = 2
        room = EXCEL_MAX_ROWS - top - 3
        shown = rows[:room]
        more = len(rows) - len(shown)
        sheet.title(
            "Breaches",
            f"{len(rows):,} missed or breached clocks · {self.context.data.scope} · "
            f"{self.context.period} · times in {self.context.data.timezone}",
        )
        sheet.header(top, cols)
        self._breach_rows(sheet, top + 1, shown)
        last = top + len(shown)
        if more:
            ws.write_string(
                last + 2,
                0,
                f"{more:,} more breaches do not fit on one sheet.",
                self.context.styles.get(italic=True),
            )
        ws.autofilter(top, 0, max(last, top), len(cols) - 1)
        ws.freeze_panes(top + 1, 1)
        sheet.apply_widths(cols)
        sheet.print_setup(top)

    def _breach_rows(self, sheet: SheetWriter, first: int, rows: Sequence[BreachRow]) -> None:
        """The hot loop, 15 cells a row: XlsxWriter's own row XML written directly when this
        XlsxWriter allows it (byte-identical to the public calls, see the tests), else those calls."""
        cols = BREACH_COLS
        styles = self.context.styles
        plain = [styles.get(indent=c.indent) for c in cols]
        quoted = [styles.get(indent=c.indent, quote=True) for c in cols]
        formats = BreachFormats(
            plain=plain,
            quoted=quoted,
            link=styles.get(colour="#0563C1", underline=1),
            stamp=styles.get("datetime"),
            hours=styles.get("hours"),
            money=styles.get("money"),
        )
        widths = [0] * len(cols)
        cells = self._breach_cells(rows)
        fast = RowXml.supported(sheet.ws) and all(
            callable(getattr(f, "_get_xf_index", None)) for f in formats.all()
        )
        if fast:  # style indices in one order whichever way the rows go: identical files
            for f in formats.all():
                f._get_xf_index()
        report = self._progress_rows(len(rows))
        if self.fast_rows and fast:
            RowXml(sheet.ws, first).breaches(
                cells,
                formats,
                widths,
                report,
                max_links=self.max_links,
                progress_rows=self.progress_rows,
            )
        else:
            self._breach_rows_public(sheet.ws, first, cells, formats, widths, report)
        for col, width in enumerate(widths):
            sheet.fit(col, width * 1.1)
        for col in (6, 7, 8):
            sheet.fit(col, 16)
        sheet.fit(10, 7)
        sheet.fit(12, 9)

    def _progress_rows(self, total: int) -> Callable[[int], None]:
        def report(done: int) -> None:
            self.step(0.10 + 0.70 * done / total)

        return report

    def _breach_cells(self, rows: Sequence[BreachRow]) -> Iterator[BreachCells]:
        """Per breach: the record id, its link (or None), the nine texts and five numbers."""
        time = self.context.time
        offsets = time.hour_offsets
        names = self.context.handoff_names
        triggers = TRIGGERS

        def serial(epoch: int | None) -> float | None:
            if epoch is None:
                return None
            offset = offsets.get(epoch // 3600)
            if offset is None:
                offset = time.offset(epoch)
            return (epoch + offset) / 86400 + EXCEL_EPOCH_DAYS

        def text(value: object) -> str:
            if type(value) is not str or len(value) > EXCEL_MAX_TEXT // 2:
                return safe_text(value)
            return value

        for b in rows:
            record = text(b.record_id)
            url = b.url
            if url is not None and (record[:1] in triggers or not _linkable(url)):
                url = None
            amount = b.amount
            yield (
                record,
                url,
                (
                    text(b.record_name),
                    text(names.get(b.handoff, b.handoff)),
                    text(b.segment),
                    text(b.owner),
                    text(b.team),
                    describe_duration(b.late_seconds, b.terms),
                    text(b.status),
                    text(b.source),
                    text(b.tier),
                ),
                (
                    serial(b.started_at),
                    serial(b.due_at),
                    serial(b.stopped_at),
                    b.late_seconds / 3600,
                    amount if amount is not None and math.isfinite(amount) else None,
                ),
            )

    def _breach_rows_public(
        self,
        ws: Any,
        first: int,
        cells: Iterable[BreachCells],
        formats: BreachFormats,
        widths: list[int],
        report: Callable[[int], None],
    ) -> None:
        """The same rows through XlsxWriter's public calls (write_string, write_url, ...)."""
        put_text, put_number, put_blank = ws.write_string, ws.write_number, ws.write_blank
        plain, quoted = formats.plain, formats.quoted
        number_formats = (formats.stamp, formats.stamp, formats.stamp, formats.hours, formats.money)
        triggers = TRIGGERS
        max_links, progress_rows = self.max_links, self.progress_rows
        links = 0
        for i, (record, url, texts, numbers) in enumerate(cells):
            if i and i % progress_rows == 0:
                report(i)
            row = first + i
            linked = False
            if url is not None and links < max_links:
                try:
                    ws.write_url(row, 0, url, formats.link, record or url)
                    links += 1
                    linked = True
                except ValueError:  # a URL XlsxWriter refuses: the id alone
                    pass
            elif url is not None and formula_link_ok(url, record):
                ws.write_formula(row, 0, hyperlink_formula(url, record), formats.link, record)
                linked = True
            if not linked:
                put_text(row, 0, record, (quoted if record[:1] in triggers else plain)[0])
            if len(record) > widths[0]:
                widths[0] = len(record)
            for col, value in zip(TEXT_COLUMNS, texts):
                put_text(row, col, value, (quoted if value[:1] in triggers else plain)[col])
                if len(value) > widths[col]:
                    widths[col] = len(value)
            for col, number, fmt in zip(NUMBER_COLUMNS, numbers, number_formats):
                if number is None:
                    put_blank(row, col, None, fmt)
                else:
                    put_number(row, col, number, fmt)


def _linkable(url: str) -> bool:
    """Only web links, short enough for Excel, without characters that would break them."""
    return (
        url[:8].lower().startswith(("http://", "https://"))
        and len(url) <= MAX_URL_LENGTH
        and _URL_BREAKERS.search(url) is None
    )
