"""The scorecard export as one operation: period in the matrix's zone, data, workbook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from slaapp.engine.errors import BadInputError
from slaapp.models.database import Database
from slaapp.reports.build import build_scorecard
from slaapp.reports.periods import day_bounds as local_day_bounds
from slaapp.reports.scorecard import ScorecardData
from slaapp.reports.spans import data_span, empty_note, period_zone, stored_span
from slaapp.reports.workbook import write_scorecard

__all__ = [
    "ExportResult",
    "data_span",
    "day_bounds",
    "export_scorecard",
    "period_zone",
    "stored_span",
]


@dataclass(frozen=True, eq=False)
class ExportResult:
    """The workbook written; `empty` says where the data lies (with --from/--to) when the
    period held no clock."""

    path: Path
    data: ScorecardData
    empty: str = ""

    def summary(self) -> str:
        figures = self.data.summary
        adherence = "-" if figures.adherence is None else f"{figures.adherence:.1%}"
        text = (
            f"{self.path}: {self.data.scope}, {figures.clocks:,} clocks, adherence {adherence}, "
            f"{len(self.data.breaches):,} breaches; times in {self.data.timezone}"
        )
        return f"{text}\n{self.data.data_note}" if self.data.data_note else text


def day_bounds(first: date, last: date, zone: str) -> tuple[int, int]:
    """Epoch seconds of local midnight starting `first` and ending `last` (included)."""
    return local_day_bounds(first, last, zone)


def export_scorecard(
    database: Database,
    path: Path,
    *,
    start: int,
    end: int,
    now: int,
    team: str | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    zone: str | None = None,
    as_of: int | None = None,
) -> ExportResult:
    """Build the scorecard of [start, end) and write it to `path` (atomically).

    Clocks are judged at the period's end or `as_of` (default `now`), whichever is earlier;
    days and times are shown in `zone` (default: the matrix's business zone). A period
    without clocks still makes a whole workbook, which says where the data lies.
    """
    if path.suffix.lower() != ".xlsx":
        raise BadInputError(f"{path.name} should end in .xlsx")
    if not path.parent.exists():
        raise BadInputError(f"the folder {path.parent} does not exist")
    with database.session() as session:
        data = build_scorecard(
            session, start=start, end=end, now=now, team=team, zone=zone, as_of=as_of
        )
        empty = ""
        if data.summary.clocks == 0:
            data = replace(data, data_note=empty_note(session, start, end, data.timezone, False))
            empty = empty_note(session, start, end, data.timezone)
    if progress is not None:
        progress(0.2)
    scaled = None if progress is None else (lambda share: progress(0.2 + 0.8 * share))
    written = write_scorecard(data, path, progress=scaled, cancelled=cancelled)
    return ExportResult(written, data, empty)
