"""Read-side queries: open clocks, one record's timeline, and adherence aggregates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from slaapp.engine.errors import BadInputError, NotFoundError
from slaapp.engine.instants import format_instant
from slaapp.models.tables import Clock, Event, Record

GROUPS = {
    "handoff": Clock.handoff,
    "segment": Clock.segment,
    "team": Clock.team,
    "owner": Clock.owner,
    "day": cast(Clock.started_at / 86400, Integer),
}


@dataclass(frozen=True)
class OpenClock:
    """An open clock as the live table lists it."""

    clock_id: int
    record_id: int
    record: str
    handoff: str
    segment: str
    team: str
    owner: str | None
    started_at: int
    due_at: int | None
    target_seconds: int
    elapsed_seconds: int
    status: str


@dataclass(frozen=True)
class TimelineEvent:
    name: str
    occurred_at: int
    owner: str | None
    attributes: dict[str, str]
    source: str


@dataclass(frozen=True)
class Timeline:
    """One record: what happened to it and every clock it ran."""

    record_id: int
    source: str
    external_id: str
    name: str
    owner: str | None
    attributes: dict[str, str]
    events: tuple[TimelineEvent, ...]
    clocks: tuple[OpenClock, ...]


@dataclass(frozen=True)
class Aggregate:
    """Adherence of the clocks of one group that started in the period."""

    key: str
    clocks: int
    open: int
    met: int
    missed: int
    breached: int
    cancelled: int
    mean_elapsed_seconds: float | None

    @property
    def adherence(self) -> float | None:
        judged = self.met + self.missed
        return self.met / judged if judged else None


def _open_clock(row: Clock, external_id: str) -> OpenClock:
    return OpenClock(
        row.id, row.record_id, external_id, row.handoff, row.segment, row.team, row.owner,
        row.started_at, row.due_at, row.target_seconds, row.elapsed_seconds, row.status,
    )  # fmt: skip


def open_clocks(
    session: Session,
    *,
    handoff: str | None = None,
    owner: str | None = None,
    team: str | None = None,
    limit: int | None = None,
) -> list[OpenClock]:
    """Open clocks, soonest due first (paused ones last)."""
    query = (
        select(Clock, Record.external_id)
        .join(Record, Record.id == Clock.record_id)
        .where(Clock.is_open)
        .order_by(Clock.due_at.is_(None), Clock.due_at, Clock.id)
    )
    for column, value in ((Clock.handoff, handoff), (Clock.owner, owner), (Clock.team, team)):
        if value is not None:
            query = query.where(column == value)
    if limit is not None:
        query = query.limit(limit)
    return [_open_clock(row, external) for row, external in session.execute(query)]


def timeline(session: Session, record_id: int) -> Timeline:
    """Everything about one record; LookupError when there is no such record."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFoundError(f"there is no record {record_id}")
    events = session.scalars(
        select(Event).where(Event.record_id == record_id).order_by(Event.occurred_at, Event.id)
    ).all()
    clocks = session.scalars(
        select(Clock)
        .where(Clock.record_id == record_id)
        .order_by(Clock.started_at, Clock.handoff, Clock.cycle)
    ).all()
    return Timeline(
        record.id, record.source, record.external_id, record.name, record.owner, dict(record.attributes),
        tuple(TimelineEvent(e.name, e.occurred_at, e.owner, dict(e.attributes or {}), e.source) for e in events),
        tuple(_open_clock(c, record.external_id) for c in clocks),
    )  # fmt: skip


def aggregates(session: Session, by: str, start: int, end: int) -> list[Aggregate]:
    """Clocks started in [start, end) grouped by handoff, segment, team, owner or day."""
    if by not in GROUPS:
        raise BadInputError(f"cannot group by {by!r} (use {', '.join(GROUPS)})")
    key = GROUPS[by]

    def count(status: str) -> ColumnElement[int]:
        return func.sum(case((Clock.status == status, 1), else_=0))

    query = (
        select(
            key,
            func.count(),
            func.sum(case((Clock.is_open, 1), else_=0)),
            count("met"),
            count("missed"),
            count("breached"),
            count("cancelled"),
            func.avg(
                case((Clock.status.in_(("met", "missed")), Clock.elapsed_seconds), else_=None)
            ),
        )
        .where(Clock.started_at >= start, Clock.started_at < end)
        .group_by(key)
        .order_by(key)
    )
    found = []
    for group, *numbers in session.execute(query):
        label = (
            format_instant(int(group) * 86400)[:10]
            if by == "day" and group is not None
            else (group or "")
        )
        total, running, met, missed, breached, cancelled = (int(n or 0) for n in numbers[:6])
        mean = float(numbers[6]) if numbers[6] is not None else None
        found.append(Aggregate(str(label), total, running, met, missed, breached, cancelled, mean))
    return found
