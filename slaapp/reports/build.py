"""Scorecard data for a period and scope, computed from the database's events and directory."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.engine.calendar import WEEKDAYS, CalendarSpec
from slaapp.engine.clocks import ClockTable
from slaapp.engine.duration_terms import calendar_terms, rule_terms
from slaapp.engine.durations import describe_duration
from slaapp.engine.errors import BadInputError
from slaapp.engine.matrix import Matrix
from slaapp.models.directory import owner_directory
from slaapp.models.evaluation import StoredClocks, stored_clocks
from slaapp.models.settings import record_link, record_links
from slaapp.models.tables import Record, Team
from slaapp.reports.figures import causes, figures, late_mask
from slaapp.reports.periods import judged_at
from slaapp.reports.scopes import UNASSIGNED, ClockTeams, clock_teams
from slaapp.reports.scorecard import (
    BreachRow,
    Figures,
    HandoffRow,
    RepRow,
    ScorecardData,
    SegmentRow,
    TeamRow,
)
from slaapp.reports.trend import trend

I64 = npt.NDArray[np.int64]
DEFINITIONS = (
    (
        "Clock",
        "One cycle of one handoff for one record, from its start event to its stop or cancel event.",
    ),
    (
        "Period",
        "A clock belongs to the period its start falls in; the previous period is as long, ends "
        "where this one starts, and its clocks are judged at its own end.",
    ),
    (
        "Met / missed",
        "A stopped clock is met when its business time elapsed is at most the target, else missed.",
    ),
    ("Breached", "A clock still open whose business time elapsed already exceeds its target."),
    (
        "Judged at",
        "Clocks are judged at the end of the period, or at the as-of instant when that is earlier.",
    ),
    (
        "Adherence",
        "Met clocks divided by met plus missed plus open breached clocks (cancelled, open "
        "on-track, at-risk and paused clocks are not counted).",
    ),
    (
        "Response time",
        "Business time from start to stop of met and missed clocks, in the rule's calendar, pauses excluded.",
    ),
    (
        "Quality pass rate",
        "Share of met and missed clocks whose record had every required field filled when the clock stopped.",
    ),
    (
        "Revenue at stake",
        "The amount of every record with a missed or breached clock in the period, each record counted once.",
    ),
    (
        "Team figures",
        "A team's figures count the clocks of the handoffs it is responsible for (the matrix's team); "
        "a person's team is the team of the directory, else of the handoff.",
    ),
    (
        "Top causes",
        "Handoffs, segments, owners and weekdays holding a larger share of the breaches than of the "
        "work, most breaches first; each late clock counts under one cause only.",
    ),
)


def _amounts(
    session: Session, record_ids: I64
) -> tuple[npt.NDArray[np.float64], list[dict[str, str]], list[tuple[str, str, str]]]:
    """Per record code: deal amount (NaN unknown), attributes, and (source, external id, name)."""
    rows = {
        rid: (source, external, name, attributes or {})
        for rid, source, external, name, attributes in session.execute(
            select(Record.id, Record.source, Record.external_id, Record.name, Record.attributes)
        )
    }
    amounts = np.full(record_ids.size, np.nan)
    attributes: list[dict[str, str]] = []
    names: list[tuple[str, str, str]] = []
    for code, rid in enumerate(record_ids.tolist()):
        source, external, name, attrs = rows[rid]
        attributes.append({k: str(v) for k, v in attrs.items()})
        names.append((source, external, name))
        try:
            value = float(str(attrs.get("amount", "")).replace(",", "").replace("$", ""))
            amounts[code] = value if math.isfinite(value) else np.nan
        except ValueError:
            pass
    return amounts, attributes, names


def _people(session: Session) -> dict[str, tuple[str, str]]:
    """Email (and key) -> (name, team)."""
    return {h: (name, team or UNASSIGNED) for h, (name, team) in owner_directory(session).items()}


def describe_calendar(key: str, spec: CalendarSpec) -> str:
    if spec.always:
        return f"{key}: always open (24x7)"
    days = []
    for day in range(7):
        spans = spec.hours.get(day, ())
        if spans:
            text = ", ".join(
                f"{s // 3600:02d}:{s % 3600 // 60:02d}-{e // 3600:02d}:{e % 3600 // 60:02d}"
                for s, e in spans
            )
            days.append(f"{WEEKDAYS[day].title()} {text}")
    parts = [f"{key}: {spec.timezone}", "; ".join(days)]
    if spec.holiday_preset:
        region = f"-{spec.holiday_preset.subdiv}" if spec.holiday_preset.subdiv else ""
        parts.append(f"public holidays {spec.holiday_preset.country}{region}")
    if spec.holidays:
        parts.append(f"{len(spec.holidays)} extra holiday(s)")
    if spec.overrides:
        parts.append(f"{len(spec.overrides)} date override(s)")
    parts.append(f"business day {spec.hours_per_day:g} h")
    return ", ".join(parts)


def display_zone(matrix: Matrix) -> str:
    return matrix.display_zone


def build_scorecard(
    session: Session,
    *,
    start: int,
    end: int,
    now: int,
    team: str | None = None,
    zone: str | None = None,
    as_of: int | None = None,
) -> ScorecardData:
    """Scorecard of the clocks that started in [start, end), for one team or all.

    Clocks are judged at the period's end or `as_of` (default `now`), whichever is earlier;
    `zone` (default: the matrix's business zone) is the zone the sheets show days and times in.
    `team` is a team of the matrix (its handoffs' clocks) or of the directory (its members').
    """
    if end <= start:
        raise BadInputError("the period must end after it starts")
    previous_start = start - (end - start)
    latest_instant = now if as_of is None else as_of
    judge = judged_at(end, latest_instant)
    result = stored_clocks(session, judge)
    latest = result.matrices[-1]
    matrix = latest.matrix
    clocks = result.clocks
    amounts, attributes, names = _amounts(session, result.record_ids)
    people = _people(session)
    links = record_links(session)
    directory = set(session.scalars(select(Team.name)).all())
    owner_teams = {h: t for h, (_, t) in people.items()}
    teams_of = clock_teams(clocks, result.teams, owner_teams, directory)
    scope = teams_of.scope(team)
    current = np.flatnonzero(scope & (clocks.started_at >= start) & (clocks.started_at < end))
    now_judged = Judged(clocks, current, amounts, teams_of)
    before = (
        Judged(clocks, _window(clocks, scope, previous_start, start), amounts, teams_of)
        if judged_at(start, latest_instant) == judge
        else _judged_before(
            session, result, previous_start, start, latest_instant, team, owner_teams, directory
        )
    )
    zone = zone or display_zone(matrix)
    clock_team = teams_of.handoff_team

    handoffs = tuple(_handoff_rows(matrix, now_judged, before))
    teams = tuple(_team_rows(now_judged, before))
    reps = _rep_rows(clocks, teams_of, people, current, amounts)

    offset = int(datetime.fromtimestamp(end, ZoneInfo(zone)).utcoffset().total_seconds())  # type: ignore[union-attr]
    weekday = (((clocks.started_at + offset) // 86400 + 3) % 7).astype(
        np.int64
    )  # day 0 was a Thursday
    owner_names = [people.get(o, (o, ""))[0] for o in clocks.owners]
    segment_names = [_segment_name(matrix, k) for k in clocks.segment_keys]
    handoff_names = [_handoff_name(matrix, k) for k in clocks.handoff_keys]
    groupings = [
        ("{} handoffs", clocks.handoff.astype(np.int64), handoff_names),
        ("{} segment", clocks.segment.astype(np.int64), segment_names),
        ("Clocks owned by {}", clocks.owner.astype(np.int64), owner_names),
        (
            f"Clocks started on a {{}} ({zone} time)",
            weekday,
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        ),
    ]
    step, trend_points = trend(clocks, scope, start, end, zone, handoff_names)
    return ScorecardData(
        title="SLA scorecard",
        scope=team or "All teams",
        start=start,
        end=end,
        previous_start=previous_start,
        generated_at=now,
        timezone=zone,
        matrix_name=matrix.name,
        matrix_version=latest.number,
        summary=now_judged.figures(),
        previous_summary=before.figures(),
        causes=causes(clocks, current, amounts, groupings),
        handoffs=handoffs,
        teams=teams,
        reps=tuple(reps),
        trend=tuple(trend_points),
        trend_step=step,
        judged_at=judge,
        breaches=tuple(
            _breaches(
                matrix, clocks, current, amounts, attributes, names, owner_names, clock_team, links
            )
        ),
        calendars=tuple(
            (key, describe_calendar(key, spec)) for key, spec in matrix.calendars.items()
        ),
        definitions=DEFINITIONS,
    )


def _handoff_name(matrix: Matrix, key: str) -> str:
    try:
        return matrix.handoff(key).name
    except KeyError:
        return key


def _segment_name(matrix: Matrix, key: str) -> str:
    return matrix.segment(key).name if key in matrix.segment_keys else key


@dataclass(frozen=True, eq=False)
class Judged:
    """Clocks judged at one instant, the rows of one period among them, their deal amounts
    (per record code) and teams."""

    clocks: ClockTable
    rows: I64
    amounts: npt.NDArray[np.float64]
    teams: ClockTeams

    def figures(self, rows: I64 | None = None) -> Figures:
        return figures(self.clocks, self.rows if rows is None else rows, self.amounts)

    def of_handoff(self, key: str) -> I64:
        """The period's rows of one handoff."""
        if key not in self.clocks.handoff_keys:
            return self.rows[:0]
        found: I64 = self.rows[
            self.clocks.handoff[self.rows] == self.clocks.handoff_keys.index(key)
        ]
        return found

    def of_team(self, team: str) -> I64:
        """The period's rows of the handoffs `team` is responsible for."""
        found: I64 = self.rows[self.teams.handoff_team[self.rows] == team]
        return found


def _window(clocks: ClockTable, scope: npt.NDArray[np.bool_], start: int, end: int) -> I64:
    found: I64 = np.flatnonzero(scope & (clocks.started_at >= start) & (clocks.started_at < end))
    return found


def _judged_before(
    session: Session,
    result: StoredClocks,
    start: int,
    end: int,
    latest: int,
    team: str | None,
    owner_teams: dict[str, str],
    directory: set[str],
) -> Judged:
    """The previous period's clocks judged at its own end (or `latest`, when earlier)."""
    clocks = result.clocks
    started = _window(clocks, np.ones(len(clocks), dtype=np.bool_), start, end)
    records = set(result.record_ids[clocks.record[started]].tolist())
    if not records:
        return Judged(clocks, started, np.zeros(0), clock_teams(clocks, {}, {}, ()))
    before = stored_clocks(session, judged_at(end, latest), records)
    amounts = _amounts(session, before.record_ids)[0]
    teams_of = clock_teams(before.clocks, before.teams, owner_teams, directory)
    rows = _window(before.clocks, teams_of.scope(team), start, end)
    return Judged(before.clocks, rows, amounts, teams_of)


def _handoff_rows(matrix: Matrix, now: Judged, before: Judged) -> list[HandoffRow]:
    clocks, amounts = now.clocks, now.amounts
    rows = []
    for handoff in matrix.handoffs:
        mine = now.of_handoff(handoff.key)
        segments = []
        for key, rule in handoff.rules.items():
            target = _target_text(matrix, rule.target_seconds, handoff.rule_calendar(key))
            chosen = (
                mine[:0]
                if key not in clocks.segment_keys
                else mine[clocks.segment[mine] == clocks.segment_keys.index(key)]
            )
            segments.append(
                SegmentRow(matrix.segment(key).name, target, figures(clocks, chosen, amounts))
            )
        default = handoff.rules["default"]
        rows.append(
            HandoffRow(
                handoff.key,
                handoff.name,
                handoff.team,
                _target_text(matrix, default.target_seconds, handoff.rule_calendar("default")),
                now.figures(mine),
                before.figures(before.of_handoff(handoff.key)),
                tuple(segments),
            )
        )
    return rows


def _target_text(matrix: Matrix, seconds: int, calendar: str) -> str:
    """`3 business days (us_business)`: a target in its calendar's terms, with the calendar."""
    terms = calendar_terms(matrix.calendars.get(calendar))
    return f"{describe_duration(seconds, terms)} ({calendar})"


def _team_rows(now: Judged, before: Judged) -> list[TeamRow]:
    """One row per team responsible for a handoff with clocks in either period (DESIGN 7a)."""
    names = set(now.teams.handoff_team[now.rows].tolist())
    names |= set(before.teams.handoff_team[before.rows].tolist())
    return [
        TeamRow(name, now.figures(now.of_team(name)), before.figures(before.of_team(name)))
        for name in sorted(names)
    ]


def _rep_rows(
    clocks: ClockTable,
    teams_of: ClockTeams,
    people: dict[str, tuple[str, str]],
    current: I64,
    amounts: npt.NDArray[np.float64],
) -> list[RepRow]:
    """One row per owner; their team is the directory's, else the one of their handoffs."""
    person_team = teams_of.person_team()
    team_figures: dict[str, Figures] = {}
    reps = []
    for code in np.unique(clocks.owner[current]).tolist():
        if code < 0:
            continue
        email = clocks.owners[code]
        rows = current[clocks.owner[current] == code]
        name = people.get(email, (email, UNASSIGNED))[0]
        kinds, counts = np.unique(person_team[rows].astype(str), return_counts=True)
        rep_team = str(kinds[int(np.argmax(counts))])
        if rep_team not in team_figures:
            mine = current[teams_of.members(rep_team)[current]]
            team_figures[rep_team] = figures(clocks, mine, amounts)
        reps.append(
            RepRow(name, email, rep_team, figures(clocks, rows, amounts), team_figures[rep_team])
        )
    reps.sort(key=lambda r: (r.team, r.name))
    return reps


def _breaches(
    matrix: Matrix,
    clocks: ClockTable,
    current: I64,
    amounts: npt.NDArray[np.float64],
    attributes: list[dict[str, str]],
    names: list[tuple[str, str, str]],
    owner_names: list[str],
    clock_team: npt.NDArray[np.object_],
    links: dict[str, str],
) -> list[BreachRow]:
    rows = current[late_mask(clocks)[current]]
    rows = rows[np.argsort(-(clocks.elapsed[rows] - clocks.target[rows]), kind="stable")]
    found = []
    for i in rows.tolist():
        record = int(clocks.record[i])
        source, external, name = names[record]
        owner = int(clocks.owner[i])
        amount = float(amounts[record])
        found.append(
            BreachRow(
                record_id=external,
                record_name=name,
                handoff=_handoff_name(matrix, clocks.handoff_keys[int(clocks.handoff[i])]),
                segment=_segment_name(matrix, clocks.segment_keys[int(clocks.segment[i])]),
                owner=owner_names[owner] if owner >= 0 else "",
                team=str(clock_team[i]),
                started_at=int(clocks.started_at[i]),
                due_at=int(clocks.due_at[i]) if clocks.has_due[i] else None,
                stopped_at=int(clocks.stopped_at[i]) if clocks.closed[i] else None,
                late_seconds=int(clocks.elapsed[i] - clocks.target[i]),
                status="missed" if clocks.closed[i] else "breached",
                amount=None if math.isnan(amount) else amount,
                source=attributes[record].get("source", ""),
                tier=attributes[record].get("tier", ""),
                url=record_link(links, source, external),
                terms=rule_terms(
                    matrix,
                    clocks.handoff_keys[int(clocks.handoff[i])],
                    clocks.segment_keys[int(clocks.segment[i])],
                ),
            )
        )
    return found
