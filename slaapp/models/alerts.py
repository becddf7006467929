"""Stored alerts as plain values: history with filters, acknowledge, snooze, retry, volume per person."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from slaapp.engine.errors import BadInputError, NotFoundError
from slaapp.models.tables import (
    Alert,
    AlertAction,
    AlertClockState,
    AlertDelivery,
    AuditEntry,
    Record,
)

HANDLED = "handled"
"""Handled before delivery: its clock was met, cancelled, reassigned or deleted before sending."""
HISTORY = "history"
"""Revealed by data that arrived after the backfill horizon: recorded, never delivered."""
UNROUTED = "unrouted"
"""Nobody to tell: the step's roles resolved to no one in the directory."""
SUPERSEDED = "superseded"
"""A waiting warning whose clock sent the same person a later alert first: that one says it all."""
ALERT_STATES = (
    "waiting",
    "failed",
    "sent",
    "acknowledged",
    "snoozed",
    HANDLED,
    SUPERSEDED,
    HISTORY,
    UNROUTED,
)
DELIVERY_STATES = ("waiting", "retrying", "sent", "failed", HANDLED, SUPERSEDED, HISTORY)


@dataclass(frozen=True)
class DeliveryView:
    id: int
    channel: str
    recipient_key: str
    recipient_name: str
    state: str
    attempts: int
    last_error: str | None
    not_before: int
    sent_at: int | None


@dataclass(frozen=True)
class AlertView:
    """One fired alert with its deliveries; `state` sums them up (see ALERT_STATES)."""

    id: int
    fired_at: int
    severity: str
    step: str
    reminder: int
    title: str
    lines: tuple[str, ...]
    owner: str | None
    team: str
    record_id: int | None
    record: str
    handoff: str
    link: str | None
    acknowledged_at: int | None
    acknowledged_by: str | None
    snoozed_until: int | None
    deliveries: tuple[DeliveryView, ...]

    def state(self, now: int) -> str:
        if self.acknowledged_at is not None:
            return "acknowledged"
        if self.snoozed_until is not None and self.snoozed_until > now:
            return "snoozed"
        states = {d.state for d in self.deliveries}
        if not states:
            return UNROUTED
        if "failed" in states:
            return "failed"
        if states & {"waiting", "retrying"}:
            return "waiting"
        for quiet in (HISTORY, HANDLED, SUPERSEDED):
            if quiet in states and states <= {quiet, HANDLED, SUPERSEDED, "cancelled"}:
                return quiet
        return "sent"

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.recipient_key for d in self.deliveries))


def list_alerts(
    session: Session,
    now: int,
    *,
    person: str | None = None,
    state: str | None = None,
    since: int | None = None,
    record_id: int | None = None,
    limit: int = 2000,
) -> list[AlertView]:
    """Newest first; `person` matches the owner or any recipient."""
    if state is not None and state not in ALERT_STATES:
        raise BadInputError(f"unknown alert state {state!r}; use one of {', '.join(ALERT_STATES)}")
    query = select(Alert, Record.name, Record.external_id).outerjoin(
        Record, Record.id == Alert.record_id
    )
    if since is not None:
        query = query.where(Alert.fired_at >= since)
    if record_id is not None:
        query = query.where(Alert.record_id == record_id)
    if person is not None:
        targeted = select(AlertDelivery.alert_id).where(AlertDelivery.recipient_key == person)
        query = query.where((Alert.owner == person) | Alert.id.in_(targeted))
    rows = session.execute(query.order_by(Alert.fired_at.desc(), Alert.id.desc())).all()
    ids = [alert.id for alert, _, _ in rows]
    deliveries: dict[int, list[DeliveryView]] = {}
    for part in range(0, len(ids), 900):
        found = session.scalars(
            select(AlertDelivery).where(AlertDelivery.alert_id.in_(ids[part : part + 900]))
        )
        for d in found:
            deliveries.setdefault(d.alert_id, []).append(_delivery(d))
    views = []
    for alert, name, external in rows:
        view = AlertView(
            alert.id, alert.fired_at, alert.severity, alert.step, alert.reminder, alert.title,
            tuple(alert.lines), alert.owner, alert.team, alert.record_id, name or external or "",
            alert.handoff, alert.link, alert.acknowledged_at, alert.acknowledged_by,
            alert.snoozed_until, tuple(sorted(deliveries.get(alert.id, []), key=lambda d: d.id)),
        )  # fmt: skip
        if state is None or view.state(now) == state:
            views.append(view)
        if len(views) >= limit:
            break
    return views


