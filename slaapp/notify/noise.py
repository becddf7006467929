"""Noise control: quiet hours, business hours only, digest slots, rate limits, retry backoff."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slaapp.engine.calendar import Calendar
from slaapp.engine.people import PersonInfo
from slaapp.models.alerts_settings import AlertSettings

HOUR = 3600
SMS = "sms"
"""The channel that never reaches a person in their quiet hours unless the step is critical."""


def working(member: PersonInfo, t: int) -> bool:
    """Whether t falls in the person's working hours (Monday to Friday, their time zone)."""
    local = datetime.fromtimestamp(t, ZoneInfo(member.timezone))
    start, end = member.hours
    return local.weekday() < 5 and start <= local.hour < end


def next_working(member: PersonInfo, t: int) -> int:
    """t when the person works then, else the start of their next working period."""
    if working(member, t):
        return t
    zone = ZoneInfo(member.timezone)
    local = datetime.fromtimestamp(t, zone)
    start, end = member.hours
    day = local.date()
    for offset in range(8):
        candidate_day = day + timedelta(days=offset)
        if candidate_day.weekday() >= 5:
            continue
        opens = datetime(
            candidate_day.year, candidate_day.month, candidate_day.day, start, tzinfo=zone
        )
        instant = int(opens.timestamp())
        if instant > t:
            return instant
        if offset == 0 and local.hour < end:
            return t
    return t  # no working hours at all: deliver now rather than never


def release_at(
    t: int,
    severity: str,
    member: PersonInfo | None,
    calendar: Calendar | None,
    settings: AlertSettings,
    *,
    channel: str = "",
    critical: bool = False,
) -> int:
    """The first instant at or after t when this alert may reach this person.

    Quiet hours hold it until the person's working hours; "business hours only" until the
    rule calendar opens; critical escalations bypass both when the policy allows. An SMS
    goes at once when its step is marked critical, and otherwise always waits for the
    person's working hours (whatever the policy says of escalations).
    """
    sms = channel == SMS
    if sms and critical:
        return t
    if severity == "escalation" and settings.critical_bypass and not sms:
        return t
    for _ in range(16):
        moved = t
        if (settings.quiet_hours or sms) and member is not None:
            moved = next_working(member, moved)
        if settings.business_hours_only and calendar is not None:
            moved = calendar.next_open(moved)
        if moved == t:
            return t
        t = moved
    return t


def digest_slot(t: int, member: PersonInfo | None, every_minutes: int) -> int:
    """The next digest slot at or after t in the person's own working time and zone.

    The first slot of a working day is its start, then one every `every_minutes` while the
    day lasts; someone the directory does not know (a bare address) gets no slot: t itself.
    """
    if member is None:
        return t
    period = max(every_minutes, 1) * 60
    zone = ZoneInfo(member.timezone)
    start, end = member.hours
    day = datetime.fromtimestamp(t, zone).date()
    for offset in range(8):
        date = day + timedelta(days=offset)
        if date.weekday() >= 5:
            continue
        opens = int(datetime(date.year, date.month, date.day, start, tzinfo=zone).timestamp())
        closes = int(datetime.combine(date, datetime.min.time(), zone).timestamp()) + end * HOUR
        if t <= opens:
            return opens
        if t < closes:
            slot = opens + -(-(t - opens) // period) * period
            if slot < closes:
                return slot
    return t  # no working day within a week: do not hold it forever


def delivery_time(
    t: int,
    severity: str,
    member: PersonInfo | None,
    calendar: Calendar | None,
    settings: AlertSettings,
    *,
    digest: bool,
    channel: str = "",
    critical: bool = False,
) -> int:
    """When a delivery queued at t goes out: its digest slot (warnings only), then quiet
    hours and business hours applied to that slot, until both agree (SMS: see release_at)."""
    for _ in range(16):
        moved = release_at(
            t, severity, member, calendar, settings, channel=channel, critical=critical
        )
        if digest:
            moved = digest_slot(moved, member, settings.digest_every_minutes)
        if moved == t:
            return t
        t = moved
    return t


def backoff(attempts: int, settings: AlertSettings, retry_after: float | None) -> int:
    """Seconds to wait before the next attempt: Retry-After when given, else doubling."""
    if retry_after is not None and retry_after > 0:
        return int(min(max(retry_after, 1), settings.retry_max_seconds))
    return int(
        min(settings.retry_base_seconds * 2 ** max(attempts - 1, 0), settings.retry_max_seconds)
    )


class RateLimiter:
    """Sends per channel in the last hour; a full channel says when its next slot frees up."""

    def __init__(self, settings: AlertSettings, recent: Iterable[tuple[str, int]]) -> None:
        self._limits = settings.rate_limit_per_hour
        self._sent: dict[str, list[int]] = {}
        for channel, at in recent:
            self._sent.setdefault(channel, []).append(at)

    def next_slot(self, channel: str, now: int) -> int:
        """now when the channel may send now, else the instant it may."""
        limit = self._limits.get(channel, 0)
        if limit <= 0:
            return now
        window = sorted(at for at in self._sent.get(channel, []) if at > now - HOUR)
        if len(window) < limit:
            return now
        return window[len(window) - limit] + HOUR

    def record(self, channel: str, at: int) -> None:
        self._sent.setdefault(channel, []).append(at)


def local_day_start(t: int, zone: str = "UTC") -> int:
    local = datetime.fromtimestamp(t, ZoneInfo(zone))
    return int(datetime(local.year, local.month, local.day, tzinfo=ZoneInfo(zone)).timestamp())


def utc_day(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).date().isoformat()
