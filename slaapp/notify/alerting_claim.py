"""Desktop claims: a desktop shows only its person's toasts; unclaimed ones go by email after 10 minutes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from slaapp.models.alerts import queue_delivery
from slaapp.models.database import Database
from slaapp.models.tables import Alert, AlertDelivery
from slaapp.notify.channel import Notice
from slaapp.notify.recipients import Directory, load_directory

UNCLAIMED = 600
"""Seconds a due desktop delivery waits for its person's desktop before it goes by email."""
WAITING = ("waiting", "retrying", "sending")
"""Not shown yet; `sending` past its lease is a claim whose desktop stopped before showing it."""


@dataclass(frozen=True)
class DesktopIdentity:
    """The person a desktop is signed in as; a manager may also watch their team's toasts."""

    person: str
    watch_team: bool = False


NOBODY = DesktopIdentity("")
"""A desktop nobody signed in to: it claims no desktop delivery (they go to email after 10 min)."""


def reports_of(directory: Directory, person: str) -> frozenset[str]:
    """Everyone whose chain of managers reaches `person` (not the person themselves)."""
    found: set[str] = set()
    for key in directory.people:
        seen, current = {key}, directory.people[key].manager
        while current is not None and current not in seen:
            if current == person:
                found.add(key)
                break
            seen.add(current)
            manager = directory.people.get(current)
            current = manager.manager if manager is not None else None
    return frozenset(found)


def claimable(keys: Collection[str]) -> ColumnElement[bool]:
    """The claim rule as a WHERE clause: other channels, or desktop deliveries to `keys`."""
    return or_(AlertDelivery.channel != "desktop", AlertDelivery.recipient_key.in_(list(keys)))


def hand_over_unclaimed(session: Session, now: int) -> int:
    """Desktop deliveries no desktop claimed within UNCLAIMED seconds of being due become
    email deliveries to the same person (sent by whichever run has the email channel)."""
    found = session.execute(
        select(AlertDelivery, Alert)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(
            AlertDelivery.channel == "desktop",
            AlertDelivery.state.in_(WAITING),
            AlertDelivery.not_before <= now - UNCLAIMED,
        )
    ).all()
    rows = []
    for delivery, alert in found:
        if alert.acknowledged_at is not None:
            delivery.state, delivery.last_error = "cancelled", "acknowledged before delivery"
        elif alert.snoozed_until is not None and alert.snoozed_until > now:
            delivery.not_before = alert.snoozed_until
        else:
            rows.append(delivery)
    if not rows:
        return 0
    emails = {
        (alert_id, key)
        for alert_id, key in session.execute(
            select(AlertDelivery.alert_id, AlertDelivery.recipient_key).where(
                AlertDelivery.channel == "email",
                AlertDelivery.alert_id.in_([d.alert_id for d in rows]),
            )
        )
    }
    moved = 0
    for delivery in rows:
        who = delivery.recipient_name or delivery.recipient_key
        if not delivery.address:
            delivery.state = "failed"
            delivery.last_error = (
                f"no desktop signed in as {who} showed it within 10 minutes, "
                "and they have no email address"
            )
            continue
        delivery.state = "cancelled"
        delivery.last_error = (
            f"no desktop signed in as {who} showed it within 10 minutes; handed to email"
        )
        if (delivery.alert_id, delivery.recipient_key) not in emails:
            queue_delivery(
                session, delivery.alert_id, "email", recipient_key=delivery.recipient_key,
                recipient_name=delivery.recipient_name, address=delivery.address, not_before=now,
            )  # fmt: skip
            moved += 1
    session.flush()
    return moved


def next_hand_over(session: Session) -> int | None:
    """When the earliest waiting desktop delivery goes by email if nobody claims it."""
    first = session.scalar(
        select(func.min(AlertDelivery.not_before)).where(
            AlertDelivery.channel == "desktop", AlertDelivery.state.in_(WAITING)
        )
    )
    return None if first is None else int(first) + UNCLAIMED


def watched_notices(
    database: Database, identity: DesktopIdentity, since: int, now: int
) -> tuple[tuple[Notice, ...], int | None]:
    """Toasts of the person's team that came due in (since, now], shown without claiming them
    (the team member's own desktop still shows them); and when the next one comes due."""
    if not identity.watch_team:
        return (), None
    with database.session() as session:
        team = reports_of(load_directory(session), identity.person)
        if not team:
            return (), None
        base = select(AlertDelivery, Alert).join(Alert, Alert.id == AlertDelivery.alert_id)
        base = base.where(
            AlertDelivery.channel == "desktop", AlertDelivery.recipient_key.in_(sorted(team))
        )
        rows = session.execute(
            base.where(AlertDelivery.not_before > since, AlertDelivery.not_before <= now)
            .where(Alert.acknowledged_at.is_(None))
            .order_by(AlertDelivery.id)
        ).all()
        later = session.scalar(
            select(func.min(AlertDelivery.not_before)).where(
                AlertDelivery.channel == "desktop",
                AlertDelivery.recipient_key.in_(sorted(team)),
                AlertDelivery.state.in_(WAITING),
                AlertDelivery.not_before > now,
            )
        )
        notices = tuple(
            Notice(
                (alert.id,),
                alert.severity,
                delivery.recipient_key,
                delivery.recipient_name,
                None,
                f"{alert.title} (for {delivery.recipient_name or delivery.recipient_key})",
                tuple(alert.lines),
                alert.link,
                alert.record_id,
            )
            for delivery, alert in rows
        )
    return notices, None if later is None else int(later)
