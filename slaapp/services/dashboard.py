"""The dashboard's clocks: stored clocks of a period with their record, owner and team, as numpy columns."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from slaapp.engine.calendar import Calendar
from slaapp.engine.clocks import STATUSES
from slaapp.engine.display_time import resolve_zone
from slaapp.engine.duration_terms import rule_terms
from slaapp.engine.durations import TimeTerms
from slaapp.engine.errors import BadInputError
from slaapp.engine.matrix import Matrix
from slaapp.engine.metrics import ClockColumns
from slaapp.engine.metrics_dashboard import DashboardMetrics, Dimension, dashboard_metrics
from slaapp.engine.metrics_open import judge_open_now
from slaapp.models.database import Database
from slaapp.models.directory import owner_directory
from slaapp.models.matrices import published_matrices
from slaapp.models.settings import ADHERENCE_GOAL, setting_or_default
from slaapp.models.tables import Clock, Record
from slaapp.services.display import chosen_zone

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
UNASSIGNED = "Unassigned"
NO_SOURCE = "No source"

_STATUS_CODE = {name: code for code, name in enumerate(STATUSES)}
_CLOCKS_SQL = (
    "SELECT id, record_id, handoff, segment, owner, started_at, stopped_at, due_at, "
    "target_seconds, elapsed_seconds, status, quality_ok, version, evaluated_at FROM clocks "
    "WHERE started_at >= {m} AND started_at < {m} ORDER BY id"
)
_PERIOD_RECORDS = select(Clock.record_id).where(
    Clock.started_at >= bindparam("start"), Clock.started_at < bindparam("end")
)
_RECORDS = select(
    Record.id,
    Record.external_id,
    Record.name,
    Record.attributes["source"].as_string(),
    Record.attributes["amount"].as_string(),
).where(Record.id.in_(_PERIOD_RECORDS))


@dataclass(frozen=True)
class DashboardFilter:
    """The period (local dates, both included) and the optional filters the dashboard shows."""

    first: date
    last: date
    team: str | None = None
    handoff: str | None = None  # a handoff key
    segment: str | None = None  # a segment key
    source: str | None = None
    step: str = "day"

    def describe(self) -> str:
        parts = [f"{self.first:%d %b %Y} – {self.last:%d %b %Y}"]
        parts += [v for v in (self.team, self.handoff, self.segment, self.source) if v]
        return ", ".join(parts)


@dataclass(frozen=True)
class DashboardChoices:
    """What the filter bar offers, from every clock of the period: (key, label) pairs."""

    teams: tuple[str, ...] = ()
    handoffs: tuple[tuple[str, str], ...] = ()
    segments: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class DashboardData:
    """The clocks that started in the period and pass the filter, judged at `as_of`.

    Codes index the labels of each Dimension; `handoff_keys`/`segment_keys` are parallel to
    the handoff and segment labels. `stored` counts every clock in the database.
    """

    filter: DashboardFilter
    as_of: int
    start: int
    end: int
    zone: str
    goal: float
    stored: int
    choices: DashboardChoices
    columns: ClockColumns
    clock_id: I64
    record_id: I64
    stopped_at: I64
    due_at: I64
    handoff: Dimension
    handoff_keys: tuple[str, ...]
    segment: Dimension
    segment_keys: tuple[str, ...]
    owner: Dimension  # labels: people's names
    owner_keys: tuple[str, ...]  # the owner value stored on the clocks (an email or person key)
    owner_team: I64
    team: Dimension
    source: Dimension
    amount: F64
    record: Dimension  # labels: "external id — name"
    metrics: DashboardMetrics = field(repr=False)
    # (handoff key, segment key) -> the terms its rule's durations are said in
    terms: dict[tuple[str, str], TimeTerms] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.columns)


def _coded(values: list[Any], labels: list[str] | None = None) -> tuple[I64, list[Any]]:
    """Codes of values (None -> -1) into labels (extended with unseen values, in order of use)."""
    known = list(labels or [])
    index = {label: i for i, label in enumerate(known)}
    codes = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        if value is None:
            codes[i] = -1
            continue
        code = index.get(value)
        if code is None:
            code = index[value] = len(known)
            known.append(value)
        codes[i] = code
    return codes, known


def _amount(value: Any) -> float:
    if value is None:
        return math.nan
    try:
        found = float(str(value).replace(",", "").replace("$", ""))
    except ValueError:
        return math.nan
    return found if math.isfinite(found) else math.nan


def _people(session: Session) -> dict[str, tuple[str, str]]:
    """Person key and email -> (name, team), as the scorecard resolves owners."""
    return {h: (name, team or UNASSIGNED) for h, (name, team) in owner_directory(session).items()}


def display_zone(matrix: Matrix | None) -> str:
    """The zone the dashboard shows days and hours in: the first business calendar's."""
    return matrix.display_zone if matrix is not None else "UTC"


