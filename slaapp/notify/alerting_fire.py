"""Firing: evaluate the clocks now, fire each due ladder step once, queue its deliveries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slaapp.engine.alert_clocks import ClockLadders, clock_ladders, open_rows
from slaapp.engine.alert_ladder import NEVER, WARNING, Plan, Step, plan
from slaapp.engine.calendar import Calendar
from slaapp.engine.clocks import OPEN_STATUSES
from slaapp.engine.duration_terms import rule_terms
from slaapp.engine.eventlog import NO_VALUE
from slaapp.models.alerts import HISTORY
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.bulk import chunks
from slaapp.models.evaluation import StoredClocks
from slaapp.models.settings import record_link, record_links
from slaapp.models.tables import Alert, AlertClockState, AlertDelivery, Record
from slaapp.notify.backfill import history_note, is_history, revealed_at
from slaapp.notify.compose import ClockFacts, amount_of, lines, title
from slaapp.notify.health import ChannelHealth, route
from slaapp.notify.noise import SMS, delivery_time
from slaapp.notify.recipients import Directory, Recipient


@dataclass(frozen=True)
class Fired:
    """A step fired for a clock, with what the escalation actions need."""

    alert_id: int
    record_id: int
    handoff: str
    team: str
    owner: str | None
    step: Step
    reminder: int
    history: bool = False


@dataclass(frozen=True, eq=False)
class LadderView:
    """The ladders of the open clocks and the plan for them at one instant."""

    ladders: ClockLadders
    keys: list[tuple[int, str, int]]
    plan: Plan


_STATE = select(
    AlertClockState.record_id, AlertClockState.handoff, AlertClockState.cycle,
    AlertClockState.step_at, AlertClockState.fired_at, AlertClockState.reminders,
    AlertClockState.acknowledged_at, AlertClockState.snoozed_until,
)  # fmt: skip


def ladder_plan(
    session: Session, stored: StoredClocks, now: int, settings: AlertSettings
) -> LadderView:
    clocks = stored.clocks
    rows = open_rows(clocks)
    matrices = {v.number: v.matrix for v in stored.matrices}
    ladders = clock_ladders(clocks, matrices, stored.versions, rows)
    keys = [
        (
            int(stored.record_ids[clocks.record[r]]),
            clocks.handoff_keys[clocks.handoff[r]],
            int(clocks.cycle[r]),
        )
        for r in rows.tolist()
    ]
    open_records = sorted({key[0] for key in keys})
    states: dict[tuple[int, str, int], list[Any]] = {
        (record, handoff, cycle): rest
        for part in chunks(open_records)
        for record, handoff, cycle, *rest in session.execute(
            _STATE.where(AlertClockState.record_id.in_(part))
        )
    }  # the ladder states of open clocks only (as plain rows): closed clocks' never change again
    n = len(ladders)
    fired = np.full(n, -1, dtype=np.int32)
    fired_at = np.zeros(n, dtype=np.int64)
    acked = np.zeros(n, dtype=np.bool_)
    snoozed = np.zeros(n, dtype=np.int64)
    reminders = np.zeros(n, dtype=np.int32)
    for i, key in enumerate(keys):
        state = states.get(key)
        if state is None:
            continue
        step_at, fired_when, reminded, acknowledged_at, snoozed_until = state
        fired[i] = ladders.index_of(i, step_at)
        fired_at[i], reminders[i] = int(fired_when), int(reminded)
        acked[i] = acknowledged_at is not None
        snoozed[i] = snoozed_until or 0
    result = plan(
        ladders.crossing, ladders.remindable, np.ones(n, dtype=np.bool_), fired, fired_at, acked,
        snoozed, now, settings.remind_every_minutes * 60, reminders, settings.max_reminders,
    )  # fmt: skip
    return LadderView(ladders, keys, result)


def next_clock_instant(view: LadderView, now: int, *, fired: bool) -> int | None:
    """When the next step or reminder is due; `fired` says the plan's firings were stored."""
    if not len(view.ladders):
        return None
    if not fired and bool((view.plan.step >= 0).any()):
        return now
    found = int(view.plan.next_at.min())
    return None if found >= NEVER else found


