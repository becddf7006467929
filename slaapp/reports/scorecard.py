"""What a scorecard workbook shows, as plain frozen values computed before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from slaapp.engine.durations import CLOCK_TIME, TimeTerms


@dataclass(frozen=True)
class Figures:
    """Adherence figures of a set of clocks that started in a period.

    Response times are over closed clocks (met or missed); `adherence` is
    met / (met + missed + open breached) (DESIGN 7a);
    `quality_pass_rate` over met and missed clocks of handoffs with quality requirements;
    `revenue_at_stake` sums the `amount` of records with a missed or breached clock (each record once).
    """

    clocks: int = 0
    met: int = 0
    missed: int = 0
    open: int = 0
    breached_open: int = 0
    cancelled: int = 0
    adherence: float | None = None
    median_response_seconds: float | None = None
    mean_response_seconds: float | None = None
    p90_response_seconds: float | None = None
    quality_pass_rate: float | None = None
    revenue_at_stake: float = 0.0

    @property
    def breaches(self) -> int:
        return self.missed + self.breached_open


@dataclass(frozen=True)
class Cause:
    """One ranked reason clocks were late, in words, with its numbers."""

    text: str
    breaches: int
    share: float
    revenue: float


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    target: str
    figures: Figures


@dataclass(frozen=True)
class HandoffRow:
    key: str
    name: str
    team: str
    target: str
    figures: Figures
    previous: Figures
    segments: tuple[SegmentRow, ...]


@dataclass(frozen=True)
class TeamRow:
    team: str
    figures: Figures
    previous: Figures


@dataclass(frozen=True)
class RepRow:
    name: str
    email: str
    team: str
    figures: Figures
    team_figures: Figures


@dataclass(frozen=True)
class TrendPoint:
    """One week or month of one handoff; `week` is the first day (ISO date text) of it: the
    Monday of a week, the 1st of a month (the scorecard's `trend_step` says which)."""

    week: str
    handoff: str
    clocks: int
    adherence: float | None
    breaches: int


@dataclass(frozen=True)
class BreachRow:
    """A missed or breached clock; instants are epoch seconds, `late_seconds` business time."""

    record_id: str
    record_name: str
    handoff: str
    segment: str
    owner: str
    team: str
    started_at: int
    due_at: int | None
    stopped_at: int | None
    late_seconds: int
    status: str
    amount: float | None
    source: str
    tier: str
    url: str | None
    terms: TimeTerms = CLOCK_TIME


@dataclass(frozen=True)
class ScorecardData:
    """Everything one workbook shows; `timezone` is the IANA zone dates are shown in."""

    title: str
    scope: str
    start: int
    end: int
    previous_start: int
    generated_at: int
    timezone: str
    matrix_name: str
    matrix_version: int
    summary: Figures
    previous_summary: Figures
    causes: tuple[Cause, ...]
    handoffs: tuple[HandoffRow, ...]
    teams: tuple[TeamRow, ...]
    reps: tuple[RepRow, ...]
    trend: tuple[TrendPoint, ...]
    breaches: tuple[BreachRow, ...]
    calendars: tuple[tuple[str, str], ...]
    definitions: tuple[tuple[str, str], ...]
    trend_step: str = "week"  # "week" up to two years, else "month"
    judged_at: int | None = None  # when the clocks were judged (period end or as-of, earlier)
    data_note: str = ""  # where the data lies when the period holds no clock
