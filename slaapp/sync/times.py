"""CRM time strings to UTC epoch seconds: ms-epoch, ISO 8601 with Z or +0000, dates."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time_ms(text: str) -> int:
    """Milliseconds since the epoch (UTC) of a CRM time; ValueError if unreadable."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    moment = datetime.fromisoformat(value)  # Python 3.11 reads Z, +0000 and +00:00
    if moment.tzinfo is None:  # date-only and naive values are UTC in HubSpot and Salesforce
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_time(text: str) -> int:
    """Epoch seconds (UTC) of a CRM time; ValueError if unreadable."""
    return parse_time_ms(text) // 1000


def iso_ms(ms: int) -> str:
    """An ms-epoch as ISO 8601 UTC with milliseconds, as HubSpot writes times."""
    return (
        datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    )
