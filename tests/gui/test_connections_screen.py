"""The Connections screen against the fake Salesforce API: add, test, sync, cancel, map, remove."""

from __future__ import annotations

import threading

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QDialog

from slaapp.sync.connections import Connection, get_connection, list_connections
from slaapp.sync.sources import ConnectOptions
from slaapp.views.common.jobs import JobRunner
from slaapp.views.connections import ops
from slaapp.views.connections.dialog import ConnectionDialog
from slaapp.views.connections.mapping_editor import MappingEditor
from slaapp.views.connections.screen import ConnectionsScreen

from ..integration.fake_salesforce import FakeSalesforce, running
from ..integration.test_sync_salesforce import seed

OPTIONS = ConnectOptions(sleep=lambda seconds: None, rand=lambda: 0.0, timeout=5.0)


@pytest.fixture
def fake():
    org = FakeSalesforce(batch_size=3)
    seed(org)
    with running(org):
        yield org


@pytest.fixture
def screen(qtbot, database, memory_keyring):
    jobs = JobRunner()
    widget = ConnectionsScreen(database, jobs, options=OPTIONS)
    qtbot.addWidget(widget)
    widget.refresh()
    qtbot.waitUntil(lambda: not jobs.running)
    yield widget
    widget.shutdown()
    jobs.shutdown()


def add_salesforce(qtbot, screen, fake, monkeypatch) -> None:
    def fill(dialog: ConnectionDialog) -> int:
        dialog.kind.setCurrentIndex(dialog.kind.findData("salesforce"))
        dialog.name.setText("Salesforce prod")
        dialog.url.setText(fake.url)
        dialog.token.setText(fake.access_token)
        dialog.schedule.setValue(15)
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(ConnectionDialog, "exec", fill)
    screen.buttons["add"].click()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1)


def test_empty_state_then_add_test_and_sync(
    qtbot, qtmodeltester, screen, fake, database, monkeypatch
):
    assert not screen.empty.isHidden() and screen.table.isHidden()
    assert not screen.buttons["sync"].isEnabled()
    add_salesforce(qtbot, screen, fake, monkeypatch)
    qtmodeltester.check(screen.model)
    assert screen.model.rows()[0][:4] == ["Salesforce prod", "Salesforce", fake.url, "Every 15 min"]
    assert "Never synced" in screen.model.rows()[0][5]
    screen.buttons["test"].click()
    qtbot.waitUntil(lambda: screen.status.text().startswith("Connected to Acme Corp"))
    assert "left in the last 24 hours" in screen.status.text()
    with qtbot.waitSignal(screen.data_changed, timeout=10_000):
        screen.buttons["sync"].click()
    qtbot.waitUntil(lambda: screen.model.rows()[0][4].startswith("Synced"))
    assert "new events" in screen.model.rows()[0][5]
    assert "API calls left today" in screen.detail.text()
    assert fake.access_token not in screen.detail.text() + screen.status.text()
    qtmodeltester.check(screen.model)


def test_cancel_stops_after_the_current_page(qtbot, screen, fake, monkeypatch):
    add_salesforce(qtbot, screen, fake, monkeypatch)
    blocked, release = threading.Event(), threading.Event()

    def hold(path: str) -> None:
        if "/query/01g" in path and not blocked.is_set():
            blocked.set()
            release.wait(10)

    fake.before.append(hold)
    screen.buttons["sync"].click()
    qtbot.waitUntil(blocked.is_set)
    assert screen.buttons["cancel"].isEnabled() and not screen.buttons["sync"].isEnabled()
    screen.buttons["cancel"].click()
    release.set()
    qtbot.waitUntil(lambda: not screen.sync.running, timeout=10_000)
    assert screen.status.text().startswith("Cancelled; kept what was stored")
    qtbot.waitUntil(lambda: screen.model.rows()[0][4].startswith("Cancelled"))


def test_failure_in_plain_words_and_remove(qtbot, screen, fake, database, monkeypatch):
    add_salesforce(qtbot, screen, fake, monkeypatch)
    fake.api_limit = 0
    screen.buttons["sync"].click()
    qtbot.waitUntil(lambda: not screen.sync.running, timeout=10_000)
    qtbot.waitUntil(lambda: screen.model.rows()[0][4].startswith("Suspended"))
    assert "daily API request limit is used up" in screen.detail.text()
    screen.buttons["remove"].click()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0)
    assert list_connections(database) == ()
    assert not screen.empty.isHidden()


