"""Scorecard data for a period and scope, computed from the database's events and directory."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.engine.calendar import WEEKDAYS, CalendarSpec
from slaapp.engine.clocks import MET, MISSED, ClockTable
from slaapp.engine.duration_terms import calendar_terms, rule_terms
from slaapp.engine.durations import describe_duration
from slaapp.engine.errors import BadInputError
from slaapp.engine.matrix import Matrix
from slaapp.models.directory import owner_directory
from slaapp.models.evaluation import stored_clocks
from slaapp.models.settings import record_link, record_links
from slaapp.models.tables import Record
from slaapp.reports.figures import causes, figures, late_mask
from slaapp.reports.scorecard import (
    BreachRow,
    HandoffRow,
    RepRow,
    ScorecardData,
    SegmentRow,
    TeamRow,
    TrendPoint,
)

I64 = npt.NDArray[np.int64]
UNASSIGNED = "Unassigned"
TREND_WEEKS = 12
DEFINITIONS = (
    (
        "Clock",
        "One cycle of one handoff for one record, from its start event to its stop or cancel event.",
    ),
    (
        "Period",
        "A clock belongs to the period its start falls in; the previous period is as long and ends where this one starts.",
    ),
    (
        "Met / missed",
        "A stopped clock is met when its business time elapsed is at most the target, else missed.",
    ),
    ("Breached", "A clock still open whose business time elapsed already exceeds its target."),
    (
        "Adherence",
        "Met clocks divided by met plus missed clocks (open and cancelled clocks are not judged).",
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
        "Team average",
        "The figures of all clocks owned by the team's members in the period (not an average of averages).",
    ),
    (
        "Top causes",
        "Handoffs, segments, owners and weekdays holding a larger share of the breaches than of the work, most breaches first.",
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
    session: Session, *, start: int, end: int, now: int, team: str | None = None
) -> ScorecardData:
    """Scorecard of the clocks that started in [start, end), judged at `now`, for one team or all."""
    if end <= start:
        raise BadInputError("the period must end after it starts")
    previous_start = start - (end - start)
    result = stored_clocks(session, now)
    latest = result.matrices[-1]
    matrix = latest.matrix
    clocks = result.clocks
    amounts, attributes, names = _amounts(session, result.record_ids)
    people = _people(session)
    links = record_links(session)
    owner_team = np.array(
        [people.get(o, ("", UNASSIGNED))[1] for o in clocks.owners] + [UNASSIGNED], dtype=object
    )
    clock_team = owner_team[clocks.owner]
    if team is not None:
        known = set(owner_team.tolist())
        if team not in known:
            raise BadInputError(
                f"no team {team!r} owns clocks (teams: {', '.join(sorted(known - {UNASSIGNED}))})"
            )
    scope = np.ones(len(clocks), dtype=np.bool_) if team is None else clock_team == team
    current = np.flatnonzero(scope & (clocks.started_at >= start) & (clocks.started_at < end))
    previous = np.flatnonzero(
        scope & (clocks.started_at >= previous_start) & (clocks.started_at < start)
    )
    zone = display_zone(matrix)

    handoffs = tuple(_handoff_rows(matrix, clocks, current, previous, amounts))
    team_names = sorted(set(clock_team[current].tolist()) | set(clock_team[previous].tolist()))
    team_codes = np.array(
        [team_names.index(t) if t in team_names else -1 for t in clock_team.tolist()],
        dtype=np.int64,
    )
    teams = tuple(
        TeamRow(
            name,
            figures(clocks, current[team_codes[current] == i], amounts),
            figures(clocks, previous[team_codes[previous] == i], amounts),
        )
        for i, name in enumerate(team_names)
    )
    team_figures = {row.team: row.figures for row in teams}
    reps = []
    for code in np.unique(clocks.owner[current]).tolist():
        if code < 0:
            continue
        email = clocks.owners[code]
        name, rep_team = people.get(email, (email, UNASSIGNED))
        rows = current[clocks.owner[current] == code]
        reps.append(
            RepRow(
                name,
                email,
                rep_team,
                figures(clocks, rows, amounts),
                team_figures.get(rep_team, figures(clocks, rows, amounts)),
            )
        )
    reps.sort(key=lambda r: (r.team, r.name))

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
        summary=figures(clocks, current, amounts),
        previous_summary=figures(clocks, previous, amounts),
        causes=causes(clocks, current, amounts, groupings),
        handoffs=handoffs,
        teams=teams,
        reps=tuple(reps),
        trend=tuple(_trend(clocks, scope, end, zone, handoff_names)),
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


def _handoff_rows(
    matrix: Matrix,
    clocks: ClockTable,
    current: I64,
    previous: I64,
    amounts: npt.NDArray[np.float64],
) -> list[HandoffRow]:
    rows = []
    for handoff in matrix.handoffs:
        if handoff.key not in clocks.handoff_keys:
            mine, before = current[:0], previous[:0]
        else:
            code = clocks.handoff_keys.index(handoff.key)
            mine, before = (
                current[clocks.handoff[current] == code],
                previous[clocks.handoff[previous] == code],
            )
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
                figures(clocks, mine, amounts),
                figures(clocks, before, amounts),
                tuple(segments),
            )
        )
    return rows


def _target_text(matrix: Matrix, seconds: int, calendar: str) -> str:
    """`3 business days (us_business)`: a target in its calendar's terms, with the calendar."""
    terms = calendar_terms(matrix.calendars.get(calendar))
    return f"{describe_duration(seconds, terms)} ({calendar})"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _trend(
    clocks: ClockTable, scope: npt.NDArray[np.bool_], end: int, zone: str, handoff_names: list[str]
) -> list[TrendPoint]:
    tz = ZoneInfo(zone)
    last = _monday(datetime.fromtimestamp(end - 1, tz).date())
    weeks = [last - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    bounds = [
        int(datetime.combine(w, datetime.min.time(), tz).timestamp())
        for w in [*weeks, last + timedelta(weeks=1)]
    ]
    late = late_mask(clocks)
    points = []
    for i, week in enumerate(weeks):
        in_week = scope & (clocks.started_at >= bounds[i]) & (clocks.started_at < bounds[i + 1])
        for code, name in enumerate(handoff_names):
            rows = np.flatnonzero(in_week & (clocks.handoff == code))
            met = int((clocks.status[rows] == MET).sum())
            missed = int((clocks.status[rows] == MISSED).sum())
            points.append(
                TrendPoint(
                    week.isoformat(),
                    name,
                    int(rows.size),
                    met / (met + missed) if met + missed else None,
                    int(late[rows].sum()),
                )
            )
    return points


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
