"""Screens that build or list in steps off the GUI thread show all their content once loaded."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtWidgets import QComboBox

from slaapp.engine.collector import collector_paused
from slaapp.models.database import open_database
from slaapp.notify.channels import CHANNEL_KINDS
from slaapp.services.store import ensure_matrix
from slaapp.views.common.jobs import JobRunner
from slaapp.views.matrix.calendars import countries, time_zones
from slaapp.views.matrix.form import set_choices
from slaapp.views.matrix.grid import RULE_ROLE
from slaapp.views.matrix.screen import MatrixScreen
from slaapp.views.settings.screen import SettingsScreen
from slaapp.views.settings.widgets import Section


def _items(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_shown_settings_build_section_by_section_then_show_the_stored_values(
    qtbot, database, jobs, memory_keyring
):
    screen = SettingsScreen(database, jobs, clock=lambda: 1_800_000_000)
    qtbot.addWidget(screen)
    screen.resize(1300, 800)
    screen.show()
    screen.refresh()  # the load may come back before the last section is built
    assert not screen.built and not screen.save_button.isEnabled()
    assert screen.status.text() == "Loading settings…"
    qtbot.waitUntil(lambda: screen.save_button.isEnabled(), timeout=10_000)
    assert screen.built and screen.status.text() == ""
    assert list(screen.channels) == [kind.name for kind in CHANNEL_KINDS]
    for section in (*screen.channels.values(), screen.policy, screen.links, screen.display):
        assert section.isVisible()
    assert screen.email.port.value() == 587  # the stored (default) mail server, shown
    assert not screen.dirty()


def test_settings_list_every_time_zone_once_loaded(qtbot, database, jobs, memory_keyring):
    screen = SettingsScreen(database, jobs)
    qtbot.addWidget(screen)
    zone = screen.display.zone
    assert zone.count() == 1  # "The matrix's business time zone": the rest is read on a worker
    screen.refresh()
    qtbot.waitUntil(lambda: zone.count() > 100, timeout=10_000)
    qtbot.waitUntil(lambda: not jobs.running)
    zones = _items(zone)
    assert zones[1] == "UTC" and "Europe/Berlin" in zones and len(set(zones)) == len(zones)
    assert zone.currentIndex() == 0
    assert screen.display.now_shown.text().startswith("Now: ")
    screen.refresh()  # loaded again: listed once
    qtbot.waitUntil(lambda: not jobs.running)
    assert _items(zone) == zones


def test_settings_sections_are_there_when_asked_for_before_they_are_built(
    qtbot, database, jobs, memory_keyring
):
    screen = SettingsScreen(database, jobs)
    qtbot.addWidget(screen)
    assert isinstance(screen.policy, Section) and screen.built
    assert [type(s).__name__ for s in screen.sections][-2:] == ["PolicySection", "LinksSection"]


@pytest.fixture
def matrix_database(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'matrix.db'}")
    ensure_matrix(db)
    yield db
    db.dispose()


def test_matrix_lists_zones_and_holiday_countries_once_loaded(qtbot, matrix_database):
    time_zones.cache_clear()  # as in a fresh app: not read yet
    countries.cache_clear()
    jobs = JobRunner()
    screen = MatrixScreen(matrix_database, jobs)
    qtbot.addWidget(screen)
    assert screen.calendars.zone.count() == 0 and screen.calendars.country.count() == 1
    screen.refresh()
    qtbot.waitUntil(lambda: screen.state is not None and not jobs.running, timeout=10_000)
    zones = _items(screen.calendars.zone)
    assert "Europe/Berlin" in zones and len(zones) > 100
    assert "Europe/Berlin" in _items(screen.matrix_fields.zone)
    assert screen.calendars.country.findData("DE") > 0
    calendar = screen.draft.doc["calendars"][screen.calendars._key()]
    assert screen.calendars.zone.currentText() == calendar.get("timezone", "")
    jobs.shutdown()


def test_matrix_cells_show_each_edit_and_its_undo(qtbot, matrix_database):
    jobs = JobRunner()
    screen = MatrixScreen(matrix_database, jobs)
    qtbot.addWidget(screen)
    screen.refresh()
    qtbot.waitUntil(lambda: screen.state is not None and not jobs.running, timeout=10_000)
    model = screen.model
    cell = model.index(0, 0)
    before = model.data(cell)
    rule = dict(model.data(cell, RULE_ROLE))
    assert model.setData(cell, {**rule, "target": "7bd"})
    assert model.data(cell) != before and "7" in model.data(cell)
    screen.draft.stack.undo()
    assert model.data(cell) == before
    screen.save_timer.stop()
    qtbot.waitUntil(lambda: not jobs.running)
    jobs.shutdown()


def test_set_choices_keeps_the_list_and_drops_an_unknown_value_once_it_goes(qtbot):
    combo = QComboBox()
    set_choices(combo, ("a", "b"), "b", blank=True)
    assert _items(combo) == ["", "a", "b"] and combo.currentText() == "b"
    set_choices(combo, ("a", "b"), "zz", blank=True)
    assert _items(combo) == ["", "a", "b", "zz"] and combo.currentText() == "zz"
    set_choices(combo, ("a", "b"), "a", blank=True)
    assert _items(combo) == ["", "a", "b"] and combo.currentText() == "a"
    set_choices(combo, ("c",), "c")
    assert _items(combo) == ["c"]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_for_a_workers_bulk_work_only(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_settings_shut_down_while_building_start_no_job(qtbot, database, jobs, memory_keyring):
    screen = SettingsScreen(database, jobs)
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    screen.shutdown()  # before any section was built
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)  # the load comes back
    started: list[object] = []
    jobs.busy.connect(started.append)
    screen._build_step()  # the turn in which the next section would have been built
    assert started == [] and not jobs.running
    assert not screen._channels and not screen.save_button.isEnabled()
