"""`slaapp alerts run --once` killed with SIGKILL mid-send: the next run re-sends at most one message."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import message_from_bytes

from aiosmtpd.controller import Controller

from slaapp.models.database import Database
from slaapp.models.settings import SMTP, put_setting
from slaapp.notify.alerting_send import LEASE
from slaapp.notify.channels import ChannelSettings, save_channel_settings
from slaapp.notify.email import SmtpSettings

from .smtp_server import free_port
from .test_alert_support import PEOPLE, QUIET, T0, H, assigned, person, setup_org

REPS = 40


@dataclass
class SlowMailbox:
    """Takes a while over each message, as a busy relay does, so a run can die mid-send."""

    received: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        await asyncio.sleep(0.15)
        mail = message_from_bytes(envelope.original_content or envelope.content)
        self.received.append(f"{','.join(envelope.rcpt_tos)} | {mail['Subject']}")
        return "250 Message accepted for delivery"


def _run(url: str, at: int) -> subprocess.Popen[bytes]:
    when = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return subprocess.Popen(
        [sys.executable, "-m", "slaapp", "alerts", "run", "--once", "--as-of", when, "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_a_killed_send_re_sends_at_most_the_message_in_flight(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'slaapp.db'}"
    database = Database(url)
    database.migrate()
    reps = [person(f"rep{i:02d}", "SDR", "rep", "mia") for i in range(REPS)]
    setup_org(
        database,
        [assigned(f"r{i:02d}", T0, owner=f"rep{i:02d}") for i in range(REPS)],
        replace(QUIET, rate_limit_per_hour={"email": 0}),  # every message in one run
        people=(*PEOPLE, *reps),
    )
    mailbox = SlowMailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with database.session() as session:
            put_setting(
                session, SMTP,
                SmtpSettings("127.0.0.1", port, sender="alerts@acme.example", starttls=False)
                .to_dict(), T0,
            )  # fmt: skip
        save_channel_settings(database, ChannelSettings().changed(email=True), T0)
        database.dispose()
        breach_due = T0 + 2 * H + 1  # every rep's first contact is past due: one mail each

        killed = _run(url, breach_due)
        deadline = time.monotonic() + 60
        while len(mailbox.received) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=10)  # reaped, its pipes closed
        sent_before = len(mailbox.received)
        assert 8 <= sent_before < REPS, "the run must die part-way through its sends"

        finished = _run(url, breach_due + LEASE + 1)  # the in-flight claim has lapsed
        _, err = finished.communicate(timeout=120)
        assert finished.returncode == 0, err.decode()
    finally:
        controller.stop()

    per_message = Counter(mailbox.received)
    owners = {line.split(" | ")[0] for line in per_message}
    assert {f"rep{i:02d}@example.com" for i in range(REPS)} <= owners  # nobody missed
    duplicates = sum(n - 1 for n in per_message.values())
    assert duplicates <= 1, [m for m, n in per_message.items() if n > 1]