def _delivery(d: AlertDelivery) -> DeliveryView:
    return DeliveryView(
        d.id, d.channel, d.recipient_key, d.recipient_name, d.state, d.attempts, d.last_error,
        d.not_before, d.sent_at,
    )  # fmt: skip


def _clock_states(session: Session, alerts: list[Alert]) -> list[tuple[Alert, AlertClockState]]:
    found = []
    for alert in alerts:
        if alert.record_id is None or alert.cycle is None:
            continue
        state = session.scalar(
            select(AlertClockState).where(
                AlertClockState.record_id == alert.record_id,
                AlertClockState.handoff == alert.handoff,
                AlertClockState.cycle == alert.cycle,
            )
        )
        if state is not None:
            found.append((alert, state))
    return found


def _alerts(session: Session, ids: Collection[int]) -> list[Alert]:
    alerts = list(session.scalars(select(Alert).where(Alert.id.in_(list(ids)))))
    missing = set(ids) - {a.id for a in alerts}
    if missing:
        raise NotFoundError(f"no alert with id {', '.join(map(str, sorted(missing)))}")
    return alerts


def acknowledge(session: Session, ids: Collection[int], now: int, by: str) -> int:
    """Acknowledge alerts: their step stops reminding; returns how many were newly acknowledged."""
    changed = 0
    alerts = _alerts(session, ids)
    for alert in alerts:
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = now, by
            changed += 1
            session.add(_audit(now, by, "alert_acknowledged", alert, {}))
    for alert, state in _clock_states(session, alerts):
        if state.step == alert.step and state.acknowledged_at is None:
            state.acknowledged_at = now
    return changed


def snooze(
    session: Session, ids: Collection[int], until: int, now: int, by: str, remind_every: int = 0
) -> int:
    """Snooze alerts' clocks until `until`: their next step waits until then, and an
    unacknowledged breach or escalation reminds again when the snooze ends."""
    alerts = _alerts(session, ids)
    for alert in alerts:
        alert.snoozed_until = until
        session.add(_audit(now, by, "alert_snoozed", alert, {"until": until}))
    for _, state in _clock_states(session, alerts):
        state.snoozed_until = max(state.snoozed_until or 0, until)
        if remind_every > 0 and state.acknowledged_at is None:
            state.fired_at = min(state.fired_at, until - remind_every)
    return len(alerts)


def retry_deliveries(session: Session, alert_ids: Collection[int], now: int) -> int:
    """Send failed or waiting deliveries of these alerts at the next run (attempts restart)."""
    _alerts(session, alert_ids)
    result = session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.alert_id.in_(list(alert_ids)), AlertDelivery.state != "sent")
        .values(state="waiting", not_before=now, attempts=0)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _audit(
    now: int, actor: str, action: str, alert: Alert, detail: dict[str, object]
) -> AuditEntry:
    entity, key = ("record", str(alert.record_id)) if alert.record_id else ("alert", str(alert.id))
    return AuditEntry(
        at=now, actor=actor, action=action, entity=entity, entity_key=key,
        detail={"alert_id": alert.id, "step": alert.step, **detail},
    )  # fmt: skip


@dataclass(frozen=True)
class ActionView:
    id: int
    alert_id: int | None
    record_id: int
    kind: str
    from_owner: str | None
    to_owner: str | None
    policy: str
    state: str
    error: str | None
    created_at: int
    decided_at: int | None


def list_actions(session: Session, record_id: int | None = None) -> list[ActionView]:
    """Escalation actions (newest first), of one record or all."""
    query = select(AlertAction).order_by(AlertAction.created_at.desc(), AlertAction.id.desc())
    if record_id is not None:
        query = query.where(AlertAction.record_id == record_id)
    return [
        ActionView(
            a.id,
            a.alert_id,
            a.record_id,
            a.kind,
            a.from_owner,
            a.to_owner,
            a.policy,
            a.state,
            a.error,
            a.created_at,
            a.decided_at,
        )
        for a in session.scalars(query)
    ]


def queue_delivery(
    session: Session,
    alert_id: int,
    channel: str,
    *,
    recipient_key: str,
    recipient_name: str,
    address: str | None,
    not_before: int,
    digest: bool = False,
) -> None:
    """Add a waiting delivery of an alert to one recipient on one channel."""
    session.add(
        AlertDelivery(
            alert_id=alert_id,
            channel=channel,
            recipient_key=recipient_key,
            recipient_name=recipient_name,
            address=address,
            state="waiting",
            not_before=not_before,
            attempts=0,
            digest=digest,
        )
    )
