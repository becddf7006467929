"""Alert runs on incrementally read clocks fire exactly what runs on a full re-evaluation fire."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from unittest import mock

from sqlalchemy import func, select

from slaapp.models.database import Database
from slaapp.models.evaluation import stored_clocks
from slaapp.models.tables import Alert, AlertDelivery, Clock
from slaapp.notify import alerting
from slaapp.services.demo_org import load_demo

HOUR = 3600


@dataclass
class Outbox:
    name: str
    sent: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)

    def send(self, notice) -> None:
        self.sent.append((notice.recipient_key, tuple(notice.alert_ids)))


def _full(session, now: int, history: int):
    """The alert run's clocks as before: every record's events, every clock judged again."""
    del history
    try:
        return stored_clocks(session, now)
    except LookupError:
        return None


def _alerts(database: Database) -> list[tuple]:
    with database.session() as session:
        alerts = session.execute(
            select(Alert.dedup_key, Alert.severity, Alert.owner, Alert.title).order_by(
                Alert.dedup_key
            )
        ).all()
        deliveries = session.execute(
            select(Alert.dedup_key, AlertDelivery.channel, AlertDelivery.recipient_key,
                   AlertDelivery.state, AlertDelivery.not_before)
            .join(Alert, Alert.id == AlertDelivery.alert_id)
            .order_by(Alert.dedup_key, AlertDelivery.channel, AlertDelivery.recipient_key)
        ).all()  # fmt: skip
    return [tuple(a) for a in alerts] + [tuple(d) for d in deliveries]


def test_a_day_of_alert_runs_fires_and_sends_the_same_as_full_re_evaluation(tmp_path) -> None:
    first = Database(f"sqlite:///{tmp_path / 'incremental.db'}")
    first.migrate()
    load_demo(first, seed=5, days=14)
    first.dispose()
    shutil.copy(tmp_path / "incremental.db", tmp_path / "full.db")
    incremental = Database(f"sqlite:///{tmp_path / 'incremental.db'}")
    full = Database(f"sqlite:///{tmp_path / 'full.db'}")
    with incremental.session() as session:
        start = int(session.scalar(select(func.max(Clock.evaluated_at))))
    outboxes = {name: {c: Outbox(c) for c in ("desktop", "email")} for name in ("inc", "full")}
    for step in range(0, 30 * HOUR, HOUR):
        ran = alerting.run_alerts(incremental, start + step, outboxes["inc"])
        with mock.patch.object(alerting, "_clocks_now", _full):
            before = alerting.run_alerts(full, start + step, outboxes["full"])
        assert (ran.fired, ran.history, ran.sent) == (before.fired, before.history, before.sent)
    assert _alerts(incremental) == _alerts(full)
    fired = _alerts(incremental)
    assert len(fired) > 50  # the day really fired warnings, breaches and escalations
    for channel in ("desktop", "email"):
        assert outboxes["inc"][channel].sent == outboxes["full"][channel].sent
    assert outboxes["inc"]["email"].sent
    incremental.dispose()
    full.dispose()
