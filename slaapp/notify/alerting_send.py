"""Delivery: claim due deliveries, check them against their clocks, render, send, record."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slaapp.engine.alert_ladder import WARNING
from slaapp.engine.durations import CLOCK_TIME
from slaapp.models.alerts import HANDLED, SUPERSEDED
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.evaluation import StoredClocks
from slaapp.models.tables import Alert, AlertAction, AlertDelivery, Record
from slaapp.notify.alerting_claim import claimable
from slaapp.notify.channel import Channel, ChannelError, Notice
from slaapp.notify.clock_now import ClockKey, ClockNow, clocks_now
from slaapp.notify.compose import amount_of, group_title, item_line, with_time
from slaapp.notify.noise import HOUR, RateLimiter, backoff
from slaapp.notify.recipients import Directory, cover_line

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
    stored: StoredClocks | None = None,
    directory: Directory | None = None,
) -> list[Batch]:
    """Deliveries due now on these channels, grouped per channel and person, claimed for sending.

    Each is checked against its clock as it stands now (`stored`): one whose clock was met,
    cancelled, reassigned or deleted is dropped as handled; a waiting warning whose clock
    fired a later alert is superseded. The text is rendered now. Rows are locked as they are
    read (PostgreSQL: SKIP LOCKED), so two runs never claim the same delivery. With
    `desktop_for`, desktop deliveries are claimed only for those people.
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
        .with_for_update(skip_locked=True, of=AlertDelivery)
    )
    if desktop_for is not None:
        query = query.where(claimable(desktop_for))
    rows = session.execute(query).all()
    facts = _Facts.load(session, [alert for _, alert in rows], stored)
    groups: dict[tuple[str, str], list[tuple[AlertDelivery, Alert]]] = {}
    waited: dict[tuple[str, str], int] = {}  # who has waited longest is served first
    for delivery, alert in rows:
        waited.setdefault((delivery.channel, delivery.recipient_key), delivery.id)
        if alert.acknowledged_at is not None:
            delivery.state, delivery.last_error = "cancelled", "acknowledged before delivery"
            continue
        handled = facts.handled(alert)
        if handled:
            delivery.state, delivery.last_error = HANDLED, f"handled before delivery: {handled}"
            continue
        if alert.severity == WARNING and facts.superseded(alert, delivery.recipient_key):
            delivery.state = SUPERSEDED
            delivery.last_error = "superseded: a later alert on the same clock went to them"
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
    for (channel, _), members in sorted(groups.items(), key=lambda kv: waited[kv[0]]):
        slot = limiter.next_slot(channel, now)
        if slot > now:
            for delivery, _alert in members:
                delivery.state, delivery.not_before = "waiting", slot
                delivery.last_error = f"{channel} rate limit reached; sending at the next free slot"
            continue
        limiter.record(channel, now)
        for delivery, _alert in members:
            delivery.state, delivery.not_before = "sending", now + LEASE
        notice = _notice([a for _, a in members], members[0][0], facts, directory, now)
        batches.append(Batch(channel, tuple(d.id for d, _ in members), notice))
    return batches


def _clock_key(alert: Alert) -> ClockKey | None:
    if alert.record_id is None or alert.cycle is None:
        return None
    return (alert.record_id, alert.handoff, alert.cycle)


