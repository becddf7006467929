"""Everything about one record for its window: timeline, clocks explained, quality, link, actions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from slaapp.engine.display_time import zone_words
from slaapp.engine.duration_terms import calendar_terms
from slaapp.engine.durations import CLOCK_TIME, TimeTerms
from slaapp.engine.explain import explain_due
from slaapp.engine.matrix import DEFAULT_SEGMENT
from slaapp.models.alerts import list_actions, list_alerts
from slaapp.models.database import Database
from slaapp.models.matrices import load_version
from slaapp.models.queries import OpenClock, Timeline, timeline
from slaapp.models.settings import record_link, record_links
from slaapp.models.tables import AuditEntry, Clock
from slaapp.services.display import shown_zone


@dataclass(frozen=True)
class ClockDetail:
    """A clock of the record with its due-time explanation and quality verdict."""

    clock: OpenClock
    handoff_name: str
    segment_name: str
    explanation: str
    paused_seconds: int
    quality: str
    terms: TimeTerms = CLOCK_TIME


@dataclass(frozen=True)
class ActionEntry:
    at: int
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class RecordView:
    timeline: Timeline
    clocks: tuple[ClockDetail, ...]
    actions: tuple[ActionEntry, ...]
    link: str | None


def record_view(database: Database, record_id: int, now: int) -> RecordView:
    """LookupError when the record does not exist (any more)."""
    with database.session() as session:
        found = timeline(session, record_id)
        _, matrix = load_version(session)
        zone = shown_zone(session)
        stored = {
            clock_id: (paused, ok)
            for clock_id, paused, ok in session.execute(
                select(Clock.id, Clock.paused_seconds, Clock.quality_ok).where(
                    Clock.record_id == record_id
                )
            )
        }
        links = record_links(session)
        audit = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "record", AuditEntry.entity_key == str(record_id))
            .order_by(AuditEntry.at)
        ).all()
        entries = [
            ActionEntry(
                a.at, a.actor, a.action, ", ".join(f"{k}: {v}" for k, v in a.detail.items())
            )
            for a in audit
        ]
        for alert in list_alerts(session, now, record_id=record_id):
            sent_to = ", ".join(alert.recipients)
            entries.append(
                ActionEntry(alert.fired_at, "slaapp", f"{alert.severity} alert ({alert.state(now)})",
                            f"{alert.title}; to {sent_to}" if sent_to else alert.title)
            )  # fmt: skip
        for action in list_actions(session, record_id):
            change = f"{action.from_owner or 'nobody'} -> {action.to_owner or 'nobody'}"
            error = f"; {action.error}" if action.error else ""
            entries.append(
                ActionEntry(action.created_at, "slaapp", f"{action.kind} ({action.state})",
                            f"{change}, policy {action.policy}{error}")
            )  # fmt: skip
        actions = tuple(sorted(entries, key=lambda e: e.at))
    details = []
    for clock in found.clocks:
        try:
            handoff = matrix.handoff(clock.handoff)
        except KeyError:  # judged by an older version that the latest one dropped
            pause = stored.get(clock.clock_id, (0, None))[0]
            details.append(ClockDetail(clock, clock.handoff, clock.segment, "", pause, ""))
            continue
        segment = clock.segment if clock.segment in handoff.rules else DEFAULT_SEGMENT
        calendar = matrix.calendar(handoff.rule_calendar(segment))
        pause, quality_ok = stored.get(clock.clock_id, (0, None))
        explanation = (
            f"{explain_due(calendar, clock.started_at, clock.due_at, pause, zone)} "
            f"(times in {zone_words(zone)})"
        )
        quality = ""
        if quality_ok is not None:
            required = ", ".join(handoff.quality_required)
            quality = f"complete ({required})" if quality_ok else f"incomplete: needs {required}"
        try:
            segment_name = matrix.segment(clock.segment).name
        except KeyError:
            segment_name = clock.segment
        details.append(
            ClockDetail(
                clock,
                handoff.name,
                segment_name,
                explanation,
                pause,
                quality,
                calendar_terms(calendar.spec),
            )
        )
    return RecordView(
        found, tuple(details), actions, record_link(links, found.source, found.external_id)
    )
