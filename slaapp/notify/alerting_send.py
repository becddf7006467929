"""Delivery: claim due deliveries, group each person's into digests, send, record the outcome."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.models.alerts import HANDLED
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.tables import Alert, AlertAction, AlertDelivery, Clock
from slaapp.notify.alerting_claim import claimable
from slaapp.notify.channel import Channel, ChannelError, Notice
from slaapp.notify.compose import digest_lines, digest_title
from slaapp.notify.noise import HOUR, RateLimiter, backoff

log = logging.getLogger(__name__)
LEASE = 300
"""Seconds a claimed delivery stays claimed; a run that died mid-send is retried after it."""
DUE_STATES = ("waiting", "retrying", "sending")
URGENCY = {"escalation": 0, "pattern": 1, "breach": 2, "warning": 3}


@dataclass(frozen=True)
class Batch:
    """One message to send: the deliveries it covers and the notice itself."""

    channel: str
    delivery_ids: tuple[int, ...]
    notice: Notice


@dataclass(frozen=True)
class Outcome:
    channel: str
    delivery_ids: tuple[int, ...]
    alert_ids: tuple[int, ...]
    recipient: str
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None


def claim_due(
    session: Session,
    now: int,
    channels: Collection[str],
    settings: AlertSettings,
    desktop_for: Collection[str] | None = None,
) -> list[Batch]:
    """Deliveries due now on these channels, grouped per channel and person, claimed for sending.

    With `desktop_for`, desktop deliveries are claimed only for those people (the person this
    desktop is signed in as); the others wait for their own desktop.
    """
    if not channels:
        return []
    query = (
        select(AlertDelivery, Alert)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(
            AlertDelivery.state.in_(DUE_STATES),
            AlertDelivery.not_before <= now,
            AlertDelivery.channel.in_(list(channels)),
        )
        .order_by(AlertDelivery.id)
    )
    if desktop_for is not None:
        query = query.where(claimable(desktop_for))
    rows = session.execute(query).all()
    changed = _handled_since(session, [alert for _, alert in rows])
    groups: dict[tuple[str, str], list[tuple[AlertDelivery, Alert]]] = {}
    for delivery, alert in rows:
        if alert.acknowledged_at is not None:
            delivery.state, delivery.last_error = "cancelled", "acknowledged before delivery"
            continue
        if alert.id in changed:
            delivery.state = HANDLED
            delivery.last_error = f"handled before delivery: {changed[alert.id]}"
            continue
        if alert.snoozed_until is not None and alert.snoozed_until > now:
            delivery.not_before = alert.snoozed_until
            continue
        groups.setdefault((delivery.channel, delivery.recipient_key), []).append((delivery, alert))
    recent = session.execute(
        select(AlertDelivery.channel, AlertDelivery.recipient_key, AlertDelivery.sent_at).where(
            AlertDelivery.sent_at > now - HOUR
        )
    ).all()
    sends = {(c, who, at) for c, who, at in recent if at is not None}
    limiter = RateLimiter(settings, [(c, at) for c, _, at in sends])
    batches = []
    for (channel, _), members in groups.items():
        slot = limiter.next_slot(channel, now)
        if slot > now:
            for delivery, _alert in members:
                delivery.state, delivery.not_before = "waiting", slot
                delivery.last_error = f"{channel} rate limit reached; sending at the next free slot"
            continue
        limiter.record(channel, now)
        for delivery, _alert in members:
            delivery.state, delivery.not_before = "sending", now + LEASE
        batches.append(
            Batch(
                channel,
                tuple(d.id for d, _ in members),
                _notice([a for _, a in members], members[0][0]),
            )
        )
    return batches


def _handled_since(session: Session, alerts: list[Alert]) -> dict[int, str]:
    """Alerts whose clock was met, cancelled, reassigned or deleted since they fired, with why.

    A missed clock (closed late) still deserves its message; an owner change made by the
    alert's own escalation action does not drop it.
    """
    keyed = {a.id: a for a in alerts if a.record_id is not None and a.cycle is not None}
    if not keyed:
        return {}
    record_ids = sorted({a.record_id for a in keyed.values() if a.record_id is not None})
    clocks: dict[tuple[int, str, int], tuple[str, str | None]] = {}
    acted: set[int] = set()
    for part in range(0, len(record_ids), 900):
        ids = record_ids[part : part + 900]
        for record_id, handoff, cycle, status, owner in session.execute(
            select(Clock.record_id, Clock.handoff, Clock.cycle, Clock.status, Clock.owner).where(
                Clock.record_id.in_(ids)
            )
        ):
            clocks[(record_id, handoff, cycle)] = (status, owner)
        acted.update(
            a
            for a in session.scalars(
                select(AlertAction.alert_id).where(AlertAction.record_id.in_(ids))
            )
            if a is not None
        )
    handled = {}
    for alert_id, alert in keyed.items():
        assert alert.record_id is not None and alert.cycle is not None
        found = clocks.get((alert.record_id, alert.handoff, alert.cycle))
        if found is None:
            handled[alert_id] = "the clock no longer exists"
        elif found[0] in ("met", "cancelled"):
            handled[alert_id] = f"the clock was {found[0]}"
        elif found[1] != alert.owner and alert_id not in acted:
            handled[alert_id] = f"reassigned to {found[1] or 'nobody'}"
    return handled


def _notice(alerts: list[Alert], delivery: AlertDelivery) -> Notice:
    if len(alerts) == 1:
        alert = alerts[0]
        return Notice(
            (alert.id,), alert.severity, delivery.recipient_key, delivery.recipient_name,
            delivery.address, alert.title, tuple(alert.lines), alert.link, alert.record_id,
        )  # fmt: skip
    ordered = sorted(alerts, key=lambda a: (URGENCY.get(a.severity, 9), a.fired_at, a.id))
    return Notice(
        tuple(a.id for a in ordered), "digest", delivery.recipient_key, delivery.recipient_name,
        delivery.address, digest_title(len(ordered), delivery.recipient_name),
        digest_lines([(a.title, a.link) for a in ordered]),
    )  # fmt: skip


def send_batches(batches: list[Batch], channels: Mapping[str, Channel]) -> list[Outcome]:
    """Send each batch; a failure is an outcome to record, never an exception that loses others."""
    outcomes = []
    for batch in batches:
        base = (
            batch.channel,
            batch.delivery_ids,
            batch.notice.alert_ids,
            batch.notice.recipient_key,
        )
        try:
            channels[batch.channel].send(batch.notice)
        except ChannelError as exc:
            log.warning(
                "delivery of alert %s to %s by %s failed: %s",
                ", ".join(str(a) for a in batch.notice.alert_ids),
                batch.notice.recipient_key,
                batch.channel,
                re.sub(r"(\w+://[^/\s]+)/\S*", r"\1/...", str(exc)),  # never a URL's path
            )
            outcomes.append(Outcome(*base, str(exc), exc.retryable, exc.retry_after))
            continue
        except Exception as exc:  # a bug in a channel: logged, kept for retry, never lost
            log.exception(
                "the %s channel failed on alerts %s", batch.channel, batch.notice.alert_ids
            )
            outcomes.append(
                Outcome(*base, f"internal error in the {batch.channel} channel: {exc}", True)
            )
            continue
        outcomes.append(Outcome(*base))
    return outcomes


def record_outcomes(
    session: Session, outcomes: list[Outcome], now: int, settings: AlertSettings
) -> None:
    for outcome in outcomes:
        for delivery in session.scalars(
            select(AlertDelivery).where(AlertDelivery.id.in_(outcome.delivery_ids))
        ):
            delivery.attempts += 1
            if outcome.error is None:
                delivery.state, delivery.sent_at, delivery.last_error = "sent", now, None
            elif outcome.retryable and delivery.attempts < settings.max_attempts:
                delivery.state, delivery.last_error = "retrying", outcome.error
                delivery.not_before = now + backoff(
                    delivery.attempts, settings, outcome.retry_after
                )
            else:
                delivery.state, delivery.last_error = "failed", outcome.error
