"""The alert service: fire due ladder steps and patterns, act on escalations, deliver through channels."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slaapp.models.alerts_settings import (
    load_alert_settings,
)
from slaapp.models.current_clocks import current_clocks
from slaapp.models.database import Database
from slaapp.models.evaluation import StoredClocks
from slaapp.models.tables import Alert, AlertDelivery
from slaapp.notify.alerting_claim import (
    DesktopIdentity,
    claimable,
    hand_over_unclaimed,
    next_hand_over,
)
from slaapp.notify.alerting_fire import fire_due, ladder_plan, next_clock_instant
from slaapp.notify.alerting_send import DUE_STATES, claim_due, record_outcomes, send_batch
from slaapp.notify.channel import Channel
from slaapp.notify.health_store import channel_health, explain_waiting
from slaapp.notify.patterns import find_patterns, fire_patterns
from slaapp.notify.reassign import Writeback, open_load, propose_or_reassign
from slaapp.notify.recipients import load_directory
from slaapp.notify.retime import handoff_calendars, retime_waiting


@dataclass(frozen=True)
class Failure:
    """A delivery that did not go through (it is retried, or waits for a manual retry)."""

    channel: str
    recipient: str
    alert_ids: tuple[int, ...]
    error: str
    will_retry: bool


@dataclass(frozen=True)
class AlertRun:
    """What one run did; `next_due` is when the next run has something to do (None: nothing)."""

    now: int
    fired: tuple[int, ...] = ()
    history: int = 0
    patterns: tuple[int, ...] = ()
    actions: tuple[int, ...] = ()
    sent: int = 0
    digests: int = 0
    failures: tuple[Failure, ...] = ()
    waiting: int = 0
    next_due: int | None = None

    def summary(self) -> str:
        parts = [
            f"{len(self.fired)} alert{'s' if len(self.fired) != 1 else ''} fired",
            f"{self.sent} message{'s' if self.sent != 1 else ''} sent ({self.digests} digests)",
        ]
        if self.history:
            parts.append(f"{self.history} recorded as history (older than the backfill horizon)")
        if self.patterns:
            parts.append(f"{len(self.patterns)} pattern escalations")
        if self.actions:
            parts.append(f"{len(self.actions)} escalation actions")
        if self.failures:
            parts.append(f"{len(self.failures)} failed")
        if self.waiting:
            parts.append(f"{self.waiting} waiting")
        return ", ".join(parts)


def _channel_map(channels: Iterable[Channel] | Mapping[str, Channel]) -> dict[str, Channel]:
    if isinstance(channels, Mapping):
        return dict(channels)
    return {c.name: c for c in channels}


def run_alerts(
    database: Database,
    now: int,
    channels: Iterable[Channel] | Mapping[str, Channel] = (),
    writeback: Writeback | None = None,
    desktop: DesktopIdentity | None = None,
    *,
    fire: bool = True,
) -> AlertRun:
    """Fire every step due at `now`, then send what is due on the given channels.

    Firing and claiming happen in one transaction (SQLite's write lock taken up front,
    PostgreSQL rows locked), sending outside it, and each message's outcome is committed
    right after its send, so a crash re-sends at most the one message in flight.
    Deliveries on channels not given (desktop in a headless run) keep waiting. A desktop
    signed in as a person (`desktop`) claims only that person's desktop deliveries; one that
    no desktop claimed within 10 minutes becomes an email to its person. With `fire` False
    (a desktop while `slaapp service` runs) nothing fires: only due deliveries are claimed.
    """
    by_name = _channel_map(channels)
    mine = None if desktop is None else frozenset({desktop.person})
    with database.session(immediate=True) as session:
        settings = load_alert_settings(session)  # the defaults until someone saves a policy
        directory = load_directory(session)
        stored = _clocks_now(session, now, settings.pattern_window_hours * 3600)
        health = channel_health(session, by_name, stored, settings)
        fired, patterns, actions = [], [], []
        clock_next = None
        if stored is not None and fire:
            view = ladder_plan(session, stored, now, settings)
            clock_next = next_clock_instant(view, now, fired=True)
            fired = fire_due(session, stored, view, directory, settings, now, health)
            load = open_load(session)
            for item in fired:
                if item.step.reassign and not item.reminder and not item.history:
                    action = propose_or_reassign(
                        session, directory, alert_id=item.alert_id, record_id=item.record_id,
                        owner=item.owner, policy=settings.reassign_policy, now=now,
                        writeback=writeback, load=load,
                    )  # fmt: skip
                    if action is not None:
                        actions.append(action.id)
            patterns = fire_patterns(
                session, find_patterns(session, stored, directory, settings, now), settings,
                now, health,
            )  # fmt: skip
        if fire and health["email"].ready:  # unclaimed toasts go by email, when it can
            hand_over_unclaimed(session, now)
        if fire:
            retime_waiting(session, settings, directory, handoff_calendars(stored), now)
        explain_waiting(session, health)
        ready = [name for name in by_name if name not in health or health[name].ready]
        batches = claim_due(session, now, ready, settings, mine, stored, directory)
    outcomes = []
    for batch in batches:
        outcome = send_batch(batch, by_name)
        with database.session(immediate=True) as session:
            record_outcomes(session, [outcome], now, settings)
        outcomes.append(outcome)
    with database.session() as session:
        next_due = _earliest(session, clock_next, now, ready, mine)
    failures = tuple(
        Failure(o.channel, o.recipient, o.alert_ids, o.error, o.retryable)
        for o in outcomes
        if o.error is not None
    )
    sent = [b for b, o in zip(batches, outcomes, strict=True) if o.error is None]
    return AlertRun(
        now=now,
        fired=tuple(f.alert_id for f in fired if not f.history),
        history=sum(1 for f in fired if f.history),
        patterns=tuple(patterns),
        actions=tuple(actions),
        sent=len(sent),
        digests=sum(1 for b in sent if b.notice.severity == "digest"),
        failures=failures,
        waiting=_waiting(database),
        next_due=next_due,
    )


def _clocks_now(session: Session, now: int, history: int) -> StoredClocks | None:
    """Open clocks judged at `now`, clocks that stopped in the last `history` seconds (person
    patterns) and every clock of a record with an alert still waiting to go out (checked at
    send time); None before any matrix is published: nothing can be late then."""
    waiting = session.scalars(
        select(Alert.record_id)
        .join(AlertDelivery, AlertDelivery.alert_id == Alert.id)
        .where(AlertDelivery.state.in_(DUE_STATES), Alert.record_id.is_not(None))
        .distinct()
    ).all()
    try:
        return current_clocks(
            session, now, now - history, [r for r in waiting if r is not None], persist=True
        )
    except LookupError:
        return None


def _waiting(database: Database) -> int:
    with database.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AlertDelivery)
                .where(AlertDelivery.state.in_(DUE_STATES))
            )
            or 0
        )


def next_due_instant(
    database: Database, now: int, channels: Iterable[str] | None = None
) -> int | None:
    """The next instant a run has work: a step crossing, a reminder, a snooze end, or a
    waiting delivery on one of `channels` (all channels when None). None when nothing is due."""
    with database.session() as session:
        settings = load_alert_settings(session)
        try:  # open clocks only: the next step crossing is all that is asked
            stored = current_clocks(session, now, since=now)
        except LookupError:
            stored = None
        found = None
        if stored is not None:
            found = next_clock_instant(
                ladder_plan(session, stored, now, settings), now, fired=False
            )
        return _earliest(session, found, now, channels)


def _earliest(
    session: Session,
    clock_next: int | None,
    now: int,
    channels: Iterable[str] | None,
    desktop_for: Collection[str] | None = None,
) -> int | None:
    query = select(func.min(AlertDelivery.not_before)).where(AlertDelivery.state.in_(DUE_STATES))
    if channels is not None:
        query = query.where(AlertDelivery.channel.in_(list(channels)))
    if desktop_for is not None:
        query = query.where(claimable(desktop_for))
    delivery = session.scalar(query)
    candidates = [c for c in (clock_next, delivery, next_hand_over(session)) if c is not None]
    return max(min(candidates), now) if candidates else None
