"""Instants as people read them, in one display time zone that is always named."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def is_zone(zone: str) -> bool:
    """True for an IANA zone name zoneinfo knows (`America/New_York`, `UTC`)."""
    if not zone or zone.strip() != zone:
        return False
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_choices() -> list[str]:
    """Every IANA zone name, sorted, UTC first."""
    return ["UTC", *sorted(z for z in available_timezones() if z != "UTC" and "/" in z)]


def resolve_zone(chosen: str | None, business_zone: str | None) -> str:
    """The zone to show times in: the user's choice, else the matrix's business zone, else UTC."""
    for zone in (chosen, business_zone):
        if zone and is_zone(zone):
            return zone
    return "UTC"


def zone_words(zone: str) -> str:
    """`New York time` for `America/New_York`; `UTC` stays `UTC`."""
    if zone in ("UTC", "Etc/UTC", "GMT"):
        return "UTC"
    return zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


def show_instant(epoch: int, zone: str, *, year: bool = False, weekday: bool = True) -> str:
    """`Thu 15 Oct 14:00` on the wall clock of `zone` (the caller names the zone once nearby)."""
    moment = datetime.fromtimestamp(epoch, UTC).astimezone(ZoneInfo(zone))
    text = f"{moment:%d %b}" + (f" {moment:%Y}" if year else "") + f" {moment:%H:%M}"
    return f"{moment:%a} {text}" if weekday else text


def show_clock_time(epoch: int, zone: str) -> str:
    """`14:00 New York time`: a time of today with its zone named."""
    moment = datetime.fromtimestamp(epoch, UTC).astimezone(ZoneInfo(zone))
    return f"{moment:%H:%M} {zone_words(zone)}"
