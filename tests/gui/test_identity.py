"""Identity: two desktops on one database each toast only their own person (real D-Bus server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

from slaapp.models.database import open_database
from slaapp.notify.alerting_claim import DesktopIdentity
from slaapp.services.people import PersonEntry
from slaapp.views.alerts.scheduler import AlertScheduler
from slaapp.views.common.identity import (
    IdentityDialog,
    desktop_identity,
    guess_person,
    save_identity,
)
from slaapp.views.common.jobs import JobRunner
from slaapp.views.toasts.toast import DesktopToaster

from ..integration.dbus_notifications import notification_daemon, private_bus
from ..integration.test_alert_support import T0, H, assigned, settings_with, setup_org


class FakeClock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def database(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'team.db'}")
    events = [assigned("r1", T0), assigned("r2", T0, owner="bob"), assigned("r3", T0, owner="bob")]
    setup_org(db, events, settings_with(warning_channels=("desktop",)))
    yield db
    db.dispose()


@pytest.fixture
def daemon(monkeypatch):
    with private_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        with notification_daemon(address, "body actions") as mock:
            yield mock


def _desktop(qtbot, database, person: str, clock):
    window = QMainWindow()
    qtbot.addWidget(window)
    toaster = DesktopToaster(window)
    jobs = JobRunner()
    scheduler = AlertScheduler(
        database, jobs, toaster.show, channels=dict, clock=clock,
        identity=lambda: DesktopIdentity(person),
    )  # fmt: skip
    toaster.window = window  # the window owns the toaster: keep it alive with it
    return toaster, jobs, scheduler


def test_two_desktops_each_show_only_their_own_persons_toasts(qtbot, database, daemon):
    clock = FakeClock(T0 + H)
    ann_toaster, ann_jobs, ann = _desktop(qtbot, database, "ann", clock)
    bob_toaster, bob_jobs, bob = _desktop(qtbot, database, "bob", clock)
    assert ann_toaster.backend == bob_toaster.backend == "dbus"
    with qtbot.waitSignal(bob.ran, timeout=10000) as bob_run:
        bob.trigger()  # Bob's desktop runs first: it must not take Ann's toast
    with qtbot.waitSignal(ann.ran, timeout=10000) as ann_run:
        ann.trigger()
    assert {n.recipient_key for n in bob_run.args[0].notices} == {"bob"}
    assert [n.recipient_key for n in ann_run.args[0].notices] == ["ann"]
    assert len(bob_run.args[0].notices) == 1  # Bob's two alerts: one digest
    qtbot.waitUntil(lambda: len(daemon.calls("Notify")) == 2)
    qtbot.waitUntil(lambda: len(ann_toaster.dbus.shown) + len(bob_toaster.dbus.shown) == 2)
    bob_alerts = {i for n in bob_run.args[0].notices for i in n.alert_ids}
    ann_alerts = {i for n in ann_run.args[0].notices for i in n.alert_ids}
    assert set().union(*ann_toaster.dbus.shown.values()) == ann_alerts
    assert set().union(*bob_toaster.dbus.shown.values()) == bob_alerts
    summaries = sorted(call[3] for call in daemon.calls("Notify"))
    assert summaries == sorted(
        n.title for n in (*ann_run.args[0].notices, *bob_run.args[0].notices)
    )
    assert len(bob_alerts) == 2 and len(ann_alerts) == 1 and not ann_alerts & bob_alerts
    for jobs, scheduler, toaster in ((ann_jobs, ann, ann_toaster), (bob_jobs, bob, bob_toaster)):
        scheduler.stop()
        qtbot.waitUntil(lambda jobs=jobs: not jobs.running)
        jobs.shutdown()
        toaster.close()


def _desktop_process(url: str, person: str, now: int) -> dict:
    """Run one desktop in its own process (tests/gui/desktop_process.py); what it toasted."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.desktop_process", url, person, str(now)],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_app_processes_each_show_only_their_own_persons_toasts(tmp_path, daemon):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    db = open_database(url)
    events = [assigned("r1", T0), assigned("r2", T0, owner="bob"), assigned("r3", T0, owner="bob")]
    setup_org(db, events, settings_with(warning_channels=("desktop",)))
    db.dispose()
    bob = _desktop_process(url, "bob", T0 + H)  # Bob's desktop first: it must not take Ann's
    ann = _desktop_process(url, "ann", T0 + H)
    assert bob["recipients"] == ["bob"] and ann["recipients"] == ["ann"]
    assert len(bob["alerts"]) == 2 and len(ann["alerts"]) == 1
    assert not set(bob["alerts"]) & set(ann["alerts"])
    assert len(daemon.calls("Notify")) == 2  # one digest for Bob, one toast for Ann


