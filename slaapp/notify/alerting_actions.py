"""What people do with alerts (acknowledge, snooze, retry, approve) and what the screen shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from slaapp.engine.errors import BadInputError, NotFoundError
from slaapp.engine.people import PersonInfo
from slaapp.models.alerts import (
    ActionView,
    AlertView,
    acknowledge,
    list_actions,
    list_alerts,
    retry_deliveries,
    snooze,
)
from slaapp.models.alerts_settings import load_alert_settings
from slaapp.models.database import Database
from slaapp.models.tables import AlertAction
from slaapp.notify.health_store import health_warnings
from slaapp.notify.reassign import ActionError, Writeback, apply, decline
from slaapp.notify.recipients import load_directory

DAY = 86400
SNOOZE_MINUTES = 15


@dataclass(frozen=True)
class Volume:
    """Alerts that reached one person: today, in the last 7 days, and failed deliveries."""

    key: str
    name: str
    team: str
    today: int
    week: int
    failed: int


@dataclass(frozen=True)
class AlertsOverview:
    """Everything the Alerts screen shows, loaded in one unit of work."""

    now: int
    alerts: tuple[AlertView, ...]
    volume: tuple[Volume, ...]
    actions: tuple[ActionView, ...]
    people: tuple[tuple[str, str], ...]  # (key, name) of everyone with alerts
    names: dict[str, str]  # person key or email -> name
    health: tuple[str, ...] = ()  # channels that cannot deliver what names them, in words


def alert_history(
    database: Database,
    now: int,
    *,
    person: str | None = None,
    state: str | None = None,
    since: int | None = None,
    record_id: int | None = None,
) -> tuple[AlertView, ...]:
    with database.session() as session:
        return tuple(
            list_alerts(session, now, person=person, state=state, since=since, record_id=record_id)
        )


def alerts_overview(database: Database, now: int, days: int = 7) -> AlertsOverview:
    since = now - days * DAY
    with database.session() as session:
        alerts = list_alerts(session, now, since=since)
        directory = load_directory(session)
        actions = list_actions(session)
    volume = _volume(alerts, directory.people, now)
    people = sorted({(v.key, v.name) for v in volume}, key=lambda p: p[1])
    names = {m.key: m.name for m in directory.people.values()}
    names |= {m.email: m.name for m in directory.people.values() if m.email}
    return AlertsOverview(
        now, tuple(alerts), volume, tuple(actions), tuple(people), names,
        health_warnings(database),
    )  # fmt: skip


QUIET_STATES = frozenset({"history", "handled", "superseded", "cancelled"})
"""Deliveries that never reached (and never will reach) their person."""


def _volume(alerts: list[AlertView], people: dict[str, PersonInfo], now: int) -> tuple[Volume, ...]:
    today, week, failed = Counter[str](), Counter[str](), Counter[str]()
    for alert in alerts:
        reached = {d.recipient_key for d in alert.deliveries if d.state not in QUIET_STATES}
        for key in (k for k in alert.recipients if k in reached):
            week[key] += 1
            if alert.fired_at >= now - DAY:
                today[key] += 1
        for delivery in alert.deliveries:
            if delivery.state == "failed":
                failed[delivery.recipient_key] += 1
    rows = []
    for key, count in week.items():
        member = people.get(key)
        rows.append(
            Volume(
                key,
                member.name if member else key,
                member.team if member else "",
                today[key],
                count,
                failed[key],
            )
        )
    return tuple(sorted(rows, key=lambda v: (-v.week, v.name)))


def acknowledge_alerts(database: Database, ids: Collection[int], now: int, by: str) -> int:
    with database.session() as session:
        return acknowledge(session, ids, now, by)


def snooze_alerts(
    database: Database, ids: Collection[int], now: int, by: str, minutes: int = SNOOZE_MINUTES
) -> int:
    if minutes <= 0:
        raise BadInputError(f"snooze for a positive number of minutes, not {minutes}")
    with database.session() as session:
        settings = load_alert_settings(session)
        return snooze(session, ids, now + minutes * 60, now, by, settings.remind_every_minutes * 60)


def retry_alerts(database: Database, ids: Collection[int], now: int) -> int:
    with database.session() as session:
        return retry_deliveries(session, ids, now)


def decide_action(
    database: Database,
    action_id: int,
    approve: bool,
    now: int,
    by: str,
    writeback: Writeback | None = None,
) -> ActionView:
    """Approve (reassign now) or decline a proposed reassignment."""
    with database.session() as session:
        action = session.get(AlertAction, action_id)
        if action is None:
            raise NotFoundError(f"no escalation action with id {action_id}")
        if approve:
            apply(session, action, now, by, writeback)
        else:
            decline(session, action, now, by)
        session.flush()
        found = [a for a in list_actions(session, action.record_id) if a.id == action_id]
    return found[0]


__all__ = ["ActionError", "AlertsOverview", "Volume"]
