"""Escalation actions: reassign a late record to the next available rep of the team (round robin)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slaapp.engine.errors import UserError
from slaapp.engine.people import PersonInfo
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.settings import ROUND_ROBIN, put_setting, setting_or_default
from slaapp.models.tables import AlertAction, AuditEntry, Clock, Event, Record
from slaapp.notify.recipients import Directory

log = logging.getLogger(__name__)
Writeback = Callable[[str, str, str], None]
"""writeback(source, external_id, new_owner_key): set the owner in the CRM; raises when it cannot."""


class ActionError(UserError):
    """An escalation action that cannot be taken (already decided, nobody available)."""


def open_load(session: Session) -> Counter[str]:
    """Open clocks per owner, as stored."""
    rows = session.execute(
        select(Clock.owner, func.count())
        .where(Clock.is_open, Clock.owner.is_not(None))
        .group_by(Clock.owner)
    )
    return Counter({owner: int(n) for owner, n in rows if owner})


def next_rep(
    session: Session, directory: Directory, owner: str | None, now: int, load: Counter[str]
) -> PersonInfo | None:
    """The next rep of the owner's team after the last one picked, skipping people out of
    office today or at capacity; None when nobody is available."""
    current = directory.find(owner)
    if current is None:
        return None
    team = sorted(
        (p for p in directory.people.values() if p.team == current.team and p.role == "rep"),
        key=lambda p: p.key,
    )
    pointers = setting_or_default(session, ROUND_ROBIN)
    last = str(pointers.get(current.team, ""))
    after = [p for p in team if p.key > last] + [p for p in team if p.key <= last]
    for person in after:
        today = datetime.fromtimestamp(now, ZoneInfo(person.timezone)).date()
        if person.key == current.key or not person.active or person.is_out(today):
            continue
        if load.get(person.key, 0) >= person.capacity:
            continue
        put_setting(session, ROUND_ROBIN, {**pointers, current.team: person.key}, now)
        return person
    return None


def propose_or_reassign(
    session: Session,
    directory: Directory,
    *,
    alert_id: int,
    record_id: int,
    owner: str | None,
    policy: str,
    now: int,
    writeback: Writeback | None,
    load: Counter[str] | None = None,
) -> AlertAction | None:
    """Act on an escalation step that reassigns, under the policy (ask / auto / never).

    `load` (open clocks per owner) is read from the clocks when not given; a run that acts on
    several escalations passes one and this keeps it current.
    """
    if policy == "never":
        return None
    load = open_load(session) if load is None else load
    candidate = next_rep(session, directory, owner, now, load)
    action = AlertAction(
        alert_id=alert_id,
        record_id=record_id,
        kind="reassign",
        from_owner=owner,
        to_owner=candidate.key if candidate else None,
        policy=policy,
        state="proposed" if candidate else "failed",
        created_at=now,
        error=None
        if candidate
        else "nobody on the team is available (out of office or at capacity)",
    )
    session.add(action)
    session.flush()
    _audit(session, now, "slaapp", "reassign_" + action.state, action)
    if candidate is not None and policy == "auto":
        apply(session, action, now, "slaapp", writeback)
        load[candidate.key] += 1
        if owner:
            load[owner] -= 1
    return action


def apply(
    session: Session, action: AlertAction, now: int, actor: str, writeback: Writeback | None
) -> None:
    """Give the record to the action's new owner: an event, the record's owner, its clocks, the CRM."""
    if action.state != "proposed" or not action.to_owner:
        raise ActionError(
            f"action {action.id} is {action.state}; only a proposed reassignment can be applied"
        )
    record = session.get(Record, action.record_id)
    if record is None:
        raise ActionError(f"action {action.id}: its record no longer exists")
    session.add(
        Event(
            record_id=record.id,
            name="reassigned",
            occurred_at=now,
            owner=action.to_owner,
            attributes={},
            source="slaapp",
            raw=None,
            ingested_at=now,
        )
    )
    record.owner, record.updated_at = action.to_owner, now
    action.state, action.decided_at, action.decided_by = "applied", now, actor
    session.flush()
    refresh_clocks(session, now, {record.id})
    if writeback is None:
        action.error = "not written back: this source's connector cannot change owners"
    else:
        try:
            writeback(record.source, record.external_id, action.to_owner)
        except Exception as exc:  # the CRM said no; the local reassignment stands and says so
            log.warning("CRM write-back of record %s failed: %s", record.id, exc)
            action.error = f"CRM write-back failed: {exc}"
    _audit(session, now, actor, "reassigned", action)


def decline(session: Session, action: AlertAction, now: int, actor: str) -> None:
    if action.state != "proposed":
        raise ActionError(f"action {action.id} is {action.state}; only a proposal can be declined")
    action.state, action.decided_at, action.decided_by = "declined", now, actor
    _audit(session, now, actor, "reassign_declined", action)


def _audit(session: Session, now: int, actor: str, what: str, action: AlertAction) -> None:
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action=what,
            entity="record",
            entity_key=str(action.record_id),
            detail={
                "action_id": action.id,
                "alert_id": action.alert_id,
                "from": action.from_owner,
                "to": action.to_owner,
                "policy": action.policy,
                "error": action.error,
            },
        )
    )
