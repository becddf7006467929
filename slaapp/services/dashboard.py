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
from sqlalchemy.orm import Session

from slaapp.engine.clocks import ClockTable
from slaapp.engine.display_time import resolve_zone
from slaapp.engine.duration_terms import rule_terms
from slaapp.engine.durations import TimeTerms
from slaapp.engine.errors import BadInputError
from slaapp.engine.eventlog import NO_VALUE
from slaapp.engine.matrix import Matrix
from slaapp.engine.metrics import ClockColumns, GroupStats, aggregate
from slaapp.engine.metrics_dashboard import DashboardMetrics, Dimension
from slaapp.engine.metrics_dashboard import dashboard_metrics as engine_metrics
from slaapp.engine.metrics_open import judge_open_now, rule_timing
from slaapp.engine.versions import PublishedMatrix
from slaapp.models.clock_columns import PeriodClocks, PeriodRecords, coded, records_with
from slaapp.models.clock_pages import Page, keep_pages, read_period
from slaapp.models.current_clocks import stale_records
from slaapp.models.database import Database
from slaapp.models.directory import owner_directory
from slaapp.models.evaluation import stored_clocks, with_crm_deletion
from slaapp.models.matrices import published_matrices
from slaapp.models.settings import ADHERENCE_GOAL, setting_or_default
from slaapp.reports.periods import DataSpan, follow_data, judged_at, nothing_words
from slaapp.reports.spans import stored_span
from slaapp.services.display import chosen_zone

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
UNASSIGNED = "Unassigned"
NO_SOURCE = "No source"


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
    follow_data: bool = False  # a preset period: the data's own range when it is all older
    judge_day: date | None = None  # judge the clocks at the end of this local day (None: now)

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
    # the team responsible for each clock's handoff (the matrix's `team`), and the matrix teams
    responsible: Dimension = field(default_factory=lambda: Dimension(np.zeros(0, np.int64), ()))
    matrix_teams: frozenset[str] = frozenset()
    first: date | None = None  # the local days shown (the data's own range when `moved`)
    last: date | None = None
    moved: bool = False
    span: DataSpan | None = None  # where the stored data lies

    def period_words(self) -> str:
        """The days shown, and the filters: `1 Jun 2017 – 31 May 2018 (the data's own range)`."""
        chosen = self.filter
        if self.first is not None and self.last is not None:
            chosen = replace(chosen, first=self.first, last=self.last)
        return chosen.describe() + (" (the data's own range)" if self.moved else "")

    def empty_words(self) -> str:
        """Where the data lies when the period holds no clock ("" when it holds some)."""
        if len(self) or self.stored == 0:
            return ""
        first = self.first or self.filter.first
        last = self.last or self.filter.last
        return nothing_words(first, last, self.zone, self.span, flags=False).capitalize() + "."

    def __len__(self) -> int:
        return len(self.columns)


def _adherence(stats: GroupStats) -> GroupStats:
    """The groups' adherence as DESIGN 7a defines it: met / (met + missed + open breached)."""
    counted = stats.met + stats.late  # late = missed + open breached
    adherence: F64 = np.full(stats.met.shape, np.nan)
    np.divide(stats.met, counted, out=adherence, where=counted > 0)
    return replace(stats, adherence=adherence)


_PER_GROUP = ("clocks", "met", "missed", "late", "open", "adherence", "median_response",
              "p90_response", "quality_pass_rate")  # fmt: skip


def _team_figures(
    columns: ClockColumns, team: Dimension, responsible: Dimension, matrix_teams: frozenset[str]
) -> GroupStats:
    """Per team label: a team of the matrix counts the clocks of its handoffs, a team only of
    the directory the clocks its members own (DESIGN 7a)."""
    owned = aggregate(columns, team.codes, team.labels)
    labels = list(team.labels)
    codes = np.array([labels.index(t) if t in labels else -1 for t in responsible.labels] + [-1])
    by_handoff = aggregate(columns, codes[responsible.codes].astype(np.int64), team.labels)
    use = np.array([label in matrix_teams for label in team.labels], dtype=np.bool_)
    picked = {
        name: np.where(use, getattr(by_handoff, name), getattr(owned, name)) for name in _PER_GROUP
    }
    return replace(owned, **picked)


