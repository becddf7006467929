"""Team mode in the window: what a login may not do is disabled with its reason; the service line."""

from __future__ import annotations

import time
from dataclasses import replace

import psycopg
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import text

from slaapp.app import build_services
from slaapp.services.database import open_database
from slaapp.services.team import SINGLE_USER, Access
from slaapp.services.worker_beat import beat
from slaapp.views.common.team import DataWatch, gate
from slaapp.views.main_window import MainWindow

from ..integration.conftest import PG_URL, _reset_postgres

REP = Access("rep", "ana_login", "ana", team_mode=True)


@pytest.fixture
def window(qtbot, database, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(replace(build_services(database, settings), access=REP))
    qtbot.addWidget(win)
    yield win
    win.timer.stop()
    qtbot.waitUntil(lambda: not win.jobs.running)
    win.services.shutdown()


def test_a_gated_control_stays_disabled_with_its_reason(qtbot) -> None:
    button, action = QPushButton("Publish"), QAction("Publish")
    qtbot.addWidget(button)
    assert gate(button, SINGLE_USER, "publish_matrix") is None and button.isEnabled()
    reason = gate(button, REP, "publish_matrix")
    assert reason == (
        "Your database login ana_login (rep) may not publish matrix versions; "
        "a slaapp admin can grant manager."
    )
    assert gate(action, REP, "edit_settings") is not None
    button.setEnabled(True)  # the screen enables it when a draft changes: it stays off
    action.setEnabled(True)
    assert not button.isEnabled() and button.toolTip() == reason
    assert not action.isEnabled() and "change settings" in action.toolTip()
    assert gate(QPushButton(), REP, "acknowledge") is None


def test_the_window_offers_a_rep_only_what_a_rep_may_do(window, qtbot, database) -> None:
    matrix = window.show_screen("SLA matrix")
    assert not matrix.publish_action.isEnabled()
    assert "publish matrix versions" in matrix.publish_action.toolTip()
    settings = window.show_screen("Settings")
    assert (
        not settings.save_button.isEnabled() and "change settings" in settings.save_button.toolTip()
    )
    connections = window.show_screen("Connections")
    assert not connections.buttons["add"].isEnabled()
    assert "sync CRM connections" in connections.buttons["sync"].toolTip()
    assert connections.buttons["test"].toolTip() == "Check the address and token without syncing"
    alerts = window.show_screen("Alerts")
    alerts.reassignments.approve.setEnabled(True)
    assert not alerts.reassignments.approve.isEnabled()


def test_the_status_bar_says_when_a_service_does_the_work(window, qtbot, database) -> None:
    now = int(time.time())
    beat(database, "server-1:42", now, now)
    window.alerts.trigger()
    labels = window.statusBar().findChildren(QLabel)
    qtbot.waitUntil(lambda: any("server-1" in label.text() for label in labels))
    [line] = [label for label in labels if "server-1" in label.text()]
    assert line.text().startswith("The slaapp service on server-1 runs the syncs")
    assert not line.isHidden()


def test_new_data_from_another_process_reaches_the_window_through_notify(qtbot) -> None:
    try:
        _reset_postgres(PG_URL)
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable ({type(exc).__name__}); set SLAAPP_TEST_PG")
    database = open_database(PG_URL)
    watch = DataWatch(database)
    try:
        other = psycopg.connect(PG_URL, autocommit=True)  # another desktop, or the service
        with qtbot.waitSignal(watch.changed, timeout=1000) as landed:
            other.execute("BEGIN")
            other.execute("INSERT INTO teams (name, function) VALUES ('SDR', '')")
            other.execute("INSERT INTO people (key, name, role, timezone, working_hours, "
                          "out_of_office, capacity, active) VALUES "
                          "('ann', 'Ann', 'rep', 'UTC', '{}', '[]', 5, true)")  # fmt: skip
            other.execute("COMMIT")
        assert landed.args == ["people"]
        other.close()
        own = qtbot.assertNotEmitted(watch.changed, wait=600)  # this process's own write
        with own, database.session() as session:
            session.execute(text("UPDATE people SET capacity = 6"))
    finally:
        watch.stop()
        database.dispose()
