"""What an exported dashboard chart says under its title: the period, the filters, when it was judged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slaapp.engine.display_time import show_instant, zone_words
from slaapp.services.dashboard import DashboardData
from slaapp.views.common.i18n import tr


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def chosen_filters(data: DashboardData) -> list[tuple[str, str]]:
    """The filters of a load as (name, the value people know): `("Handoff", "First contact")`."""
    chosen, choices = data.filter, data.choices
    handoffs, segments = dict(choices.handoffs), dict(choices.segments)
    found = [
        (tr("Team"), chosen.team),
        (tr("Handoff"), handoffs.get(chosen.handoff or "", chosen.handoff)),
        (tr("Segment"), segments.get(chosen.segment or "", chosen.segment)),
        (tr("Source"), chosen.source),
    ]
    return [(name, value) for name, value in found if value]


def export_caption(data: DashboardData, filters: Sequence[tuple[str, str]] | None = None) -> str:
    """Three lines: the period and its clocks, the filters (name and chosen value; those of
    the load by default), and when the clocks were judged, in which time zone."""
    filters = chosen_filters(data) if filters is None else filters
    first, last = data.first or data.filter.first, data.last or data.filter.last
    period = tr("Period: {first} – {last}").format(first=_day(first), last=_day(last))
    if data.moved:
        period += " " + tr("(the data's own range)")
    clocks = tr("{count} clocks").format(count=f"{len(data):,}")
    chosen = " · ".join(f"{name}: {value}" for name, value in filters)
    shown = (
        tr("Filters: {chosen}").format(chosen=chosen)
        if chosen
        else tr("Filters: none (every team, handoff, segment and source)")
    )
    at = show_instant(data.as_of, data.zone, weekday=False)
    judged = tr("Clocks judged at {at} {zone}").format(at=at, zone=zone_words(data.zone))
    return "\n".join((f"{period} · {clocks}", shown, judged))