def dashboard_metrics(
    columns: ClockColumns,
    *,
    responsible: Dimension,
    matrix_teams: frozenset[str],
    **options: Any,
) -> DashboardMetrics:
    """The engine's dashboard aggregates with DESIGN 7a's figures: every adherence is
    met / (met + missed + open breached), and team figures count the clocks of the handoffs
    the team is responsible for (`responsible`: the handoff's team per clock)."""
    found = engine_metrics(columns, **options)
    series = found.adherence
    teams = _team_figures(columns, options["team"], responsible, matrix_teams)
    by_team = aggregate(columns, responsible.codes, responsible.labels)
    return replace(
        found,
        summary=_adherence(found.summary),
        adherence=replace(
            series, by_handoff=_adherence(series.by_handoff), total=_adherence(series.total)
        ),
        reps=replace(found.reps, reps=_adherence(found.reps.reps), teams=_adherence(teams)),
        breakdowns={key: _adherence(stats) for key, stats in found.breakdowns.items()}
        | {"team": _adherence(by_team)},
    )


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
    """One unit of work: the stored clocks of the period, filtered, judged at `now`, aggregated;
    then the day pages this read built are kept for the next one."""
    with database.session() as session:
        data, built = _dashboard(session, chosen, now)
    keep_pages(database, built)
    return data


def dashboard_data(session: Session, chosen: DashboardFilter, now: int) -> DashboardData:
    """The period's clocks judged at its end or `now`, whichever is earlier (DESIGN 7a)."""
    return _dashboard(session, chosen, now)[0]


def _dashboard(
    session: Session, chosen: DashboardFilter, now: int
) -> tuple[DashboardData, tuple[Page, ...]]:
    in_force = [with_crm_deletion(v) for v in published_matrices(session)]
    versions = {v.number: v.matrix for v in in_force}
    matrix = versions[max(versions)] if versions else None
    zone = resolve_zone(chosen_zone(session), display_zone(matrix))
    span = stored_span(session, zone)
    first, last = (
        follow_data(chosen.first, chosen.last, span)
        if chosen.follow_data
        else (chosen.first, chosen.last)
    )
    start, end = period_bounds(first, last, zone)
    if chosen.judge_day is not None:
        now = min(now, period_bounds(chosen.judge_day, chosen.judge_day, zone)[1])
    judge = judged_at(end, now)
    connection = session.connection()
    read = read_period(connection, start, end, judge)
    clocks = _judged_again(session, read.clocks, judge, start, end, in_force)
    stored = int(connection.exec_driver_sql("SELECT count(*) FROM clocks").scalar() or 0)
    people = _people(session)
    goal = float(setting_or_default(session, ADHERENCE_GOAL)["goal"])
    records = records_with(connection, read.records, clocks.record_id[clocks.id < 0])  # new too
    data = _build(chosen, clocks, records, people, versions, zone, start, end, judge, stored, goal)
    moved = (first, last) != (chosen.first, chosen.last)
    return replace(data, first=first, last=last, moved=moved, span=span), read.built


