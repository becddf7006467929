"""Remove demo data takes the demo's records, people and every alert about them."""

from __future__ import annotations

from sqlalchemy import func, select

from slaapp.demo.people import DOMAIN
from slaapp.models.tables import Alert, AlertDelivery, Person
from slaapp.services.demo_org import load_demo, remove_demo
from slaapp.services.live_view import live_clocks


def _pattern(session, key: str, owner: str | None, recipient: str) -> None:
    alert = Alert(
        dedup_key=key, record_id=None, step="pattern", severity="pattern", fired_at=1,
        owner=owner, team="SDR", title=f"{key} breaches a lot", lines=[],
    )  # fmt: skip
    session.add(alert)
    session.flush()
    session.add(AlertDelivery(alert_id=alert.id, channel="email", recipient_key=recipient,
                              not_before=1))  # fmt: skip


def test_pattern_alerts_about_demo_people_are_removed_too(database) -> None:
    load_demo(database, days=3)
    with database.session() as session:
        demo_person = session.scalar(select(Person.key).where(Person.email.like(f"%@{DOMAIN}")))
        _pattern(session, "demo-owner", demo_person, "someone")
        _pattern(session, "demo-recipient", None, demo_person)
        _pattern(session, "real", "dana", "dana")
    remove_demo(database)
    assert live_clocks(database, 2_000_000_000) is None
    with database.session() as session:
        left = session.scalars(select(Alert.dedup_key)).all()
        assert left == ["real"]
        assert session.scalar(select(func.count()).select_from(AlertDelivery)) == 1