def fire_due(
    session: Session,
    stored: StoredClocks,
    view: LadderView,
    directory: Directory,
    settings: AlertSettings,
    now: int,
    health: dict[str, ChannelHealth],
) -> list[Fired]:
    """Store an alert, the clock's ladder state and the deliveries for every due step.

    A step that the data revealed more than the backfill horizon after its instant is stored
    as history: no delivery goes out, and its clock does not remind.
    """
    due = np.flatnonzero(view.plan.step >= 0)
    if due.size == 0:
        return []
    clocks = stored.clocks
    rows = view.ladders.rows
    record_ids = sorted({view.keys[i][0] for i in due.tolist()})
    records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(record_ids)))}
    arrived = revealed_at(
        session, [(view.keys[i][0], int(clocks.started_at[rows[i]])) for i in due.tolist()]
    )
    links = record_links(session)
    open_mask = np.isin(clocks.status, OPEN_STATUSES)
    load = Counter(clocks.owner[open_mask].tolist())
    names = {h.key: h.name for v in stored.matrices for h in v.matrix.handoffs}
    segments = {s.key: s.name for v in stored.matrices for s in v.matrix.segments}
    matrices = {v.number: v.matrix for v in stored.matrices}
    fired: list[Fired] = []
    states = {
        (s.record_id, s.handoff, s.cycle): s
        for s in session.scalars(
            select(AlertClockState).where(AlertClockState.record_id.in_(record_ids))
        )
    }  # the ladder states of the clocks that fire now, to move them up
    for i in due.tolist():
        row = int(rows[i])
        step_index = int(view.plan.step[i])
        step = view.ladders.steps[i][step_index]
        record_id, handoff, cycle = view.keys[i]
        record = records[record_id]
        owner_code = int(clocks.owner[row])
        owner = None if owner_code == NO_VALUE else clocks.owners[owner_code]
        member = directory.find(owner)
        team = stored.teams.get(handoff, "")
        segment = clocks.segment_keys[clocks.segment[row]]
        facts = ClockFacts(
            record_id=record_id, record_name=record.name or record.external_id,
            source=record.source, external_id=record.external_id, handoff=handoff,
            handoff_name=names.get(handoff, handoff),
            segment_name=segments.get(segment, ""),
            team=team, owner=owner, owner_name=directory.name_of(owner),
            target=int(clocks.target[row]), remaining=int(clocks.target[row] - clocks.elapsed[row]),
            amount=amount_of(record.attributes.get("amount")), tier=str(record.attributes.get("tier") or ""),
            lead_source=str(record.attributes.get("source") or ""),
            open_load=load.get(owner_code, 0) if owner_code != NO_VALUE else 0,
            capacity=member.capacity if member is not None else None,
            link=record_link(links, record.source, record.external_id),
            terms=rule_terms(matrices.get(int(stored.versions[row])), handoff, segment),
        )  # fmt: skip
        state = states.get((record_id, handoff, cycle))
        reminder = state.reminders + 1 if bool(view.plan.reminder[i]) and state else 0
        instant = now if reminder else int(view.ladders.crossing[i, step_index])
        came = arrived.get((record_id, int(clocks.started_at[row])))
        history = is_history(instant, came, settings.backfill_horizon_hours)
        alert = Alert(
            dedup_key=f"clock:{record_id}:{handoff}:{cycle}:{step.key}:{reminder}",
            record_id=record_id, handoff=handoff, cycle=cycle, step=step.key, step_at=step.at,
            severity=step.kind, reminder=reminder, fired_at=now, owner=owner, team=team,
            title=title(step, facts, reminder), lines=list(lines(step, facts)), link=facts.link,
        )  # fmt: skip
        try:
            with session.begin_nested():
                session.add(alert)
                session.flush()
        except IntegrityError:  # another desktop fired it first
            continue
        _save_state(session, states, (record_id, handoff, cycle), step, now, reminder)
        if history:
            states[(record_id, handoff, cycle)].acknowledged_at = now  # history never reminds
        recipients = _recipients(step, settings, directory, owner, team, now)
        note = history_note(instant, came, settings.backfill_horizon_hours) if history else ""
        queue_alert(
            session, alert, step.kind, recipients, _handoff_calendar(stored, row), settings,
            now, health, step.channels, history_note=note, critical=step.critical,
        )  # fmt: skip
        fired.append(Fired(alert.id, record_id, handoff, team, owner, step, reminder, history))
    session.flush()
    return fired