def _judged_again(
    session: Session,
    clocks: PeriodClocks,
    judge: int,
    start: int,
    end: int,
    versions: Sequence[PublishedMatrix],
) -> PeriodClocks:
    """The period's clocks as a full evaluation at `judge` gives them, where stored ones are not.

    Stored clocks are the truth at `judge` unless they were judged after it, or their record
    has an event due since they were judged or was taken over by a version that re-evaluates
    open clocks (`stale_records`). Those records are evaluated from their events: a clock of a
    past period is judged at the period's end (one that stopped later is still open then,
    one that started later is left out), and a clock that their events start in the period
    now is added (without a stored id: -1).
    """
    redo = set(clocks.record_id[clocks.evaluated_at > judge].tolist())
    # Judged after `judge` but without a clock started in the period: they had none then either.
    redo |= stale_records(session.connection(), judge, versions, judged_later=False)
    if not redo:
        return clocks
    c = stored_clocks(session, judge, redo)
    t = c.clocks
    started = (t.started_at >= start) & (t.started_at < end)
    found = {
        (int(c.record_ids[t.record[i]]), t.handoff_keys[t.handoff[i]], int(t.started_at[i])): i
        for i in np.flatnonzero(started).tolist()
    }
    handoffs, segments, owners = (
        _values(d) for d in (clocks.handoff, clocks.segment, clocks.owner)
    )
    status, elapsed, target = clocks.status.copy(), clocks.elapsed.copy(), clocks.target.copy()
    quality, version = clocks.quality.copy(), clocks.version.copy()
    evaluated, due = clocks.evaluated_at.copy(), clocks.due_at.copy()
    keep = np.ones(len(clocks), dtype=np.bool_)
    for row in np.flatnonzero(np.isin(clocks.record_id, sorted(redo))).tolist():
        i = found.pop(
            (int(clocks.record_id[row]), handoffs[row], int(clocks.started_at[row])), None
        )
        if i is None:
            keep[row] = False  # not a clock of the period at `judge`
            continue
        segments[row], owners[row] = t.segment_keys[t.segment[i]], _owner(t, i)
        status[row], elapsed[row], target[row] = t.status[i], t.elapsed[i], t.target[i]
        quality[row], version[row] = t.quality[i], c.versions[i]
        evaluated[row], due[row] = judge, t.due_at[i] if t.has_due[i] else -1
    added = sorted(found.values())  # clocks the stored ones do not have
    kept = np.flatnonzero(keep)

    def column(values: npt.NDArray[Any], more: Any) -> npt.NDArray[Any]:
        return np.concatenate((values[kept], np.asarray(more, dtype=values.dtype)))

    return PeriodClocks(
        id=column(clocks.id, [-1] * len(added)),
        record_id=column(clocks.record_id, [c.record_ids[t.record[i]] for i in added]),
        started_at=column(clocks.started_at, t.started_at[added]),
        target=column(target, t.target[added]),
        elapsed=column(elapsed, t.elapsed[added]),
        quality=column(quality, t.quality[added]),
        status=column(status, t.status[added]),
        handoff=coded([handoffs[r] for r in kept] + [t.handoff_keys[t.handoff[i]] for i in added]),
        segment=coded([segments[r] for r in kept] + [t.segment_keys[t.segment[i]] for i in added]),
        owner=coded([owners[r] for r in kept] + [_owner(t, i) for i in added]),
        version=column(version, c.versions[added]),
        evaluated_at=column(evaluated, [judge] * len(added)),
        due_at=column(due, np.where(t.has_due[added], t.due_at[added], -1)),
    )  # fmt: skip


def _values(found: Dimension) -> list[Any]:
    """The label of each row (None for none)."""
    return list(np.array([*found.labels, None], dtype=object)[found.codes])


def _owner(table: ClockTable, i: int) -> str | None:
    code = int(table.owner[i])
    return None if code == NO_VALUE else table.owners[code]


def _recoded(values: Dimension, first: list[str]) -> tuple[I64, list[str]]:
    """The codes renumbered so that `first` come first, then the others in order of use."""
    labels = list(first) + [label for label in values.labels if label not in first]
    position = {label: i for i, label in enumerate(labels)}
    lookup = np.array([position[label] for label in values.labels] + [-1], dtype=np.int64)
    return lookup[values.codes], labels


def _record_columns(
    clocks: PeriodClocks, records: PeriodRecords
) -> tuple[I64, list[str], I64, list[str], F64]:
    """Per clock: its record's code and the record labels, source code and labels, amount
    (records in id order; one deleted since the clocks were read keeps only its id)."""
    unique, per_clock = np.unique(clocks.record_id, return_inverse=True)
    labels, source, amount = records.label, records.source, records.amount
    if unique.size != records.id.size or not np.array_equal(unique, records.id):
        at = np.minimum(np.searchsorted(records.id, unique), max(records.id.size - 1, 0))
        found = (records.id[at] == unique) if records.id.size else np.zeros(unique.size, np.bool_)
        rows = [int(a) if f else -1 for a, f in zip(at.tolist(), found.tolist(), strict=True)]
        labels = [
            labels[r] if r >= 0 else f"record {u}"
            for r, u in zip(rows, unique.tolist(), strict=True)
        ]
        source, amount = (
            [values[r] if r >= 0 else None for r in rows] for values in (source, amount)
        )
    sources = coded([s or NO_SOURCE for s in source])
    source_codes, source_labels = sources.codes, list(sources.labels)
    codes = per_clock.astype(np.int64).reshape(-1)
    return codes, labels, source_codes[codes], source_labels, _amounts(amount)[codes]


