"""Pattern escalations: a person with many breaches lately, a team late today (framed as capacity)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slaapp.engine.clocks import BREACHED, MISSED
from slaapp.engine.eventlog import NO_VALUE
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.evaluation import StoredClocks
from slaapp.models.tables import Alert
from slaapp.notify.alerting_fire import queue_alert
from slaapp.notify.backfill import is_history, revealed_at
from slaapp.notify.health import ChannelHealth
from slaapp.notify.noise import local_day_start, utc_day
from slaapp.notify.recipients import Directory, Recipient

HOUR = 3600


@dataclass(frozen=True)
class Pattern:
    """A pattern worth a manager's attention, and who should hear about it."""

    dedup_key: str
    subject: str
    team: str
    title: str
    lines: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    owner: str | None = None
    history_note: str = ""


def find_patterns(
    session: Session, stored: StoredClocks, directory: Directory, settings: AlertSettings, now: int
) -> list[Pattern]:
    return _person_patterns(session, stored, directory, settings, now) + _team_patterns(
        stored, directory, settings, now
    )


def _person_patterns(
    session: Session,
    stored: StoredClocks,
    directory: Directory,
    settings: AlertSettings,
    now: int,
) -> list[Pattern]:
    """Owners whose clocks went past due N times or more in the rolling window.

    When fewer than N of those breaches were known within the backfill horizon of their
    due instant (history just imported), the pattern is recorded as history, not sent.
    """
    clocks = stored.clocks
    if settings.pattern_breaches <= 0 or not len(clocks):
        return []
    since = now - settings.pattern_window_hours * HOUR
    late = (
        np.isin(clocks.status, (BREACHED, MISSED))
        & clocks.has_due
        & (clocks.due_at > since)
        & (clocks.due_at <= now)
        & (clocks.owner != NO_VALUE)
    )
    counts = Counter(clocks.owners[o] for o in clocks.owner[late].tolist())
    live = Counter(
        clocks.owners[o]
        for o in clocks.owner[late & _known_in_time(session, stored, settings, late)]
    )
    patterns = []
    days = max(settings.pattern_window_hours // 24, 1)
    for owner, count in sorted(counts.items()):
        if count < settings.pattern_breaches:
            continue
        person = directory.find(owner)
        manager = directory.find(person.manager) if person is not None else None
        if person is None or manager is None:
            continue
        patterns.append(
            Pattern(
                f"pattern:person:{person.key}:{utc_day(now)}",
                person.key,
                person.team,
                f"{person.name} breached {count} SLAs in {days} days",
                (
                    f"{person.name} ({person.team}) has had {count} handoffs go past due in the "
                    f"last {days} days (threshold {settings.pattern_breaches}).",
                    "Worth a conversation: workload, routing or training may need attention.",
                ),
                (Recipient(manager.key, manager.name, manager.email, manager),),
                person.key,
                "" if live[owner] >= settings.pattern_breaches else HISTORY_PATTERN,
            )
        )
    return patterns


HISTORY_PATTERN = (
    "history: most of these breaches came to light in data that arrived after the "
    "backfill horizon, so it was recorded, not sent"
)


def _known_in_time(
    session: Session, stored: StoredClocks, settings: AlertSettings, late: np.ndarray
) -> np.ndarray:
    """Per clock of `late`: whether the data that opened it arrived within the backfill
    horizon of its due instant (so its breach could have been seen live)."""
    clocks = stored.clocks
    record_ids = np.asarray(stored.record_ids)[clocks.record]
    candidates = np.flatnonzero(late)
    arrived = revealed_at(
        session,
        [(int(record_ids[r]), int(clocks.started_at[r])) for r in candidates.tolist()],
    )
    known = np.zeros(len(clocks), dtype=np.bool_)
    for r in candidates.tolist():
        came = arrived.get((int(record_ids[r]), int(clocks.started_at[r])))
        known[r] = not is_history(int(clocks.due_at[r]), came, settings.backfill_horizon_hours)
    return known


def _team_patterns(
    stored: StoredClocks, directory: Directory, settings: AlertSettings, now: int
) -> list[Pattern]:
    clocks = stored.clocks
    if not len(clocks) or settings.team_breach_rate <= 0:
        return []
    today = clocks.started_at >= local_day_start(now)
    late = np.isin(clocks.status, (BREACHED, MISSED))
    handoff_team = np.array(
        [stored.teams.get(k, "") for k in clocks.handoff_keys] or [""], dtype=object
    )
    teams = handoff_team[clocks.handoff]
    patterns = []
    for team in sorted({str(t) for t in teams[today].tolist() if t}):
        members = today & (teams == team)
        total, breached = int(members.sum()), int((members & late).sum())
        if total < settings.team_min_clocks or breached / total < settings.team_breach_rate:
            continue
        by_owner: dict[str, list[bool]] = defaultdict(list)
        for owner, is_late in zip(
            clocks.owner[members].tolist(), late[members].tolist(), strict=True
        ):
            if owner != NO_VALUE:
                by_owner[clocks.owners[owner]].append(is_late)
        whole_team = bool(by_owner) and all(any(v) for v in by_owner.values())
        managers: dict[str, Recipient] = {}
        for owner in by_owner:
            person = directory.find(owner)
            manager = directory.find(person.manager) if person is not None else None
            if manager is not None:
                managers[manager.key] = Recipient(manager.key, manager.name, manager.email, manager)
        if not managers:
            continue
        rate = f"{breached} of {total} clocks started today ({breached / total:.0%})"
        if whole_team:
            title = f"Capacity: the {team} team is behind today"
            lines = (
                f"{rate} are late, and every one of the {len(by_owner)} people on them has at least one.",
                "This looks like capacity, not individual performance: consider extra hands or rebalancing routing.",
            )
        else:
            worst = sorted(by_owner.items(), key=lambda kv: -sum(kv[1]))[:3]
            title = f"{team}: breach rate {breached / total:.0%} today"
            lines = (
                f"{rate} are late (threshold {settings.team_breach_rate:.0%}).",
                "Most late: " + ", ".join(f"{directory.name_of(o)} ({sum(v)})" for o, v in worst),
            )
        patterns.append(
            Pattern(
                f"pattern:team:{team}:{utc_day(now)}",
                team,
                team,
                title,
                lines,
                tuple(managers.values()),
            )
        )
    return patterns


def fire_patterns(
    session: Session,
    patterns: list[Pattern],
    settings: AlertSettings,
    now: int,
    health: dict[str, ChannelHealth],
) -> list[int]:
    """Store each new pattern once per subject and window (a person: the pattern window; a
    team: its day) with deliveries to its managers. A pattern already fired for the subject
    later than the window's start (a clock that jumped back included) is not fired again."""
    fired = []
    window_start = now - settings.pattern_window_hours * HOUR
    recent = _recent_patterns(session, min(window_start, local_day_start(now)))
    for pattern in patterns:
        since = window_start if pattern.owner else local_day_start(now)
        if any(at > since for at in recent.get(_subject(pattern.dedup_key), ())):
            continue
        alert = Alert(
            dedup_key=pattern.dedup_key, step="pattern", severity="pattern", fired_at=now,
            owner=pattern.owner,
            team=pattern.team, title=pattern.title, lines=list(pattern.lines),
        )  # fmt: skip
        try:
            with session.begin_nested():
                session.add(alert)
                session.flush()
        except IntegrityError:
            continue
        queue_alert(
            session, alert, "pattern", list(pattern.recipients), None, settings, now, health,
            PATTERN_CHANNELS, history_note=pattern.history_note,
        )  # fmt: skip
        if not pattern.history_note:
            fired.append(alert.id)
    session.flush()
    return fired


PATTERN_CHANNELS = ("desktop", "email")


def _subject(dedup_key: str) -> str:
    """`pattern:person:ann` of `pattern:person:ann:2026-12-01`."""
    return dedup_key.rsplit(":", 1)[0]


def _recent_patterns(session: Session, since: int) -> dict[str, list[int]]:
    """When each subject's patterns fired, for those fired after `since` (or in the future)."""
    found: dict[str, list[int]] = {}
    for key, at in session.execute(
        select(Alert.dedup_key, Alert.fired_at).where(
            Alert.severity == "pattern", Alert.fired_at > since
        )
    ):
        found.setdefault(_subject(key), []).append(int(at))
    return found