def test_dialog_names_the_wrong_field(qtbot):
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("salesforce"))
    dialog.name.setText("crm")
    dialog.url.setText("yourorg.my.salesforce.com")
    dialog._accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text().startswith("url 'yourorg.my.salesforce.com'")
    dialog.url.setText("https://yourorg.my.salesforce.com")
    dialog.refresh.setText("5Aep-refresh")
    dialog.token.setText("00D!token")
    dialog._accept()
    assert dialog.error.text().startswith("client id:")
    dialog.client_id.setText("3MVG-key")
    dialog._accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_connection().options == {"client_id": "3MVG-key"}


def test_without_keyring_the_screen_says_so_and_asks(qtbot, database, fake, monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    jobs = JobRunner()
    widget = ConnectionsScreen(database, jobs, options=OPTIONS)
    qtbot.addWidget(widget)
    try:
        ops.save(database, Connection("sf", "salesforce", url=fake.url), None)
        widget.refresh()
        qtbot.waitUntil(lambda: widget.model.rowCount() == 1)
        assert not widget.keyring_banner.isHidden()
        asked: list[str] = []
        monkeypatch.setattr(widget, "ask_token", asked.append)
        widget.buttons["test"].click()
        qtbot.waitUntil(lambda: asked == ["sf"])
        assert "no system keyring" in widget.status.text()
    finally:
        widget.shutdown()
        jobs.shutdown()
        keyring.set_keyring(previous)


def test_mapping_editor_previews_real_data_before_saving(
    qtbot, qtmodeltester, database, fake, memory_keyring
):
    ops.save(database, Connection("sf", "salesforce", url=fake.url), fake.access_token)
    jobs = JobRunner()
    editor = MappingEditor(database, jobs, get_connection(database, "sf"), OPTIONS)
    qtbot.addWidget(editor)
    leads = editor.models["leads"]
    qtmodeltester.check(leads)
    stage_row = next(i for i, r in enumerate(leads.rows()) if r[:2] == ["Stage", "Unqualified"])
    leads.setData(leads.index(stage_row, 2), "nurture")
    editor.preview_button.click()
    qtbot.waitUntil(lambda: editor.preview_model.rowCount() > 0, timeout=10_000)
    qtmodeltester.check(editor.preview_model)
    events = {r[2] for r in editor.preview_model.rows()}
    assert {
        "mql",
        "assigned",
        "nurture",
        "sql",
        "closed_won",
    } <= events and "disqualified" not in events
    assert get_connection(database, "sf").mapping == {}  # nothing saved by a preview
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor.save_button.click()
    saved = get_connection(database, "sf").mapping
    assert saved["objects"]["leads"]["stages"]["Unqualified"] == "nurture"
    jobs.shutdown()


def test_mapping_editor_says_what_counts_as_first_contact_and_saves_the_choice(
    qtbot, database, fake, memory_keyring
):
    ops.save(database, Connection("sf", "salesforce", url=fake.url), fake.access_token)
    jobs = JobRunner()
    editor = MappingEditor(database, jobs, get_connection(database, "sf"), OPTIONS)
    qtbot.addWidget(editor)
    rules = editor.contact_rules
    assert rules is not None
    assert editor.tabs.tabText(editor.tabs.count() - 1) == "First contact"
    assert {k: b.text() for k, b in rules.boxes.items()} == {
        "tasks": "Tasks, when IsClosed is true",
        "meetings": "Meetings, once they have taken place",
    }
    assert all(box.isChecked() for box in rules.boxes.values())
    rules.boxes["tasks"].setChecked(False)
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor.save_button.click()
    saved = get_connection(database, "sf").mapping
    assert saved["first_contact_counts"] == {"meetings": {}}
    reopened = MappingEditor(database, jobs, get_connection(database, "sf"), OPTIONS)
    qtbot.addWidget(reopened)
    assert reopened.contact_rules is not None
    assert {k: b.isChecked() for k, b in reopened.contact_rules.boxes.items()} == {
        "tasks": False,
        "meetings": True,
    }
    jobs.shutdown()
