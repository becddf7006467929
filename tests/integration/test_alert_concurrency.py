"""Two alert runs at the same moment (two processes' worth of connections): every message once."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from slaapp.engine.eventlog import event_log
from slaapp.models.database import Database
from slaapp.notify.alerting import run_alerts
from slaapp.notify.channel import Notice
from slaapp.services.store import store_log

from .test_alert_support import T0, H, assigned, settings_with, setup_org


@dataclass
class SharedChannel:
    """One channel object both runs send through, so a double send shows as a repeated key."""

    name: str
    sent: list[Notice] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, notice: Notice) -> None:
        with self.lock:
            self.sent.append(notice)


def test_two_simultaneous_runs_send_every_message_exactly_once(db_url) -> None:
    first = Database(db_url)
    first.migrate()
    second = Database(db_url)
    setup_org(first, [assigned("r0", T0)], settings_with())
    out = {name: SharedChannel(name) for name in ("desktop", "email", "slack")}
    for trial in range(20):
        start = T0 + trial * 4 * H
        record = f"r{trial + 1}"
        store_log(first, event_log([assigned(record, start)]), source="crm", at=start)
        now = start + 2 * H + 1  # this record's breach is due: both runs try to send it
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(
            database: Database,
            now: int = now,
            barrier: threading.Barrier = barrier,
            errors: list[BaseException] = errors,
        ) -> None:
            try:
                barrier.wait()
                run_alerts(database, now, out)
            except BaseException as exc:  # reported below, with the trial
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(db,)) for db in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [], f"trial {trial}: {errors!r}"
    first.dispose()
    second.dispose()
    keys = Counter(
        (channel.name, notice.recipient_key, alert)
        for channel in out.values()
        for notice in channel.sent
        for alert in notice.alert_ids
    )
    assert keys and max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    breaches = {a for (c, who, a) in keys if c == "email" and who == "ann"}
    assert len(breaches) >= 20  # each trial's breach reached Ann once
