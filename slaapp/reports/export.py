"""The scorecard export as one operation: period in the matrix's zone, data, workbook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from slaapp.engine.errors import BadInputError
from slaapp.models.database import Database
from slaapp.models.matrices import load_version
from slaapp.reports.build import build_scorecard, display_zone
from slaapp.reports.scorecard import ScorecardData
from slaapp.reports.workbook import write_scorecard


@dataclass(frozen=True, eq=False)
class ExportResult:
    path: Path
    data: ScorecardData

    def summary(self) -> str:
        figures = self.data.summary
        adherence = "-" if figures.adherence is None else f"{figures.adherence:.1%}"
        return (
            f"{self.path}: {self.data.scope}, {figures.clocks:,} clocks, adherence {adherence}, "
            f"{len(self.data.breaches):,} breaches"
        )


def period_zone(database: Database, tz: str | None = None) -> str:
    """The zone days are read in: `tz`, else the published matrix's first business calendar."""
    if tz:
        return tz
    with database.session() as session:
        _, matrix = load_version(session)
    return display_zone(matrix)


def day_bounds(first: date, last: date, zone: str) -> tuple[int, int]:
    """Epoch seconds of local midnight starting `first` and ending `last` (included)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, datetime.min.time(), tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
    return int(start.timestamp()), int(end.timestamp())


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
) -> ExportResult:
    """Build the scorecard of [start, end) and write it to `path` (atomically)."""
    if path.suffix.lower() != ".xlsx":
        raise BadInputError(f"{path.name} should end in .xlsx")
    if not path.parent.exists():
        raise BadInputError(f"the folder {path.parent} does not exist")
    with database.session() as session:
        data = build_scorecard(session, start=start, end=end, now=now, team=team)
    if progress is not None:
        progress(0.2)
    scaled = None if progress is None else (lambda share: progress(0.2 + 0.8 * share))
    written = write_scorecard(data, path, progress=scaled, cancelled=cancelled)
    return ExportResult(written, data)
