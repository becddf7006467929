"""DESIGN.md section 8a with a fake clock: working-time digests, backfill, retries, grouping, health."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from slaapp.engine.eventlog import EventRow, event_log
from slaapp.infra.secrets import SecretStore
from slaapp.models.alerts_settings import save_alert_settings
from slaapp.notify.alerting import run_alerts
from slaapp.notify.alerting_actions import alert_history
from slaapp.notify.email import SmtpSettings
from slaapp.notify.email_channel import EmailChannel
from slaapp.notify.health_store import health_warnings
from slaapp.services.store import store_log

from .smtp_server import PASSWORD, USER, Greylisting, smtp_server
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

DAY = 86400
SEED = [  # a lead handled before the import: the database is in use, nothing of it is due
    assigned("seed", T0 - 120, owner="bob"),
    EventRow("seed", "first_contact", T0 - 60, "bob", {}),
]
NY_ANN = person("ann", "SDR", "rep", "mia", (9, 17), timezone=NY)


def _local(t: int) -> datetime:
    return datetime.fromtimestamp(t, ZoneInfo(NY))


def test_a_new_york_reps_digests_fall_on_slots_of_her_own_working_day(database) -> None:
    # Leads arrive around the clock for two days; Ann works 09:00-17:00 New York. Every
    # warning email she gets is a digest slot of her day: 09:00 or 13:00 New York, never 19:00.
    doc = copy.deepcopy(DOC)
    doc["handoffs"][0]["rules"]["default"]["target"] = "8h"
    people = [p for p in PEOPLE if p.key != "ann"] + [NY_ANN]
    events = [assigned(f"r{i}", T0 - 9 * H + i * 5 * H) for i in range(10)]
    policy = settings_with(quiet_hours=True, warning_channels=("email",), digest_every_minutes=240)
    setup_org(database, events[:1], policy, people, doc)
    out = channels("desktop", "email", "slack")
    arrivals = {e.occurred_at: e for e in events[1:]}
    sent_at: list[tuple[int, str, int]] = []
    for now in range(T0 - 9 * H, T0 + 2 * DAY, 600):
        for at in [a for a in arrivals if a <= now]:
            store_log(database, event_log([arrivals.pop(at)]), source="crm", at=now)
        before = len(out["email"].sent)
        run_alerts(database, now, out)
        sent_at += [(now, n.severity, len(n.alert_ids)) for n in out["email"].sent[before:]
                    if n.recipient_key == "ann"]  # fmt: skip
    warnings_only = [(t, kind) for t, kind, _ in sent_at if kind in ("warning", "digest")]
    assert len(warnings_only) >= 4
    for t, _ in warnings_only:
        local = _local(t)
        assert local.weekday() < 5 and 9 <= local.hour < 17, local
    assert {(_local(t).hour, _local(t).minute) for t, _ in warnings_only} <= {(9, 0), (13, 0)}
    for t, _, _ in sent_at:  # breaches wait for her working hours too (quiet hours), no slot
        local = _local(t)
        assert local.weekday() < 5 and 9 <= local.hour < 17, local


def test_an_import_of_history_90_days_old_fires_nothing(database) -> None:
    old = T0 - 90 * DAY
    events = [assigned(f"r{i}", old + i * H, owner="ann") for i in range(8)]
    setup_org(database, SEED, settings_with())
    store_log(database, event_log(events), source="crm", at=T0)  # arrives today
    out = channels("desktop", "email", "slack")
    run = run_alerts(database, T0, out)
    assert run.fired == () and run.history == 8 and run.sent == 0
    assert all(not c.sent for c in out.values())
    history = alert_history(database, T0)
    assert len(history) == 8 and {a.state(T0) for a in history} == {"history"}
    assert {a.step for a in history} == {"esc@1.5"}  # each clock once, at its latest step
    note = history[0].deliveries[0].last_error or ""
    assert note.startswith("history: the data that revealed it arrived 89 d after it happened")
    later = run_alerts(database, T0 + 6 * H, out)  # history never reminds
    assert later.fired == () and later.sent == 0


def test_history_two_days_old_is_kept_and_its_pattern_is_not_sent(database) -> None:
    events = [assigned(f"r{i}", T0 - 2 * DAY + i * 600, owner="ann") for i in range(6)]
    setup_org(database, SEED, settings_with(pattern_breaches=5))
    store_log(database, event_log(events), source="crm", at=T0)
    out = channels("desktop", "email", "slack")
    run = run_alerts(database, T0, out)
    assert run.sent == 0 and run.patterns == ()
    [pattern] = [a for a in alert_history(database, T0) if a.severity == "pattern"]
    assert pattern.state(T0) == "history"
    fresh = T0 + 60
    store_log(database, event_log([assigned("new", fresh, owner="ann")]), source="crm", at=fresh)
    live = run_alerts(database, fresh + 2 * H + 1, out)  # a lead that arrived live still alerts
    assert len(live.fired) == 1 and live.sent >= 1


@pytest.fixture
def greylisting(tmp_path, monkeypatch):
    monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", PASSWORD)
    with smtp_server(tmp_path, Greylisting(refusals=1)) as (mailbox, port, ca_file):
        yield mailbox, SmtpSettings("127.0.0.1", port, USER, USER, True, str(ca_file))


def test_greylisting_at_rcpt_is_retried_and_delivered(database, greylisting) -> None:
    mailbox, smtp = greylisting
    doc = copy.deepcopy(DOC)
    doc["handoffs"][0]["escalation"][0]["channels"] = ["email"]
    setup_org(database, [assigned("r1", T0)], settings_with(retry_base_seconds=60), doc=doc)
    out = {"email": EmailChannel(smtp, SecretStore())}
    first = run_alerts(database, T0 + 2 * H + 1, out)
    assert first.sent == 0 and len(first.failures) == 2  # Ann and her manager, both greylisted
    assert all(f.will_retry and "451" in f.error for f in first.failures)
    [breach] = alert_history(database, T0 + 2 * H + 1)
    assert {d.state for d in breach.deliveries} == {"retrying"}
    assert mailbox.received == []
    second = run_alerts(database, T0 + 2 * H + 61, out)
    assert second.sent == 2 and second.failures == ()
    assert sorted(r for _, rcpt, _ in mailbox.received for r in rcpt) == [
        "ann@example.com",
        "mia@example.com",
    ]


def test_a_grouped_message_states_time_and_value_of_each_item_most_urgent_first(
    database,
) -> None:
    events = [
        assigned("lead-a", T0, amount="48500"),
        assigned("lead b&c", T0 + 600, amount="126000"),
        assigned("lead-d", T0 + 1200, amount="22000"),
    ]
    setup_org(database, events, settings_with())
    out = channels("desktop", "email", "slack")
    now = T0 + 2 * H + 1201  # all three breached by now; the first one 20 min ago, the last 1 s
    run_alerts(database, now, out)
    [message] = [n for n in out["email"].sent if n.recipient_key == "ann"]
    assert message.title == "3 SLA alerts for Ann: 3 breaches"
    assert message.lines == (
        "• Breached: First contact for lead-a (Ann) · late by 20 min · $48,500 · "
        "https://crm.example/r/lead-a",
        "• Breached: First contact for lead b&c (Ann) · late by 10 min · $126,000 · "
        "https://crm.example/r/lead%20b%26c",
        "• Breached: First contact for lead-d (Ann) · late by 1 s · $22,000 · "
        "https://crm.example/r/lead-d",
    )


def test_escalations_to_one_person_in_one_run_are_one_message(database) -> None:
    events = [assigned(f"r{i}", T0 + i * 60, owner="ann" if i % 2 else "bob") for i in range(6)]
    setup_org(database, events, settings_with())
    out = channels("desktop", "email", "slack")
    run_alerts(database, T0 + 3 * H + 400, out)  # every clock is past 150 %: the VP hears
    vp = [n for n in out["slack"].sent if n.recipient_key == "val"]
    assert len(vp) == 1 and len(vp[0].alert_ids) == 6
    assert vp[0].title == "6 SLA alerts for Val: 6 escalations"


def test_someone_out_of_office_does_not_get_their_alerts_their_manager_does(database) -> None:
    day = _local(T0).date().isoformat()
    away = replace(PEOPLE[2], out_of_office=((day, day),))
    people = [p for p in PEOPLE if p.key != "ann"] + [away]
    setup_org(database, [assigned("r1", T0)], settings_with(), people)
    out = channels("desktop", "email", "slack")
    run_alerts(database, T0 + H + 1, out)  # the 50 % warning goes to the owner: Ann is away
    assert [n.recipient_key for n in out["desktop"].sent] == ["mia"]
    assert "Sent to you while Ann is out of office." in out["desktop"].sent[0].lines


def test_a_step_whose_only_channel_is_off_falls_back_to_email_and_says_so(database) -> None:
    setup_org(database, [assigned("r1", T0)], settings_with())
    out = channels("desktop", "email")  # no Slack: the VP's escalation cannot go there
    run_alerts(database, T0 + 3 * H + 1, out)
    assert [n.recipient_key for n in out["email"].sent if n.severity == "escalation"] == ["val"]
    escalation = next(a for a in alert_history(database, T0 + 3 * H + 1) if a.step == "esc@1.5")
    slack = next(d for d in escalation.deliveries if d.channel == "slack")
    assert slack.state == "cancelled"
    assert slack.last_error == "Slack cannot deliver; going by email instead"


def test_changing_the_policy_retimes_waiting_deliveries(database) -> None:
    people = [p for p in PEOPLE if p.key != "ann"] + [NY_ANN]
    night = T0 - 10 * H  # 23:00 Sunday in New York
    setup_org(database, [assigned("r1", night)], settings_with(quiet_hours=True), people)
    out = channels("desktop", "email", "slack")
    run_alerts(database, night + H, out)
    assert all(n.recipient_key != "ann" for n in out["desktop"].sent)  # held until 09:00
    with database.session() as session:
        save_alert_settings(session, settings_with(quiet_hours=False), night + H + 60)
    run_alerts(database, night + H + 120, out)
    assert [n.recipient_key for n in out["desktop"].sent] == ["ann"]


def test_channel_problems_are_named_with_the_steps_that_need_the_channel(database) -> None:
    setup_org(database, [assigned("r1", T0)], settings_with(warning_channels=("desktop",)))
    assert health_warnings(database) == (
        "Email is off until a mail server is set up (Settings > Email). 1 alert step names it "
        "(First contact at 100% of target); what names nothing else goes to the desktop instead.",
        "Slack is off (Settings > Slack). 1 alert step names it (First contact at 150% of "
        "target); what names nothing else goes to email, else the desktop instead.",
    )
