"""The weekly scorecard schedule: when it is due, and which week it covers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class WeeklySchedule:
    """Send last week's scorecard every `weekday` (0 = Monday) at `at` (HH:MM) in `timezone`."""

    weekday: int = 0
    at: str = "08:00"
    timezone: str = "America/New_York"
    recipients: tuple[str, ...] = ()
    team: str | None = None
    folder: str = ""
    enabled: bool = True
    last_sent: int | None = field(default=None, compare=False)
    starts_at: int | None = field(default=None, compare=False)
    """When it was set up: runs due before then are not sent (the first run is the next one)."""

    def to_dict(self) -> dict[str, Any]:
        value = asdict(self)
        value["recipients"] = list(self.recipients)
        return value

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> WeeklySchedule:
        known = {k: value[k] for k in cls.__dataclass_fields__ if k in value}
        known["recipients"] = tuple(known.get("recipients", ()))
        return cls(**known)

    def describe(self) -> str:
        who = ", ".join(self.recipients) or "nobody yet"
        return f"every {DAYS[self.weekday]} at {self.at} ({self.timezone}) to {who}"


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(hours, minutes)


def due_at(schedule: WeeklySchedule, now: int) -> int:
    """The latest scheduled instant at or before `now` (the run that is due, if not yet sent)."""
    tz = ZoneInfo(schedule.timezone)
    local = datetime.fromtimestamp(now, tz)
    day = local.date() - timedelta(days=(local.weekday() - schedule.weekday) % 7)
    moment = datetime.combine(day, _clock(schedule.at), tz)
    if moment.timestamp() > now:
        moment = datetime.combine(day - timedelta(days=7), _clock(schedule.at), tz)
    return int(moment.timestamp())


def is_due(schedule: WeeklySchedule, now: int) -> bool:
    """True when a scheduled run has passed and was not sent since."""
    if not schedule.enabled or not schedule.recipients:
        return False
    last_run = due_at(schedule, now)
    if schedule.starts_at is not None and last_run < schedule.starts_at:
        return False
    return schedule.last_sent is None or schedule.last_sent < last_run


def covered_week(schedule: WeeklySchedule, now: int) -> tuple[date, date]:
    """Monday and Sunday of the full week before the due run's week."""
    run_day = datetime.fromtimestamp(due_at(schedule, now), ZoneInfo(schedule.timezone)).date()
    monday = run_day - timedelta(days=run_day.weekday() + 7)
    return monday, monday + timedelta(days=6)
