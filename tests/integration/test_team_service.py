"""`slaapp service` and three desktops on one database: every email exactly once over a day."""

from __future__ import annotations

import email
import email.policy
from collections import Counter

import pytest

from slaapp.engine.instants import parse_instant
from slaapp.infra.secrets import SecretStore
from slaapp.models.database import Database
from slaapp.models.ingest import ingest_log
from slaapp.notify.alerting import run_alerts
from slaapp.notify.email import SmtpSettings
from slaapp.notify.email_channel import EmailChannel
from slaapp.reports.schedule import WeeklySchedule
from slaapp.services.scorecard_delivery import save_schedule, save_smtp_settings
from slaapp.services.worker import Worker, desktop_alert_run, desktop_scorecard_if_due
from slaapp.services.worker_beat import STALE_AFTER, beat, live_service, service_alive

from .smtp_server import PASSWORD, USER, smtp_server
from .test_alert_support import T0, H, RecordingChannel, assigned, settings_with, setup_org
from .test_store import NOW, SAMPLE, published

DAY = [assigned(f"r{n}", T0 + n * 1800, owner=("ann", "bob", "cat")[n % 3]) for n in range(12)]
SETTINGS = settings_with(warning_channels=("email",))


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    with smtp_server(tmp_path_factory.mktemp("smtp")) as (mailbox, port, ca_file):
        yield mailbox, SmtpSettings("127.0.0.1", port, USER, USER, True, str(ca_file))


@pytest.fixture
def server(smtp, monkeypatch):
    monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", PASSWORD)
    smtp[0].received.clear()
    return smtp


def _mails(mailbox) -> Counter[tuple[str, str, str]]:
    """Each message sent: recipients, subject and text, and how often it was sent."""
    found: Counter[tuple[str, str, str]] = Counter()
    for _sender, recipients, raw in mailbox.received:
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        body = mail.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        found[(",".join(recipients), " ".join(str(mail["Subject"]).split()), text)] += 1
    return found


def _instants(database: Database, mail: EmailChannel) -> list[int]:
    """The alert instants of the day, as one runner alone meets them (the reference)."""
    instants, at = [], T0
    while at is not None and at <= T0 + 24 * H:
        instants.append(at)
        at = run_alerts(database, at, {"email": mail}).next_due
    return instants


def test_a_service_and_three_desktops_send_every_email_exactly_once(tmp_path, db_url, server):
    mailbox, smtp = server
    mail = EmailChannel(smtp, SecretStore())
    alone = Database(f"sqlite:///{tmp_path / 'alone.db'}")
    alone.migrate()
    setup_org(alone, DAY, SETTINGS)
    instants = _instants(alone, mail)
    alone.dispose()
    expected = _mails(mailbox)
    assert len(instants) > 10 and sum(expected.values()) > 5
    mailbox.received.clear()

    database = Database(db_url)
    database.migrate()
    setup_org(database, DAY, SETTINGS)
    clock = [T0]

    def start(name: str) -> Worker:
        return Worker(database, clock=lambda: clock[0], channels=lambda: {"email": mail}, name=name)

    service = start("svc:1")
    toasts = [RecordingChannel("desktop") for _ in range(3)]
    down = range(len(instants) // 3, len(instants) // 2)  # the service is stopped for a while
    skipped, sent = 0, Counter[str]()
    for n, at in enumerate(instants):
        clock[0] = at
        if n == down.start:
            assert service_alive(database, instants[n - 1])  # alive after its last tick
            service.stop()
            service.run()  # SIGTERM: the loop ends and marks the heartbeat stopped
        elif n == down.stop:
            service = start("svc:2")  # started again
        if n not in down:
            tick = service.tick()
            assert tick.problems == () and tick.alerts is not None
            sent["service"] += tick.alerts.sent
        for toast in toasts:
            run, alive = desktop_alert_run(database, at, {"email": mail, "desktop": toast})
            skipped += alive is not None
            assert (alive is None) == (n in down)
            sent["desktops"] += run.sent if alive is None else 0
    assert skipped == 3 * (len(instants) - len(down))
    assert sent["service"] > 0 and sent["desktops"] > 0  # both sent part of the day
    assert _mails(mailbox) == expected  # every email once: none twice, none missing
    # Each desktop toast was shown once, on one of the desktops.
    shown = Counter((t.recipient_key, t.alert_ids) for toast in toasts for t in toast.sent)
    assert shown and max(shown.values()) == 1
    database.dispose()


def test_a_stopped_service_is_not_alive(database):
    worker = Worker(database, clock=lambda: T0, channels=dict, name="host:7")
    assert live_service(database, T0) is None
    worker.tick()
    found = live_service(database, T0 + 60)
    assert found is not None and (found.host, found.pid) == ("host", 7)
    assert not service_alive(database, T0 + STALE_AFTER + 1)
    worker.stop()
    worker.run()  # stops at once and marks its heartbeat stopped
    assert not service_alive(database, T0 + 1)


def test_the_service_mails_the_weekly_scorecard_and_desktops_leave_it(database, tmp_path, server):
    mailbox, smtp = server
    published(database)
    with database.session() as session:
        ingest_log(session, SAMPLE, source="csv", now=NOW)
    monday_9 = parse_instant("2026-11-30T09:00:00-05:00")
    schedule = WeeklySchedule(0, "08:00", "America/New_York", ("vp@acme.test",), None,
                              str(tmp_path), True, monday_9 - 7 * 86400)  # fmt: skip
    save_schedule(database, schedule, NOW)
    save_smtp_settings(database, smtp, NOW)
    clock = [monday_9 - 4200]  # 07:50 in New York: the 08:00 scorecard is not due
    worker = Worker(database, clock=lambda: clock[0], channels=dict, name="svc:1")
    assert worker.tick().scorecard is None
    clock[0] = monday_9
    beat(database, worker.name, monday_9, monday_9 - 4200)  # its heartbeat at 09:00
    assert desktop_scorecard_if_due(database, monday_9) is None  # due, but the service sends it
    assert mailbox.received == []
    sent = worker.tick().scorecard
    assert sent is not None and sent.recipients == ("vp@acme.test",)
    assert len(mailbox.received) == 1
    assert desktop_scorecard_if_due(database, monday_9 + 60) is None
    assert len(mailbox.received) == 1
