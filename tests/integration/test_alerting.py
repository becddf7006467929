"""The alert service on SQLite and PostgreSQL: crossings, restart, catch-up, failures, ack, snooze."""

from __future__ import annotations

from sqlalchemy import select

from slaapp.engine.eventlog import EventRow
from slaapp.models.database import Database
from slaapp.models.tables import AlertDelivery
from slaapp.notify.alerting import next_due_instant, run_alerts
from slaapp.notify.alerting_actions import (
    acknowledge_alerts,
    alert_history,
    retry_alerts,
    snooze_alerts,
)
from slaapp.notify.channel import ChannelError

from .test_alert_support import T0, H, assigned, channels, settings_with, setup_org


def _deliveries(database: Database) -> list[tuple[str, str, str]]:
    with database.session() as session:
        rows = session.scalars(select(AlertDelivery).order_by(AlertDelivery.id))
        return [(d.channel, d.recipient_key, d.state) for d in rows]


def test_fake_clock_through_crossings_restart_and_catch_up(db_url) -> None:
    database = Database(db_url)
    database.migrate()
    setup_org(database, [assigned("r1", T0, amount="38000", tier="Mid-Market", source="Web")])
    out = channels("desktop", "email", "slack")
    first = run_alerts(database, T0, out)
    assert first.fired == () and first.next_due == T0 + H  # warn@0.5 of a 2 h target
    assert next_due_instant(database, T0) == T0 + H

    warned = run_alerts(database, T0 + H, out)
    assert (
        len(warned.fired) == 1 and warned.sent == 1
    )  # the desktop toast; email waits for the digest
    toast = out["desktop"].sent[0]
    assert toast.recipient_key == "ann" and toast.title.startswith("Due soon: First contact")
    assert "Time left: 1 h" in toast.lines  # a 24x7 rule: hours, not business time
    assert "Deal value: $38,000" in toast.lines
    assert "Source: Web · Tier: Mid-Market" in toast.lines
    assert toast.link == "https://crm.example/r/r1"
    assert any("Ann's open load: 1 open clock" in line for line in toast.lines)
    database.dispose()

    # A restart (a new engine on the same database) repeats nothing.
    database = Database(db_url)
    again = run_alerts(database, T0 + H, out)
    assert again.fired == () and len(out["desktop"].sent) == 1

    # Down from 15:00 to 17:30: the 0.75 warning, the breach and the escalation were all
    # crossed; only the escalation (the highest) fires, once, to the VP over Slack, which fails.
    out["slack"].failures.append(ChannelError("Slack answered 429", retryable=True, retry_after=30))
    late = T0 + 3 * H + 1800
    caught = run_alerts(database, late, out)
    history = alert_history(database, late)
    assert [a.step for a in history] == ["esc@1.5", "warn@0.5"]
    assert caught.failures and caught.failures[0].will_retry
    assert ("slack", "val", "retrying") in _deliveries(database)
    assert run_alerts(database, late, out).fired == ()  # still once
    assert len(out["email"].sent) == 1  # the 0.5 warning's email went out in its digest slot
    # The retry waits for Retry-After, then goes through; nothing was dropped.
    assert run_alerts(database, late + 10, out).sent == 0
    retried = run_alerts(database, late + 30, out)
    assert retried.sent == 1 and out["slack"].sent[0].recipient_key == "val"
    assert out["slack"].sent[0].title.startswith("Escalation: First contact")
    assert all(state == "sent" for *_, state in _deliveries(database))
    database.dispose()


def test_a_permanent_failure_is_reported_and_retried_on_request(database) -> None:
    setup_org(database, [assigned("r1", T0)], settings_with(warning_channels=("webhook",)))
    out = channels("webhook")
    out["webhook"].failures.append(ChannelError("410 channel_is_archived", retryable=False))
    run_alerts(database, T0 + H, out)
    result = run_alerts(database, T0 + 4 * H, out)
    assert result.failures and not result.failures[0].will_retry
    [failed] = alert_history(database, T0 + 4 * H, state="failed")
    assert failed.deliveries[0].last_error == "410 channel_is_archived"
    assert retry_alerts(database, [failed.id], T0 + 5 * H) == 1
    assert run_alerts(database, T0 + 5 * H, out).sent == 1
    assert alert_history(database, T0 + 5 * H, state="failed") == ()


def test_met_and_cancelled_clocks_raise_nothing_more(database) -> None:
    events = [
        assigned("r1", T0), EventRow("r1", "first_contact", T0 + 1800),
        assigned("r2", T0), EventRow("r2", "disqualified", T0 + 1800),
    ]  # fmt: skip
    setup_org(database, events)
    result = run_alerts(database, T0 + 10 * H, channels("desktop", "email", "slack"))
    assert result.fired == () and result.next_due is None


def test_acknowledge_stops_reminders_and_snooze_delays_the_next_step(database) -> None:
    setup_org(database, [assigned("r1", T0)], settings_with(remind_every_minutes=60))
    out = channels("desktop", "email", "slack")
    breach_time = T0 + 2 * H + 1
    run_alerts(database, breach_time, out)
    [breach] = alert_history(database, breach_time)
    assert breach.step == "breach"
    # Snoozed 15 minutes: the escalation (due at 17:00) and reminders wait.
    assert snooze_alerts(database, [breach.id], breach_time, "ann") == 1
    assert next_due_instant(database, breach_time, ["desktop"]) == breach_time + 15 * 60
    reminded = run_alerts(database, breach_time + 15 * 60, out)
    assert next(a.title for a in alert_history(database, breach_time + 15 * 60)).startswith(
        "Reminder: breached"
    )
    assert len(reminded.fired) == 1
    assert acknowledge_alerts(database, [breach.id], breach_time + 20 * 60, "ann") == 1
    # Acknowledged: no more reminders of the breach; the escalation still comes at 1.5.
    quiet = run_alerts(database, breach_time + 50 * 60, out)
    assert quiet.fired == ()
    assert next(a.step for a in alert_history(database, T0 + 3 * H + 1)) == "breach"
    escalated = run_alerts(database, T0 + 3 * H + 1, out)
    assert next(a.step for a in alert_history(database, T0 + 3 * H + 1)) == "esc@1.5"
    assert len(escalated.fired) == 1