def _recipients(
    step: Step,
    settings: AlertSettings,
    directory: Directory,
    owner: str | None,
    team: str,
    now: int,
) -> list[Recipient]:
    roles = step.notify if step.kind != WARNING else settings.warning_notify
    return directory.resolve_all(roles or ("owner",), owner, team, at=now)


def step_channels(
    step_kind: str, named: tuple[str, ...], settings: AlertSettings
) -> tuple[str, ...]:
    """The channels a step names: its own, the policy's for warnings, else the desktop."""
    channels = named if step_kind != WARNING else settings.warning_channels
    return channels or ("desktop",)


def queue_alert(
    session: Session,
    alert: Alert,
    kind: str,
    recipients: list[Recipient],
    calendar: Calendar | None,
    settings: AlertSettings,
    now: int,
    health: dict[str, ChannelHealth],
    named: tuple[str, ...],
    *,
    history_note: str = "",
    critical: bool = False,
) -> None:
    """The deliveries of one fired alert: on the channels that can deliver (falling back to
    email, else desktop, when none can), each at its time; as history when `history_note`.

    Warnings and reminders wait for the recipient's digest slot (except as toasts);
    breaches and escalations go at once, within the person's hours unless critical. An SMS
    goes to the person's mobile number, in their working hours unless the step is
    `critical`; someone without a number gets none (a failed delivery says why).
    """
    wanted = step_channels(kind, named, settings)
    ready, blocked, fallback = route(wanted, health)
    for recipient in recipients:
        for channel in (*ready, *(c for c in blocked if c not in ready)):
            digest = (kind == WARNING or alert.reminder > 0) and channel != "desktop"
            at = delivery_time(
                now, kind, recipient.member, calendar, settings, digest=digest, channel=channel,
                critical=critical,
            )  # fmt: skip
            address = recipient.address
            if channel == SMS:
                address = recipient.member.phone if recipient.member is not None else None
            delivery = AlertDelivery(
                alert_id=alert.id, channel=channel, recipient_key=recipient.key,
                recipient_name=recipient.name, address=address, state="waiting",
                not_before=at, attempts=0, digest=digest,
            )  # fmt: skip
            if history_note:
                delivery.state, delivery.last_error = HISTORY, history_note
            elif channel in blocked:
                if fallback:
                    delivery.state, delivery.last_error = "cancelled", fallback
                else:
                    delivery.last_error = f"waiting: {blocked[channel]}"
            elif fallback:
                delivery.last_error = fallback
            if channel == SMS and not address and delivery.state == "waiting":
                delivery.state = "failed"
                delivery.last_error = (
                    f"no mobile number for {recipient.name} in the directory: add it in the "
                    "People screen or with `slaapp people set KEY --phone`"
                )
            session.add(delivery)


def _save_state(
    session: Session,
    states: dict[tuple[int, str, int], AlertClockState],
    key: tuple[int, str, int],
    step: Step,
    now: int,
    reminder: int,
) -> None:
    state = states.get(key)
    if state is None:
        record_id, handoff, cycle = key
        state = states[key] = AlertClockState(
            record_id=record_id,
            handoff=handoff,
            cycle=cycle,
            step=step.key,
            step_at=step.at,
            fired_at=now,
            reminders=0,
        )
        session.add(state)
        return
    if reminder:
        state.reminders = reminder
    else:
        state.step, state.step_at, state.acknowledged_at, state.reminders = (
            step.key,
            step.at,
            None,
            0,
        )
    state.fired_at = now


def _handoff_calendar(stored: StoredClocks, row: int) -> Calendar:
    """The handoff's business calendar ("only during business hours" waits for it to open)."""
    clocks = stored.clocks
    version = int(stored.versions[row])
    matrix = next(v.matrix for v in stored.matrices if v.number == version)
    return matrix.calendar(matrix.handoff(clocks.handoff_keys[clocks.handoff[row]]).calendar)
