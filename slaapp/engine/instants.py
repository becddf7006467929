"""Instants as int64 UTC epoch seconds: parsing ISO 8601 text and formatting it back."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaapp.engine.errors import UserError


class InstantError(UserError, ValueError):
    """A text that is not an instant this program accepts."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or an InstantError saying it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InstantError(
            f"unknown time zone {name!r} (use an IANA name like America/New_York)"
        ) from exc


EARLIEST = int(datetime(1900, 1, 1, tzinfo=UTC).timestamp())
LATEST = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp())
"""Instants outside [1900, 2200) are typing mistakes (year 0001, 9999), never CRM history."""


def to_epoch(moment: datetime, tz: tzinfo | None = None) -> int:
    """Epoch seconds of an aware datetime, or of a naive one read in `tz` (fold=0)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        if tz is None:
            raise InstantError(
                f"{moment.isoformat()} has no UTC offset; add one (Z, +02:00) or give a time zone"
            )
        moment = moment.replace(tzinfo=tz, fold=0)
    try:
        epoch = int(moment.timestamp() // 1)
    except (OverflowError, ValueError):
        epoch = EARLIEST - 1 if moment.year < 1900 else LATEST
    if not EARLIEST <= epoch < LATEST:
        raise InstantError(
            f"{moment.isoformat()} is outside the years 1900 to 2199 this program accepts"
        )
    return epoch


def parse_instant(text: str, tz: tzinfo | None = None) -> int:
    """Epoch seconds of ISO 8601 text with an offset or `Z`; naive text only when `tz` is given."""
    raw = text.strip()
    if not raw:
        raise InstantError("empty time")
    candidate = raw
    if candidate.endswith(("z", "Z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise InstantError(
            f"{raw!r} is not an ISO 8601 time (expected like 2026-03-02T09:15:00-05:00)"
        ) from None
    return to_epoch(moment, tz)


def format_instant(epoch: int) -> str:
    """UTC text `YYYY-MM-DDTHH:MM:SSZ` of epoch seconds."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
