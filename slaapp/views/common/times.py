"""The display time zone of this window: every screen shows instants through it and names it."""

from __future__ import annotations

from slaapp.engine.display_time import show_clock_time, show_instant, zone_words
from slaapp.views.common.i18n import tr

_zone = "UTC"


def set_display_zone(zone: str) -> None:
    """Use `zone` from now on (the main window sets it from each refresh)."""
    global _zone
    _zone = zone


def display_zone() -> str:
    return _zone


def shown(epoch: int, *, year: bool = False) -> str:
    """`Thu 15 Oct 14:00` in the display zone."""
    return show_instant(epoch, _zone, year=year)


def clock_time(epoch: int) -> str:
    """`14:00 New York time`."""
    return show_clock_time(epoch, _zone)


def zone_note() -> str:
    """`Times in New York time (America/New_York)`."""
    words = zone_words(_zone)
    if words == _zone:
        return tr("Times in {zone}").format(zone=words)
    return tr("Times in {zone} ({name})").format(zone=words, name=_zone)
