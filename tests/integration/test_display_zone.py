"""The display zone setting: stored once, audited, and the zone of the live clocks and dashboard."""

from __future__ import annotations

import pytest

from slaapp.engine.errors import BadInputError
from slaapp.importers.bundled import RESOURCES
from slaapp.importers.event_file import read_events
from slaapp.services.display import choose_display_zone, display_zones
from slaapp.services.live_view import live_clocks
from slaapp.services.store import store_log


def test_zone_follows_the_matrix_until_chosen(database) -> None:
    events = read_events(RESOURCES / "samples" / "events-sample.csv")
    now = int(events.log.occurred_at.max()) + 3600
    store_log(database, events.log, source="import", at=now)
    business = live_clocks(database, now).zone
    assert business == "America/New_York"
    assert display_zones(database) == ("", business)
    assert choose_display_zone(database, "Europe/Berlin", "ana", now) == "Europe/Berlin"
    assert live_clocks(database, now).zone == "Europe/Berlin"
    assert display_zones(database) == ("Europe/Berlin", "Europe/Berlin")
    with pytest.raises(BadInputError, match="not a time zone"):
        choose_display_zone(database, "Mars/Olympus", "ana", now)
    assert choose_display_zone(database, "", "ana", now) == business


def test_dashboard_uses_the_chosen_zone_and_knows_each_rules_terms(database) -> None:
    from datetime import UTC, datetime, timedelta

    from slaapp.services.dashboard import DashboardFilter, load_dashboard

    events = read_events(RESOURCES / "samples" / "events-sample.csv")
    now = int(events.log.occurred_at.max()) + 3600
    store_log(database, events.log, source="import", at=now)
    choose_display_zone(database, "Europe/Berlin", "ana", now)
    last = datetime.fromtimestamp(now, UTC).date()
    data = load_dashboard(database, DashboardFilter(last - timedelta(days=60), last), now)
    assert data.zone == "Europe/Berlin"
    terms = data.terms[("sql_demo", "default")]
    assert terms.business and terms.day_word == "business day"
    assert not data.terms[("onboarding", "default")].business  # a 24x7 rule


def test_the_status_bar_follows_connections_added_before_any_sync() -> None:
    from slaapp.engine.display_time import show_clock_time
    from slaapp.services.live_view import LiveView, SourceState

    at = 1_792_000_000 + 800  # 18:00 UTC

    def clock(epoch: int) -> str:
        return show_clock_time(epoch, "UTC")

    assert LiveView(None).sync_words(clock) == "No CRM connected"
    added = LiveView(None, connections=("hubspot",))
    assert added.sync_words(clock) == "hubspot not synced yet"
    synced = LiveView(
        None, sources=(SourceState("hubspot", "ok", at),), connections=("hubspot", "sf")
    )
    assert synced.sync_words(clock) == "hubspot synced 18:00 UTC · sf not synced yet"
