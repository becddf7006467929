"""The alert ladder: each clock's warning, breach and escalation steps, when each is crossed, what fires."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.calendar import Calendar
from slaapp.engine.matrix import Handoff

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

NEVER = int(np.iinfo(np.int64).max)
"""The instant of a step that is not crossed while the clock stays as it is (paused, closed)."""
WARNING, BREACH, ESCALATION = "warning", "breach", "escalation"


@dataclass(frozen=True)
class Step:
    """One rung: at this fraction of the target, notify these roles through these channels."""

    key: str
    at: float
    kind: str
    notify: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    reassign: bool = False
    critical: bool = False
    """Its SMS go at once, even in the person's quiet hours."""

    @property
    def remindable(self) -> bool:
        """Breaches and escalations remind until acknowledged; warnings never repeat."""
        return self.kind != WARNING


def step_key(kind: str, at: float) -> str:
    if kind == BREACH:
        return "breach"
    return f"{'warn' if kind == WARNING else 'esc'}@{at:g}"


def ladder(handoff: Handoff, segment: str) -> tuple[Step, ...]:
    """The steps of a rule in order: warnings below 1.0, the breach at 1.0, escalations after.

    An escalation step at exactly 1.0 gives the breach its recipients and channels.
    """
    steps = [
        Step(step_key(WARNING, at), at, WARNING) for at in handoff.rule_warn_at(segment) if at < 1.0
    ]
    breach = Step(step_key(BREACH, 1.0), 1.0, BREACH)
    for escalation in handoff.escalation:
        if escalation.at == 1.0:
            breach = Step(
                breach.key, 1.0, BREACH, escalation.notify, escalation.channels,
                escalation.reassign, escalation.critical,
            )  # fmt: skip
    steps.append(breach)
    steps += [
        Step(
            step_key(ESCALATION, e.at),
            e.at,
            ESCALATION,
            e.notify,
            e.channels,
            e.reassign,
            e.critical,
        )
        for e in handoff.escalation
        if e.at > 1.0
    ]
    unique = {s.at: s for s in sorted(steps, key=lambda s: s.at)}
    return tuple(unique.values())


def thresholds(steps: tuple[Step, ...], target: int) -> I64:
    """Running seconds at which each step is crossed: warnings when reached, the breach and
    escalations once exceeded (as a clock's status turns `breached` past its due instant)."""
    at = np.array([s.at for s in steps], dtype=np.float64)
    return (np.ceil(at * target) + (at >= 1.0)).astype(np.int64)


def crossings(
    calendar: Calendar, as_of: int, started: I64, elapsed: I64, paused: B, threshold: I64
) -> I64:
    """The instant each clock's running time reaches each threshold, seen from as_of.

    `started` and `elapsed` (n) are each clock's start and running time at as_of,
    `threshold` (n, s) the steps' running times. A future crossing of a running clock is
    exact (the rule calendar's `add` from as_of); a paused clock crosses nothing until it
    resumes (NEVER). A past crossing is placed by counting its surplus back from as_of in
    the calendar (never before the start).
    """
    n, s = threshold.shape
    if n == 0 or s == 0:
        return np.full((n, s), NEVER, dtype=np.int64)
    calendar.cum(np.array([int(started.min()), as_of], dtype=np.int64))
    now_cum = int(calendar.cum(np.array([as_of], dtype=np.int64))[0])
    delta = threshold - elapsed[:, None]
    future = delta > 0
    found = calendar.at_cum((now_cum + delta).ravel(), int(started.min())).reshape(n, s)
    past = np.clip(found, started[:, None], as_of)
    result = np.where(future, found, past)
    result[future & paused[:, None]] = NEVER
    return result.astype(np.int64)


@dataclass(frozen=True, eq=False)
class Plan:
    """What to fire now per clock (`step` index, -1 for nothing; `reminder` when a repeat) and
    the next instant something is due for it (NEVER when nothing is), assuming these fire."""

    step: I32
    reminder: B
    next_at: I64


def plan(
    crossing: I64,
    remindable: B,
    is_open: B,
    fired: I32,
    fired_at: I64,
    acknowledged: B,
    snoozed_until: I64,
    now: int,
    remind_every: int,
    reminders: I32 | None = None,
    max_reminders: int = 0,
) -> Plan:
    """Decide the firings of n clocks with s step slots each (padding slots cross NEVER).

    `fired` is the highest step already fired (-1 none), `fired_at` when it last fired or
    reminded, `acknowledged` whether that step was acknowledged, `snoozed_until` the end of
    a snooze (0 none). Only the highest crossed step fires, each at most once; a closed
    clock fires nothing; a snoozed clock waits; an unacknowledged remindable step repeats
    every `remind_every` seconds (0: never) while it is the clock's highest step, at most
    `max_reminders` times (0: no limit) counting `reminders` already sent for it.
    """
    n, s = crossing.shape
    sent = np.zeros(n, dtype=np.int32) if reminders is None else reminders
    under_cap = np.ones(n, dtype=np.bool_) if max_reminders <= 0 else sent < max_reminders
    crossed = crossing <= now
    any_crossed = crossed.any(axis=1) if s else np.zeros(n, dtype=np.bool_)
    highest = (
        np.where(any_crossed, s - 1 - np.argmax(crossed[:, ::-1], axis=1), -1)
        if s
        else (np.full(n, -1, dtype=np.int64))
    )
    snoozed = snoozed_until > now
    active = is_open & ~snoozed
    new = active & (highest > fired)
    safe = np.clip(fired, 0, max(s - 1, 0))
    can_remind = (
        (fired >= 0)
        & ~acknowledged
        & (remind_every > 0)
        & (remindable[np.arange(n), safe] if s else np.zeros(n, dtype=np.bool_))
    )
    reminder = active & ~new & can_remind & under_cap & (now >= fired_at + remind_every)
    step = np.where(new, highest, np.where(reminder, fired, -1)).astype(np.int32)

    # After these firings: the next step above what has fired, and the next reminder.
    after = np.where(new, highest, fired).astype(np.int64)
    last = np.where(new | reminder, now, fired_at)
    acked_after = np.where(new, False, acknowledged)
    nxt = after + 1
    padded = np.concatenate((crossing, np.full((n, 1), NEVER, dtype=np.int64)), axis=1)
    next_step = padded[np.arange(n), np.minimum(nxt, s)]
    sent_after = np.where(new, 0, sent + reminder)
    cap_after = np.ones(n, dtype=np.bool_) if max_reminders <= 0 else sent_after < max_reminders
    remind_ok = (
        cap_after
        & (after >= 0)
        & ~acked_after
        & (remind_every > 0)
        & (remindable[np.arange(n), np.clip(after, 0, max(s - 1, 0))] if s else False)
    )
    next_remind = np.where(remind_ok, last + remind_every, NEVER)
    candidate = np.minimum(next_step, next_remind)
    candidate = np.where(
        snoozed & (candidate < NEVER), np.maximum(candidate, snoozed_until), candidate
    )
    next_at = np.where(is_open, candidate, NEVER).astype(np.int64)
    return Plan(step, reminder, next_at)