def period_bounds(first: date, last: date, zone: str) -> tuple[int, int]:
    """[start, end) instants of the local days first..last."""
    if last < first:
        raise BadInputError(f"the period ends ({last}) before it starts ({first})")
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    return int(start.timestamp()), int(end.timestamp())


def load_dashboard(database: Database, chosen: DashboardFilter, now: int) -> DashboardData:
    """One unit of work: the stored clocks of the period, filtered, judged at `now`, aggregated."""
    with database.session() as session:
        return dashboard_data(session, chosen, now)


def dashboard_data(session: Session, chosen: DashboardFilter, now: int) -> DashboardData:
    versions = {v.number: v.matrix for v in published_matrices(session)}
    matrix = versions[max(versions)] if versions else None
    zone = resolve_zone(chosen_zone(session), display_zone(matrix))
    start, end = period_bounds(chosen.first, chosen.last, zone)
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    rows = connection.exec_driver_sql(_CLOCKS_SQL.format(m=marker), (start, end)).fetchall()
    stored = int(connection.exec_driver_sql("SELECT count(*) FROM clocks").scalar() or 0)
    records = {row[0]: row[1:] for row in session.execute(_RECORDS, {"start": start, "end": end})}
    people = _people(session)
    goal = float(setting_or_default(session, ADHERENCE_GOAL)["goal"])
    return _build(chosen, rows, records, people, versions, zone, start, end, now, stored, goal)


