"""Re-timing: waiting deliveries follow the alert policy as it is now, not as it was when queued."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.engine.calendar import Calendar
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.evaluation import StoredClocks
from slaapp.models.tables import Alert, AlertDelivery
from slaapp.notify.noise import SMS, delivery_time
from slaapp.notify.recipients import Directory


def handoff_calendars(stored: StoredClocks | None) -> dict[str, Calendar]:
    """Each handoff's business calendar in the newest version that has it."""
    found: dict[str, Calendar] = {}
    for version in stored.matrices if stored is not None else ():
        for handoff in version.matrix.handoffs:
            found[handoff.key] = version.matrix.calendar(handoff.calendar)
    return found


def retime_waiting(
    session: Session,
    settings: AlertSettings,
    directory: Directory,
    calendars: dict[str, Calendar],
    now: int,
) -> int:
    """Give every waiting delivery the time the current policy gives it (quiet hours, business
    hours, digest slots in the person's working time); returns how many moved."""
    moved = 0
    rows = session.execute(
        select(AlertDelivery, Alert)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(AlertDelivery.state == "waiting", AlertDelivery.attempts == 0)
    ).all()
    for delivery, alert in rows:
        if alert.snoozed_until is not None and alert.snoozed_until > now:
            continue
        if (delivery.last_error or "").startswith(f"{delivery.channel} rate limit"):
            continue
        if delivery.channel == SMS:  # timed once when queued: quiet hours unless critical
            continue
        at = delivery_time(
            alert.fired_at, alert.severity, directory.find(delivery.recipient_key),
            calendars.get(alert.handoff) if alert.record_id is not None else None, settings,
            digest=delivery.digest,
        )  # fmt: skip
        at = max(at, alert.fired_at)
        if at != delivery.not_before and (at > now or delivery.not_before > now):
            delivery.not_before = at
            moved += 1
    return moved
