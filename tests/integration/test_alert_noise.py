"""Noise control on SQLite and PostgreSQL: quiet hours, business hours, digests, rate limits."""

from __future__ import annotations

import copy

from slaapp.notify.alerting import run_alerts
from slaapp.notify.alerting_actions import alert_history

from .test_alert_support import (
    DOC,
    NY,
    PEOPLE,
    T0,
    H,
    assigned,
    channels,
    person,
    settings_with,
    setup_org,
)

NIGHT = T0 - 10 * H  # Monday 04:00 UTC, 23:00 Sunday in New York


def test_quiet_hours_hold_alerts_until_the_person_works_then_one_digest(database) -> None:
    people = [p for p in PEOPLE if p.key != "ann"] + [
        person("ann", "SDR", "rep", "mia", (9, 17), timezone=NY)
    ]
    setup_org(database, [assigned("r1", NIGHT)], settings_with(quiet_hours=True), people)
    out = channels("desktop", "email", "slack")
    warned = run_alerts(database, NIGHT + H, out)
    assert len(warned.fired) == 1 and warned.sent == 0  # midnight in New York: Ann is off
    run_alerts(database, NIGHT + 2 * H + 1, out)  # the breach: Mia (24 h) hears now, Ann waits
    assert [n.recipient_key for n in out["desktop"].sent] == ["mia"]
    run_alerts(database, T0 - 1, out)  # the VP's escalation bypasses quiet hours
    assert [n.recipient_key for n in out["slack"].sent] == ["val"]
    assert all(n.recipient_key != "ann" for c in out.values() for n in c.sent)
    morning = run_alerts(database, T0, out)  # 09:00 in New York
    ann = [n for n in out["desktop"].sent if n.recipient_key == "ann"]
    # One message: the clock once, as its latest alert (the breach; its warning is superseded),
    # said as of now: assigned 23:00, due 01:00, so 8 h late at 09:00.
    assert len(ann) == 1 and ann[0].severity == "breach"
    assert ann[0].title == "Breached: First contact for r1 (Ann)"
    assert "Late by: 8 h" in ann[0].lines
    warning = next(a for a in alert_history(database, T0) if a.severity == "warning")
    assert {d.state for d in warning.deliveries if d.recipient_key == "ann"} == {"superseded"}
    assert morning.sent >= 1


def test_business_hours_only_waits_for_the_handoff_calendar_but_escalations_bypass(
    database,
) -> None:
    doc = copy.deepcopy(DOC)
    doc["handoffs"][0]["calendar"] = "ny"
    doc["handoffs"][0]["rules"]["default"]["calendar"] = "24x7"
    setup_org(database, [assigned("r1", NIGHT)], settings_with(business_hours_only=True), doc=doc)
    out = channels("desktop", "email", "slack")
    run_alerts(database, NIGHT + H, out)
    assert out["desktop"].sent == []
    run_alerts(database, NIGHT + 3 * H + 1, out)
    assert [n.recipient_key for n in out["slack"].sent] == ["val"]  # critical: sent at night
    assert out["desktop"].sent == []
    run_alerts(database, T0, out)
    assert {n.recipient_key for n in out["desktop"].sent} == {"ann"}


def test_warnings_wait_for_the_digest_and_a_rep_gets_one_message(database) -> None:
    events = [assigned(f"r{i}", T0 + 60 * i) for i in range(6)]
    setup_org(
        database, events, settings_with(warning_channels=("email",), digest_every_minutes=240)
    )
    out = channels("email")
    for step in range(0, 4 * H, 600):
        run_alerts(database, T0 + 60 + step, out)
        if step < H:
            assert out["email"].sent == []
    warnings = [a for a in alert_history(database, T0 + 4 * H) if a.severity == "warning"]
    assert len(warnings) == 12  # two warnings for each of six clocks
    first = out["email"].sent[0]  # the 16:00 digest slot
    assert first.severity == "digest" and first.recipient_key == "ann"
    latest = {a.record: a.id for a in sorted(warnings, key=lambda a: a.id)}  # each 75 % warning
    assert set(latest.values()) - {latest["r0"]} <= set(first.alert_ids)
    items = [line for line in first.lines if line.startswith("• ")]
    assert len(items) == 6  # six clocks, each once: r0 by its breach, the others by a warning
    assert items[0].startswith("• Breached: First contact for r0 (Ann) · late by")
    assert all("left" in line for line in items[1:])
    early = [a for a in warnings if a.id not in latest.values()]  # the 50 % warnings
    assert {d.state for a in early for d in a.deliveries} == {"superseded"}


def test_rate_limit_per_channel_defers_the_rest_to_the_next_free_slot(database) -> None:
    events = [assigned("r1", T0, owner="ann"), assigned("r2", T0, owner="bob")]
    setup_org(
        database,
        events,
        settings_with(rate_limit_per_hour={"desktop": 1}, warning_channels=("desktop",)),
    )
    out = channels("desktop")
    first = run_alerts(database, T0 + H, out)
    assert first.sent == 1 and first.waiting >= 1
    [waiting] = [
        a for a in alert_history(database, T0 + H, state="waiting") if a.severity == "warning"
    ]
    assert "rate limit" in (waiting.deliveries[0].last_error or "")
    assert first.next_due is not None and first.next_due <= T0 + 2 * H
    run_alerts(database, T0 + H + 1800, out)
    assert len(out["desktop"].sent) == 1
    later = run_alerts(database, T0 + 2 * H, out)
    assert later.sent == 1 and {n.recipient_key for n in out["desktop"].sent} == {"ann", "bob"}
