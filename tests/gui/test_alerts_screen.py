"""Alerts screen and scheduler, driven by pytest-qt with an injected clock and a recording channel."""

from __future__ import annotations

import pytest

from slaapp.models.database import open_database
from slaapp.notify.alerting import run_alerts
from slaapp.notify.channel import ChannelError
from slaapp.views.alerts.scheduler import AlertScheduler
from slaapp.views.alerts.screen import AlertsScreen
from slaapp.views.alerts.tables import AlertTableModel

from ..integration.test_alert_support import T0, H, assigned, channels, setup_org


class FakeClock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def database(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'alerts.db'}")
    setup_org(db, [assigned("r1", T0, amount="9000"), assigned("r2", T0 + 600, owner="bob")])
    yield db
    db.dispose()


def _screen(qtbot, database, jobs, clock):
    screen = AlertsScreen(database, jobs, clock=clock)
    qtbot.addWidget(screen)
    screen.resize(1300, 800)
    with qtbot.waitSignal(jobs.busy, check_params_cb=lambda busy: not busy, timeout=10000):
        screen.refresh()
    return screen


def test_history_filters_acknowledge_and_retry(qtbot, qtmodeltester, database, jobs) -> None:
    out = channels("desktop", "email", "slack")
    out["slack"].failures.append(ChannelError("410 channel_is_archived", retryable=False))
    run_alerts(database, T0 + H, out)
    run_alerts(database, T0 + 3 * H + 1, out)  # r1 escalates (Slack fails), r2 breaches
    clock = FakeClock(T0 + 3 * H + 2)
    screen = _screen(qtbot, database, jobs, clock)
    qtmodeltester.check(screen.alerts)
    qtmodeltester.check(screen.volume)
    qtmodeltester.check(screen.proxy)
    assert screen.alerts.rowCount() == 3
    assert screen.stack.currentWidget() is screen.table
    # Filters: failed ones only, then one person.
    screen.state.setCurrentIndex(screen.state.findData("failed"))
    assert screen.proxy.rowCount() == 1
    failed_title = screen.proxy.index(0, AlertTableModel.TITLE).data()
    assert failed_title.startswith("Escalation: First contact")
    screen.table.selectRow(0)
    assert (
        screen.retry_button.isEnabled()
        and "410 channel_is_archived" in screen.details.toPlainText()
    )
    with qtbot.waitSignal(screen.data_changed, timeout=10000):
        screen.retry_button.click()
    qtbot.waitUntil(lambda: not jobs.running)
    assert screen.proxy.rowCount() == 0  # nothing failed any more: it waits for the next run
    screen.state.setCurrentIndex(0)
    screen.person.setCurrentIndex(screen.person.findData("bob"))
    assert screen.proxy.rowCount() == 1 and screen.count_label.text() == "1 of 3 alerts"
    screen.table.selectRow(0)
    with qtbot.waitSignal(screen.data_changed, timeout=10000):
        screen.ack_button.click()
    qtbot.waitUntil(lambda: not jobs.running)
    assert screen.proxy.index(0, AlertTableModel.STATE).data() == "Acknowledged"
    volume = {
        screen.volume.index(r, 0).data(): screen.volume.index(r, 3).data()
        for r in range(screen.volume.rowCount())
    }
    assert volume == {"Ann": "1", "Bob": "1", "Mia": "1", "Val": "1"}
    screen.table.selectRow(0)
    with qtbot.waitSignal(screen.open_record, timeout=1000) as opened:
        screen.open_button.click()
    assert isinstance(opened.args[0], int)


def test_empty_history_says_what_to_do(qtbot, tmp_path, jobs) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    screen = _screen(qtbot, db, jobs, FakeClock(T0))
    assert screen.stack.currentWidget() is screen.empty
    assert "slaapp alerts run --once" in screen.empty.text()
    db.dispose()


def test_scheduler_runs_to_the_next_instant_and_handles_toast_buttons(
    qtbot, database, jobs
) -> None:
    clock = FakeClock(T0)
    shown = []
    scheduler = AlertScheduler(database, jobs, shown.append, channels=dict, clock=clock)
    with qtbot.waitSignal(scheduler.ran, timeout=10000) as first:
        scheduler.start()
    assert first.args[0].notices == () and scheduler.next_due == T0 + H
    assert scheduler.timer.isActive() and scheduler.timer.interval() == H * 1000
    clock.now = T0 + H
    with qtbot.waitSignal(scheduler.ran, timeout=10000):
        scheduler.timer.timeout.emit()  # the timer fires at the instant
    assert [n.recipient_key for n in shown] == ["ann"] and shown[0].title.startswith("Due soon")
    assert scheduler.next_due == T0 + H + 600  # r2's first warning
    # Toast buttons: Open names the record, Acknowledge and Snooze update the store.
    with qtbot.waitSignal(scheduler.open_record, timeout=1000) as opened:
        scheduler.handle_action(shown[0].alert_ids, "open")
    assert opened.args[0] == shown[0].record_id
    with qtbot.waitSignal(scheduler.changed, timeout=10000):
        scheduler.handle_action(shown[0].alert_ids, "snooze")
    with qtbot.waitSignal(scheduler.ran, timeout=10000):
        pass  # a snooze re-plans the timer
    with pytest.raises(ValueError, match="unknown toast action"):
        scheduler.handle_action(shown[0].alert_ids, "explode")
    scheduler.stop()


def test_a_manager_approves_or_declines_a_proposed_reassignment(qtbot, tmp_path, jobs) -> None:
    from slaapp.models.alerts import list_actions

    from ..integration.test_alert_escalations import settings_with

    db = open_database(f"sqlite:///{tmp_path / 'ask.db'}")
    try:
        setup_org(
            db, [assigned("r1", T0), assigned("r2", T0 + 60)], settings_with(reassign_policy="ask")
        )
        run_alerts(db, T0 + 3 * H + 120, channels())  # both past 150 % of their 2 h target
        screen = _screen(qtbot, db, jobs, FakeClock(T0 + 3 * H + 121))
        panel = screen.reassignments
        assert panel.model.rowCount() == 2 and not panel.approve.isEnabled()
        assert "Reassignments to decide" in panel.title.text()
        panel.table.selectRow(0)
        with qtbot.waitSignal(panel.decided, timeout=10_000) as approved:
            panel.approve.click()
        assert approved.args[0].startswith("Reassignment reassigned")
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
        panel.table.selectRow(0)
        with qtbot.waitSignal(panel.decided, timeout=10_000) as declined:
            panel.decline.click()
        assert declined.args[0] == "Reassignment declined"
        qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=10_000)
        with db.session() as session:
            states = sorted(a.state for a in list_actions(session))
        assert states == ["applied", "declined"]
        assert panel.table.isHidden() and "none waiting" in panel.title.text()
    finally:
        qtbot.waitUntil(lambda: not jobs.running)
        db.dispose()


def test_open_on_a_digest_toast_shows_the_alerts_screen(qtbot, database, jobs) -> None:
    scheduler = AlertScheduler(database, jobs, show_desktop=lambda notice: None)
    with qtbot.waitSignal(scheduler.open_alerts, timeout=1000):
        scheduler.handle_action((12345, 12346), "open")