def _amounts(values: list[str | None]) -> F64:
    """Amounts as numbers (NaN when none or not a finite number), in bulk where they parse."""
    try:
        found: F64 = np.array(["nan" if v is None else v for v in values], dtype=np.float64)
    except ValueError:  # "$1,200" and the like: one at a time
        found = np.array([_amount(v) for v in values], dtype=np.float64)
    found[~np.isfinite(found)] = math.nan
    return found


def _build(
    chosen: DashboardFilter,
    clocks: PeriodClocks,
    records: PeriodRecords,
    people: dict[str, tuple[str, str]],
    versions: dict[int, Matrix],
    zone: str,
    start: int,
    end: int,
    now: int,
    stored: int,
    goal: float,
) -> DashboardData:
    n = len(clocks)
    matrix = versions[max(versions)] if versions else None
    handoff_order = [h.key for h in matrix.handoffs] if matrix is not None else []
    handoff_codes, handoff_keys = _recoded(clocks.handoff, handoff_order)
    segment_order = [s.key for s in matrix.segments] if matrix is not None else []
    segment_codes, segment_keys = _recoded(clocks.segment, segment_order)
    owner_codes, owner_keys = clocks.owner.codes, list(clocks.owner.labels)
    team_names = sorted({people.get(o, ("", UNASSIGNED))[1] for o in owner_keys} | {UNASSIGNED})
    owner_team = np.array(
        [team_names.index(people.get(o, ("", UNASSIGNED))[1]) for o in owner_keys], dtype=np.int64
    )
    team_codes = np.append(owner_team, team_names.index(UNASSIGNED))[owner_codes]  # -1: no owner
    record_codes, record_labels, source_codes, source_labels, amounts = _record_columns(
        clocks, records
    )
    # Open clocks were judged when last evaluated: judge them again at `now`.
    rule_codes, rule_keys = _rules(clocks, handoff_codes, handoff_keys, segment_codes, segment_keys)
    status_codes, elapsed_array, _ = judge_open_now(
        clocks.status, clocks.elapsed, clocks.target, clocks.evaluated_at, now, rule_codes,
        [rule_timing(versions, *key) for key in rule_keys], clocks.due_at >= 0,
    )  # fmt: skip
    handoff_names = [_handoff_name(matrix, k) for k in handoff_keys]
    segment_names = [_segment_name(matrix, k) for k in segment_keys]
    owner_names = [people.get(o, (o, ""))[0] for o in owner_keys]
    responsible_codes, responsible_labels, matrix_teams = _responsible(versions, handoff_keys,
                                                                       handoff_codes)  # fmt: skip
    present = {team_names[c] for c in set(team_codes.tolist())}
    present |= {responsible_labels[c] for c in set(responsible_codes.tolist()) if c >= 0}
    choices = DashboardChoices(
        tuple(sorted(present)),
        tuple((handoff_keys[c], handoff_names[c]) for c in sorted(set(handoff_codes.tolist()))),
        tuple((segment_keys[c], segment_names[c]) for c in sorted(set(segment_codes.tolist()))),
        tuple(sorted(set(source_labels))),
    )
    keep = np.ones(n, dtype=np.bool_)
    if chosen.team in matrix_teams:  # a team of the matrix: the clocks of its handoffs
        keep &= responsible_codes == responsible_labels.index(chosen.team)
    elif chosen.team is not None:  # a team of the directory only: its members' clocks
        keep &= team_codes == (team_names.index(chosen.team) if chosen.team in team_names else -2)
    if chosen.handoff is not None:
        keep &= handoff_codes == _index(handoff_keys, chosen.handoff)
    if chosen.segment is not None:
        keep &= segment_codes == _index(segment_keys, chosen.segment)
    if chosen.source is not None:
        keep &= source_codes == _index(source_labels, chosen.source)
    rows = np.flatnonzero(keep)
    columns = ClockColumns(
        status_codes[rows], clocks.started_at[rows], elapsed_array[rows], clocks.target[rows],
        clocks.quality[rows],
    )  # fmt: skip
    handoff_dim = Dimension(handoff_codes[rows], tuple(handoff_names))
    segment_dim = Dimension(segment_codes[rows], tuple(segment_names))
    owner_dim = Dimension(owner_codes[rows], tuple(owner_names))
    team_dim = Dimension(team_codes[rows].astype(np.int64), tuple(team_names))
    source_dim = Dimension(source_codes[rows], tuple(source_labels))
    responsible = Dimension(responsible_codes[rows], tuple(responsible_labels))
    amount = amounts[rows]
    metrics = dashboard_metrics(
        columns, handoff=handoff_dim, segment=segment_dim, owner=owner_dim, owner_team=owner_team,
        team=team_dim, source=source_dim, amount=amount, start=start, end=end, zone=zone,
        step=chosen.step, responsible=responsible, matrix_teams=matrix_teams,
    )  # fmt: skip
    return DashboardData(
        filter=chosen, as_of=now, start=start, end=end, zone=zone, goal=goal, stored=stored,
        choices=choices, columns=columns, clock_id=clocks.id[rows],
        record_id=clocks.record_id[rows], handoff=handoff_dim, handoff_keys=tuple(handoff_keys),
        segment=segment_dim, segment_keys=tuple(segment_keys), owner=owner_dim,
        owner_keys=tuple(owner_keys), owner_team=owner_team, team=team_dim, source=source_dim,
        amount=amount, record=Dimension(record_codes[rows], tuple(record_labels)),
        metrics=metrics,
        terms={(h, s): rule_terms(matrix, h, s) for h in handoff_keys for s in segment_keys},
        responsible=responsible, matrix_teams=matrix_teams,
    )  # fmt: skip