def test_the_identity_is_kept_per_desktop(tmp_path):
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    assert desktop_identity(settings) is None
    save_identity(settings, "mia", True)
    assert desktop_identity(settings) == DesktopIdentity("mia", True)
    other = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    assert desktop_identity(other) is None


def entry(key: str, name: str, email: str | None, role: str = "rep") -> PersonEntry:
    return PersonEntry(key, name, email, "SDR", None, "", role, "UTC", "mon-fri 09:00-17:00",
                       25, (), (), (), True)  # fmt: skip


PEOPLE = (
    entry("ben.carter", "Ben Carter", "ben.carter@northwind.example"),
    entry("ben.c", "Ben Carter", "bcarter@other.example"),
    entry("mia", "Mia Wong", "mia.wong@northwind.example", "manager"),
)


def test_the_guess_uses_the_login_name_and_the_email_domain():
    assert guess_person(PEOPLE, "bcarter", "") == "ben.c"  # the email's own name wins
    assert guess_person(PEOPLE, "ben.carter", "") == "ben.carter"
    assert guess_person(PEOPLE, "carterb", "") is None  # both Bens: a tie
    assert guess_person(PEOPLE, "CORP\\mwong", "corp.northwind.example") == "mia"
    assert guess_person(PEOPLE, "nobody", "") is None


def test_the_first_start_question_offers_the_guess_and_team_toasts_for_managers(qtbot):
    dialog = IdentityDialog(PEOPLE, None, "mia")
    qtbot.addWidget(dialog)
    assert dialog.person.currentData() == "mia"
    assert dialog.watch.isEnabled() and not dialog.watch.isChecked()  # off by default
    dialog.watch.setChecked(True)
    assert dialog.chosen() == DesktopIdentity("mia", True)
    dialog.person.setCurrentIndex(dialog.person.findData("ben.carter"))
    assert not dialog.watch.isEnabled() and dialog.chosen() == DesktopIdentity("ben.carter")
    dialog.person.setCurrentIndex(0)
    assert dialog.chosen() is None


def test_my_handoffs_is_the_default_view_of_a_rep(qtbot, tmp_path):
    from slaapp.views.live.screen import LiveScreen

    settings = QSettings(str(tmp_path / "live.ini"), QSettings.Format.IniFormat)
    rep = LiveScreen(settings)
    qtbot.addWidget(rep)
    rep.set_identity("ann", "rep")
    assert rep.mine.isChecked() and settings.value("my_person") == "ann"
    manager = LiveScreen(QSettings(str(tmp_path / "mgr.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(manager)
    manager.set_identity("mia", "manager")
    assert not manager.mine.isChecked()


def test_the_first_start_asks_once_and_remembers_the_answer(qtbot, database, jobs, tmp_path):
    from PySide6.QtWidgets import QLabel, QWidget

    from slaapp.views.common.identity import ASKED, IdentityKeeper

    settings = QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat)
    parent = QWidget()
    qtbot.addWidget(parent)
    keeper = IdentityKeeper(database, jobs, settings, parent)
    box = keeper.settings_box()
    assert box.findChild(QLabel).text().startswith("Not signed in")
    keeper.check()
    qtbot.waitUntil(lambda: getattr(keeper, "dialog", None) is not None, timeout=10_000)
    dialog = keeper.dialog
    assert dialog.isVisible() and dialog.person.count() == 1 + 5  # nobody + the five people
    dialog.person.setCurrentIndex(dialog.person.findData("ann"))
    with qtbot.waitSignal(keeper.changed) as told:
        dialog.accept()
    assert told.args == [DesktopIdentity("ann"), "rep"]
    assert desktop_identity(settings) == DesktopIdentity("ann") and settings.value(ASKED)
    assert box.findChild(QLabel).text() == "Signed in as Ann"
    keeper.dialog = None
    keeper.check()  # asked already: applied, never asked again
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    assert keeper.dialog is None


def test_settings_say_who_this_desktop_is(qtbot, database, tmp_path):
    from PySide6.QtWidgets import QGroupBox, QLabel

    from slaapp.app import build_services
    from slaapp.views.main_window import MainWindow

    settings = QSettings(str(tmp_path / "win.ini"), QSettings.Format.IniFormat)
    save_identity(settings, "mia", True)
    window = MainWindow(build_services(database, settings))
    qtbot.addWidget(window)
    screen = window.show_screen("Settings")
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=20_000)
    box = screen.widget().findChild(QGroupBox, "identity_box")
    assert box is not None
    label = box.findChild(QLabel)
    qtbot.waitUntil(
        lambda: label.text() == "Signed in as Mia (with the team's toasts)", timeout=10_000
    )
    window.close()
