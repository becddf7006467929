"""DESIGN.md section 8a with a fake clock: what may wait for a digest, and what is dropped at send."""

from __future__ import annotations

from slaapp.engine.eventlog import EventRow, event_log
from slaapp.notify.alerting import run_alerts
from slaapp.notify.alerting_actions import alert_history
from slaapp.services.store import store_log

from .test_alert_support import T0, H, assigned, channels, settings_with, setup_org

DIGEST = settings_with(warning_channels=("email",), digest_every_minutes=240)


def test_a_breach_in_a_digest_window_goes_out_at_once_while_a_warning_waits(database) -> None:
    # r1 (assigned 14:30) has breached by 16:30; r2 (assigned 15:10) is only warned at 16:10.
    # The next digest slot is 20:00: the warning waits for it, the breach does not.
    events = [assigned("r1", T0 + 1800), assigned("r2", T0 + H + 600)]
    setup_org(database, events, DIGEST)
    out = channels("desktop", "email", "slack")
    now = T0 + 2 * H + 1800 + 1
    run = run_alerts(database, now, out)
    history = {a.record: a for a in alert_history(database, now)}
    breach, warning = history["r1"], history["r2"]
    assert breach.severity == "breach" and warning.severity == "warning"
    assert len(run.fired) == 2
    emailed = [n for n in out["email"].sent if breach.id in n.alert_ids]
    assert {n.recipient_key for n in emailed} == {"ann", "mia"}  # owner and manager, now
    assert all(warning.id not in n.alert_ids for n in out["email"].sent)
    assert {d.channel: d.state for d in breach.deliveries}["email"] == "sent"
    [waiting] = warning.deliveries
    assert waiting.state == "waiting" and waiting.not_before == T0 + 6 * H  # the 20:00 slot
    later = T0 + 6 * H
    run_alerts(database, later, out)
    [sent] = [n for n in out["email"].sent if warning.id in n.alert_ids]
    assert "Late by: 2 h 50 min" in sent.lines  # rendered at send time: r2 breached at 17:10


def test_a_waiting_warning_is_dropped_when_the_lead_is_contacted_first(database) -> None:
    setup_org(database, [assigned("r1", T0 + 1800)], DIGEST)
    out = channels("email")
    fired_at = T0 + H + 1800  # warn@0.5 at 15:30; its digest slot is 16:00
    run_alerts(database, fired_at, out)
    [warning] = alert_history(database, fired_at)
    assert warning.severity == "warning" and warning.state(fired_at) == "waiting"
    contacted = T0 + H + 2700  # 15:45, before the slot
    store_log(
        database, event_log([EventRow("r1", "first_contact", contacted, "ann", {})]),
        source="crm", at=contacted,
    )  # fmt: skip
    slot = T0 + 2 * H
    result = run_alerts(database, slot, out)
    assert out["email"].sent == [] and result.sent == 0
    [after] = alert_history(database, slot)
    assert after.state(slot) == "handled"
    [delivery] = after.deliveries
    assert delivery.state == "handled"
    assert delivery.last_error == "handled before delivery: the clock was met"
    assert [a.id for a in alert_history(database, slot, state="handled")] == [warning.id]


def test_a_waiting_warning_is_dropped_when_the_lead_is_reassigned(database) -> None:
    setup_org(database, [assigned("r1", T0 + 1800)], DIGEST)
    out = channels("email")
    run_alerts(database, T0 + H + 1800, out)
    moved = T0 + H + 2700
    store_log(
        database, event_log([EventRow("r1", "assigned", moved, "bob", {})]),
        source="crm", at=moved,
    )  # fmt: skip
    slot = T0 + 2 * H
    run_alerts(database, slot, out)
    assert all(n.recipient_key != "ann" for n in out["email"].sent)
    warning = next(a for a in alert_history(database, slot) if a.owner == "ann")
    [delivery] = warning.deliveries
    assert delivery.state == "handled" and "reassigned to bob" in (delivery.last_error or "")