def _rules(
    clocks: PeriodClocks,
    handoff: I64,
    handoff_keys: list[str],
    segment: I64,
    segment_keys: list[str],
) -> tuple[I64, list[tuple[int, str, str]]]:
    """A rule code per clock ((version, handoff, segment) of the open ones; -1 for the others)."""
    open_rows = np.flatnonzero(clocks.version >= 0)
    codes = np.full(len(clocks), -1, dtype=np.int64)
    if not open_rows.size:
        return codes, []
    keyed = np.stack((clocks.version[open_rows], handoff[open_rows], segment[open_rows]), axis=1)
    unique, codes[open_rows] = np.unique(keyed, axis=0, return_inverse=True)
    keys = [(int(v), handoff_keys[h], segment_keys[s]) for v, h, s in unique.tolist()]
    return codes, keys


def _responsible(
    versions: dict[int, Matrix], handoff_keys: list[str], handoff_codes: I64
) -> tuple[I64, list[str], frozenset[str]]:
    """The team responsible for each clock's handoff (the matrix's `team`; the newest version
    that has the handoff says), its labels, and every team of the matrices."""
    teams: dict[str, str] = {}
    for number in sorted(versions):
        teams |= {h.key: h.team for h in versions[number].handoffs if h.team}
    labels = sorted(set(teams.values()))
    per_handoff = np.array([_index(labels, teams.get(k, "")) for k in handoff_keys] + [-1])
    codes: I64 = np.where(per_handoff[handoff_codes] >= 0, per_handoff[handoff_codes], -1)
    return codes.astype(np.int64), labels, frozenset(labels)


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
        start=data.start, end=data.end, zone=data.zone, step=step, responsible=data.responsible,
        matrix_teams=data.matrix_teams,
    )  # fmt: skip
    return replace(data, filter=replace(data.filter, step=step), metrics=metrics)