@dataclass(frozen=True)
class _Facts:
    """What claiming needs about the alerts' clocks and records, read once per run."""

    live: dict[ClockKey, ClockNow] | None  # None: no clocks known (no matrix yet)
    latest: dict[tuple[int, str, int, str], int]  # newest alert id per clock and recipient
    acted: frozenset[int]  # alerts whose own escalation action changed the owner
    amounts: dict[int, float | None]

    @classmethod
    def load(cls, session: Session, alerts: list[Alert], stored: StoredClocks | None) -> _Facts:
        keys = {k for k in map(_clock_key, alerts) if k is not None}
        record_ids = sorted({k[0] for k in keys})
        latest: dict[tuple[int, str, int, str], int] = {}
        acted: set[int] = set()
        amounts: dict[int, float | None] = {}
        for part in range(0, len(record_ids), 900):
            ids = record_ids[part : part + 900]
            for record_id, handoff, cycle, who, newest in session.execute(
                select(
                    Alert.record_id, Alert.handoff, Alert.cycle, AlertDelivery.recipient_key,
                    func.max(Alert.id),
                )
                .join(AlertDelivery, AlertDelivery.alert_id == Alert.id)
                .where(Alert.record_id.in_(ids))
                .group_by(Alert.record_id, Alert.handoff, Alert.cycle, AlertDelivery.recipient_key)
            ):  # fmt: skip
                latest[(int(record_id or 0), handoff, int(cycle or 0), who)] = int(newest)
            acted.update(
                a
                for a in session.scalars(
                    select(AlertAction.alert_id).where(AlertAction.record_id.in_(ids))
                )
                if a is not None
            )
            for record_id, attributes in session.execute(
                select(Record.id, Record.attributes).where(Record.id.in_(ids))
            ):
                amounts[record_id] = amount_of((attributes or {}).get("amount"))
        live = None if stored is None else clocks_now(stored, keys)
        return cls(live, latest, frozenset(acted), amounts)

    def handled(self, alert: Alert) -> str:
        """Why the alert's clock needs no message any more ("" when it still does).

        A missed clock (closed late) still deserves its message; an owner change made by
        the alert's own escalation action does not drop it.
        """
        key = _clock_key(alert)
        if key is None or self.live is None:
            return ""
        found = self.live.get(key)
        if found is None:
            return "the record no longer exists"
        if found.status in ("met", "cancelled"):
            return f"the clock was {found.status}"
        if found.owner != alert.owner and alert.id not in self.acted:
            return f"reassigned to {found.owner or 'nobody'}"
        return ""

    def superseded(self, alert: Alert, recipient: str) -> bool:
        """Whether a later alert on the same clock went (or goes) to the same person."""
        key = _clock_key(alert)
        return key is not None and self.latest.get((*key, recipient), alert.id) > alert.id

    def now_of(self, alert: Alert) -> ClockNow | None:
        key = _clock_key(alert)
        return None if key is None or self.live is None else self.live.get(key)


def _notice(
    alerts: list[Alert],
    delivery: AlertDelivery,
    facts: _Facts,
    directory: Directory | None,
    now: int,
) -> Notice:
    """The message, rendered now: one alert with its time line as of now, or a grouped
    message listing each clock once (its latest alert), most urgent first."""
    newest: dict[object, Alert] = {}
    for alert in sorted(alerts, key=lambda a: a.id):
        newest[_clock_key(alert) or ("alert", alert.id)] = alert
    kept = list(newest.values())
    cover = (
        ""
        if directory is None
        else cover_line(directory, kept[0].owner, delivery.recipient_key, now)
    )
    if len(kept) == 1:
        alert = kept[0]
        found = facts.now_of(alert)
        body = tuple(alert.lines)
        if found is not None:
            body = with_time(body, found.remaining, found.terms)
        if cover:
            body = (cover, *body)
        return Notice(
            tuple(a.id for a in alerts), alert.severity, delivery.recipient_key,
            delivery.recipient_name, delivery.address, alert.title, body, alert.link,
            alert.record_id,
        )  # fmt: skip

    def urgency(alert: Alert) -> tuple[int, int, int]:
        found = facts.now_of(alert)
        return (URGENCY.get(alert.severity, 9), found.remaining if found else 0, alert.id)

    ordered = sorted(kept, key=urgency)
    items = [_item(alert, facts) for alert in ordered]
    if directory is not None:
        covers = {cover_line(directory, a.owner, delivery.recipient_key, now) for a in ordered}
        items = [c for c in sorted(covers) if c] + items
    return Notice(
        tuple(a.id for a in alerts), "digest", delivery.recipient_key, delivery.recipient_name,
        delivery.address,
        group_title(len(ordered), delivery.recipient_name, [a.severity for a in ordered]),
        tuple(items),
    )  # fmt: skip


def _item(alert: Alert, facts: _Facts) -> str:
    found = facts.now_of(alert)
    amount = facts.amounts.get(alert.record_id) if alert.record_id else None
    if found is None:
        return item_line(alert.title, None, CLOCK_TIME, amount, alert.link)
    return item_line(alert.title, found.remaining, found.terms, amount, alert.link)


def send_batch(batch: Batch, channels: Mapping[str, Channel]) -> Outcome:
    """Send one batch; a failure is an outcome to record, never an exception that loses others."""
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
        return Outcome(*base, str(exc), exc.retryable, exc.retry_after)
    except Exception as exc:  # a bug in a channel: logged, kept for retry, never lost
        log.exception("the %s channel failed on alerts %s", batch.channel, batch.notice.alert_ids)
        return Outcome(*base, f"internal error in the {batch.channel} channel: {exc}", True)
    return Outcome(*base)


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