def _build(
    chosen: DashboardFilter,
    rows: Sequence[Any],
    records: dict[int, tuple[Any, ...]],
    people: dict[str, tuple[str, str]],
    versions: dict[int, Matrix],
    zone: str,
    start: int,
    end: int,
    now: int,
    stored: int,
    goal: float,
) -> DashboardData:
    n = len(rows)
    (ids, record_ids, handoffs, segments, owners, started, stopped, due, target, elapsed,
     status, quality, version, evaluated) = (list(c) for c in zip(*rows, strict=True)) if n else ([[]] * 14)  # fmt: skip
    matrix = versions[max(versions)] if versions else None
    handoff_order = [h.key for h in matrix.handoffs] if matrix is not None else []
    handoff_codes, handoff_keys = _coded(handoffs, handoff_order)
    segment_order = [s.key for s in matrix.segments] if matrix is not None else []
    segment_codes, segment_keys = _coded(segments, segment_order)
    owner_codes, owner_keys = _coded(owners)
    team_names = sorted({people.get(o, ("", UNASSIGNED))[1] for o in owner_keys} | {UNASSIGNED})
    owner_team = np.array(
        [team_names.index(people.get(o, ("", UNASSIGNED))[1]) for o in owner_keys], dtype=np.int64
    )
    team_codes = np.append(owner_team, team_names.index(UNASSIGNED))[owner_codes]  # -1: no owner
    unique, per_clock = np.unique(np.array(record_ids, dtype=np.int64), return_inverse=True)
    found = [records.get(r, (f"record {r}", "", None, None)) for r in unique.tolist()]
    source_codes, source_labels = _coded([str(f[2] or NO_SOURCE) for f in found])
    source_codes = source_codes[per_clock]
    amounts = np.array([_amount(f[3]) for f in found], dtype=np.float64)[per_clock]
    record_codes = per_clock.astype(np.int64)
    record_labels = [_record_label(f) for f in found]
    due_array = np.array([-1 if d is None else d for d in due], dtype=np.int64)
    # Open clocks were judged when last evaluated: judge them again at `now`.
    rule_codes, rule_keys = _coded(list(zip(version, handoffs, segments, strict=True)))
    target_array = np.array(target, dtype=np.int64)
    status_codes, elapsed_array = judge_open_now(
        np.array([_STATUS_CODE[s] for s in status], dtype=np.int8),
        np.array(elapsed, dtype=np.int64), target_array, np.array(evaluated, dtype=np.int64),
        now, rule_codes, [_rule(versions, *key) for key in rule_keys],
    )  # fmt: skip
    quality_codes = np.array([-1 if q is None else int(bool(q)) for q in quality], dtype=np.int8)
    columns = ClockColumns(
        status_codes,
        np.array(started, dtype=np.int64),
        elapsed_array,
        target_array,
        quality_codes,
    )
    handoff_names = [_handoff_name(matrix, k) for k in handoff_keys]
    segment_names = [_segment_name(matrix, k) for k in segment_keys]
    owner_names = [people.get(o, (o, ""))[0] for o in owner_keys]
    choices = DashboardChoices(
        tuple(team_names[c] for c in sorted(set(team_codes.tolist()))),
        tuple((handoff_keys[c], handoff_names[c]) for c in sorted(set(handoff_codes.tolist()))),
        tuple((segment_keys[c], segment_names[c]) for c in sorted(set(segment_codes.tolist()))),
        tuple(sorted(set(source_labels))),
    )
    keep = np.ones(n, dtype=np.bool_)
    if chosen.team is not None:
        keep &= team_codes == (team_names.index(chosen.team) if chosen.team in team_names else -2)
    if chosen.handoff is not None:
        keep &= handoff_codes == _index(handoff_keys, chosen.handoff)
    if chosen.segment is not None:
        keep &= segment_codes == _index(segment_keys, chosen.segment)
    if chosen.source is not None:
        keep &= source_codes == _index(source_labels, chosen.source)
    rows_kept = np.flatnonzero(keep)

    def take(values: list[Any]) -> I64:
        found: I64 = np.asarray(values, dtype=np.int64)[rows_kept]
        return found

    columns = ClockColumns(
        columns.status[rows_kept], columns.started_at[rows_kept], columns.elapsed[rows_kept],
        columns.target[rows_kept], columns.quality[rows_kept],
    )  # fmt: skip
    handoff_dim = Dimension(handoff_codes[rows_kept], tuple(handoff_names))
    segment_dim = Dimension(segment_codes[rows_kept], tuple(segment_names))
    owner_dim = Dimension(owner_codes[rows_kept], tuple(owner_names))
    team_dim = Dimension(team_codes[rows_kept].astype(np.int64), tuple(team_names))
    source_dim = Dimension(source_codes[rows_kept], tuple(source_labels))
    amount = amounts.astype(np.float64)[rows_kept]
    metrics = dashboard_metrics(
        columns, handoff=handoff_dim, segment=segment_dim, owner=owner_dim, owner_team=owner_team,
        team=team_dim, source=source_dim, amount=amount, start=start, end=end, zone=zone,
        step=chosen.step,
    )  # fmt: skip
    return DashboardData(
        filter=chosen, as_of=now, start=start, end=end, zone=zone, goal=goal, stored=stored,
        choices=choices, columns=columns, clock_id=take(ids), record_id=take(record_ids),
        stopped_at=take([-1 if s is None else s for s in stopped]), due_at=due_array[rows_kept],
        handoff=handoff_dim, handoff_keys=tuple(handoff_keys), segment=segment_dim,
        segment_keys=tuple(segment_keys), owner=owner_dim, owner_keys=tuple(owner_keys),
        owner_team=owner_team, team=team_dim, source=source_dim, amount=amount,
        record=Dimension(record_codes[rows_kept], tuple(record_labels)), metrics=metrics,
        terms={(h, s): rule_terms(matrix, h, s) for h in handoff_keys for s in segment_keys},
    )  # fmt: skip


def _rule(
    versions: dict[int, Matrix], number: int, handoff: str, segment: str
) -> tuple[Calendar, float] | None:
    """The calendar and at-risk share of one rule of one matrix version (None if gone)."""
    matrix = versions.get(number)
    try:
        found = matrix.handoff(handoff) if matrix is not None else None
        if matrix is None or found is None:
            return None
        return matrix.calendar(found.rule_calendar(segment)), found.rule_at_risk(segment)
    except KeyError:
        return None


def _record_label(found: tuple[Any, ...]) -> str:
    external, name = str(found[0]), str(found[1] or "")
    return f"{external} — {name}" if name and name != external else external


def _index(values: list[str], value: str) -> int:
    return values.index(value) if value in values else -2


def _handoff_name(matrix: Matrix | None, key: str) -> str:
    if matrix is None:
        return key
    try:
        return matrix.handoff(key).name
    except KeyError:
        return key


def _segment_name(matrix: Matrix | None, key: str) -> str:
    return matrix.segment(key).name if matrix is not None and key in matrix.segment_keys else key


def with_step(data: DashboardData, step: str) -> DashboardData:
    """The same clocks bucketed by another step (day or week), without reading the database."""
    metrics = dashboard_metrics(
        data.columns, handoff=data.handoff, segment=data.segment, owner=data.owner,
        owner_team=data.owner_team, team=data.team, source=data.source, amount=data.amount,
        start=data.start, end=data.end, zone=data.zone, step=step,
    )  # fmt: skip
    return replace(data, filter=replace(data.filter, step=step), metrics=metrics)
