"""The scorecard as a presentable Excel workbook (XlsxWriter, bounded memory), written atomically."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from slaapp.reports.scorecard import ScorecardData
from slaapp.reports.sheet_breaches import write_breaches
from slaapp.reports.sheet_definitions import write_definitions
from slaapp.reports.sheet_summary import write_summary
from slaapp.reports.sheet_tables import write_handoffs, write_reps, write_teams
from slaapp.reports.sheet_trend import write_trend
from slaapp.reports.workbook_sheet import SheetContext
from slaapp.reports.workbook_style import ADHERENCE_GOOD, ADHERENCE_WARN

__all__ = [
    "ADHERENCE_GOOD",
    "ADHERENCE_WARN",
    "FAST_ROWS",
    "MAX_SHEET_LINKS",
    "PROGRESS_ROWS",
    "SHEETS",
    "ReportCancelled",
    "write_scorecard",
]

SHEETS = ("Summary", "Handoffs", "Teams", "Rep scorecards", "Trend", "Breaches", "Definitions")
AUTHOR = "slaapp"
# Excel keeps at most 65,530 hyperlinks per sheet; later breach rows link with =HYPERLINK().
MAX_SHEET_LINKS = 65_530
# Breach rows as XlsxWriter's own XML, written directly (False: one public call per cell).
FAST_ROWS = True
PROGRESS_ROWS = 5_000  # breach rows between progress reports and cancellation checks


class ReportCancelled(Exception):  # noqa: N818 (the name callers know)
    """The caller cancelled the export; nothing was written and any existing file is untouched."""


def write_scorecard(
    data: ScorecardData,
    path: str | Path,
    *,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    company: str = "",
) -> Path:
    """Write `data` as an .xlsx workbook at `path` and return the path.

    The workbook is written to a temporary file in the same folder and renamed over `path` when
    complete, so `path` is either the old file or the whole new one. `progress` gets 0..1 between
    sheets and every PROGRESS_ROWS breach rows; `cancelled` is asked at the same points and, when
    true, the write stops with ReportCancelled and leaves nothing behind.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"the folder {folder} does not exist")
    steps = _Steps(progress, cancelled)
    steps.at(0.0)
    partial = folder / f".{target.stem}.{secrets.token_hex(4)}.tmp.xlsx"
    with tempfile.TemporaryDirectory(prefix="slaapp-xlsx-") as scratch:
        book = xlsxwriter.Workbook(
            str(partial),
            {
                "constant_memory": True,  # rows go to disk as written: memory stays flat
                "tmpdir": scratch,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        try:
            try:
                _Writer(book, data, steps, company).write()
            except BaseException:
                _abandon(book)
                raise
            steps.at(0.85)
            book.close()
            steps.at(0.98)
            try:
                partial.replace(target)
            except PermissionError as error:
                raise PermissionError(
                    f"could not replace {target}: is it open in another program? ({error})"
                ) from error
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    steps.at(1.0, check=False)
    return target


def _abandon(book: Any) -> None:
    """Close XlsxWriter's per-sheet row files of a workbook that will never be closed."""
    for sheet in book.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        if handle is not None and not handle.closed:
            handle.close()


class _Steps:
    """Progress reports (never going back) and the cancellation check at the same points."""

    def __init__(
        self, progress: Callable[[float], None] | None, cancelled: Callable[[], bool] | None
    ) -> None:
        self.progress = progress
        self.cancelled = cancelled
        self.done = 0.0

    def at(self, fraction: float, *, check: bool = True) -> None:
        self.done = max(self.done, min(fraction, 1.0))
        if self.progress is not None:
            self.progress(self.done)
        if check and self.cancelled is not None and self.cancelled():
            raise ReportCancelled("the scorecard export was cancelled")


class _Writer:
    """Writes every sheet of one workbook, in order.

    The breach-row settings (FAST_ROWS, MAX_SHEET_LINKS, PROGRESS_ROWS) are read from this
    module when the Breaches sheet is written, so setting them here takes effect.
    """

    def __init__(self, book: Any, data: ScorecardData, steps: _Steps, company: str) -> None:
        self.context = SheetContext(book, data)
        self.steps = steps
        self.company = company

    def write(self) -> None:
        context = self.context
        data = context.data
        context.book.set_properties(
            {
                "title": f"{data.title} – {data.scope}",
                "subject": f"SLA adherence, {context.period}",
                "author": AUTHOR,
                "manager": "",
                "company": self.company,
                "category": "SLA scorecard",
                "keywords": "SLA, handoffs, adherence, scorecard",
                "created": datetime.fromtimestamp(data.generated_at, UTC).replace(tzinfo=None),
                "comments": (
                    f"{data.matrix_name} version {data.matrix_version}; times in {data.timezone}; "
                    f"generated by slaapp on {context.time.moment(data.generated_at)}"
                ),
            }
        )
        context.book.set_size(1600, 1000)
        plan: tuple[tuple[Callable[[], None], float], ...] = (
            (self.summary, 0.02),
            (self.handoffs, 0.04),
            (self.teams, 0.05),
            (self.reps, 0.08),
            (self.trend, 0.10),
            (self.breaches, 0.80),
            (self.definitions, 0.82),
        )
        for sheet, done in plan:
            sheet()
            self.steps.at(done)

    def summary(self) -> None:
        write_summary(self.context)

    def handoffs(self) -> None:
        write_handoffs(self.context)

    def teams(self) -> None:
        write_teams(self.context)

    def reps(self) -> None:
        write_reps(self.context)

    def trend(self) -> None:
        write_trend(self.context)

    def breaches(self) -> None:
        write_breaches(
            self.context,
            self.steps.at,
            fast_rows=FAST_ROWS,
            max_links=MAX_SHEET_LINKS,
            progress_rows=PROGRESS_ROWS,
        )

    def definitions(self) -> None:
        write_definitions(self.context)
