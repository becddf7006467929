"""Capacity in hours: recurring team x weekday x hour-range blocks and single bad team-days."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.insights.frame import WEEKDAYS, Frame, local_parts
from slaapp.engine.insights.stats import benjamini_hochberg, binomial_sf
from slaapp.engine.matrix import DEFAULT_SEGMENT, Handoff, Matrix

B = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

MAX_HOURS = 10
MIN_BLOCK_CLOCKS = 30
MIN_DAY_CLOCKS = 8
MIN_LIFT = 0.2
"""A block or day must be late at least this much more often than the team's normal work."""
ALPHA = 0.01
MIN_WEEKS = 3


def certainty(p_adjusted: float) -> str:
    """The words a manager reads for a multiple-testing-adjusted p-value."""
    if p_adjusted < 1e-6:
        return "very likely"
    if p_adjusted < 1e-3:
        return "likely"
    return "possible"


@dataclass(frozen=True)
class CapacityBlock:
    """A team late far more often on one weekday's hour range [start, end) week after week."""

    team: str
    weekday: int  # 0 Monday
    start: int  # local hour in the business zone
    end: int
    weeks: int  # weeks the block ran late
    weeks_seen: int  # weeks with clocks in the block
    late: int
    clocks: int
    baseline_late: int
    baseline_clocks: int
    p_adjusted: float
    arrivals_per_hour: float
    baseline_arrivals_per_hour: float
    people: float  # distinct owners working in the block, mean over weeks
    baseline_people: float
    staffed_rate: float  # estimated late rate with one more person in the block

    @property
    def rate(self) -> float:
        return self.late / self.clocks

    @property
    def baseline_rate(self) -> float:
        return self.baseline_late / self.baseline_clocks if self.baseline_clocks else 0.0

    @property
    def day_name(self) -> str:
        return WEEKDAYS[self.weekday]

    @property
    def excess(self) -> float:
        return self.late - self.clocks * self.baseline_rate


@dataclass(frozen=True)
class CapacityDay:
    """A single local day on which a team was late far more often than normal."""

    team: str
    day: str  # ISO date in the business zone
    weekday: str
    late: int
    clocks: int
    baseline_rate: float
    p_adjusted: float

    @property
    def rate(self) -> float:
        return self.late / self.clocks

    @property
    def excess(self) -> float:
        return self.late - self.clocks * self.baseline_rate


def working_time(frame: Frame) -> B:
    """Per clock: it started in its owner's working hours (directory), else in the open hours
    of its handoff's default calendar (a 24x7 default counts every hour)."""
    inputs = frame.inputs
    clocks = inputs.clocks
    result = np.ones(len(clocks), dtype=np.bool_)
    people = {p.key: p for p in inputs.people} | {p.email: p for p in inputs.people if p.email}
    known = np.zeros(len(clocks), dtype=np.bool_)
    by_zone: dict[str, list[int]] = {}
    hours = np.zeros((len(clocks.owners) + 1, 2), dtype=np.int64)
    for code, owner in enumerate(clocks.owners):
        person = people.get(owner)
        if person is not None and person.hours[1] > person.hours[0]:
            by_zone.setdefault(person.timezone or frame.zone, []).append(code)
            hours[code] = person.hours
    for zone, codes in by_zone.items():
        rows = np.flatnonzero(np.isin(clocks.owner, codes))
        _, weekday, hour = local_parts(clocks.started_at[rows], zone)
        span = hours[clocks.owner[rows]]
        result[rows] = (weekday < 5) & (hour >= span[:, 0]) & (hour < span[:, 1])
        known[rows] = True
    matrix = inputs.matrix
    for h, key in enumerate(clocks.handoff_keys):
        rows = np.flatnonzero(~known & (clocks.handoff == h))
        if rows.size == 0 or not any(x.key == key for x in matrix.handoffs):
            continue
        name = _team_calendar(matrix, matrix.handoff(key))
        if name is not None:
            result[rows] = matrix.calendar(name).is_open_many(clocks.started_at[rows])
    return result


def _team_calendar(matrix: Matrix, handoff: Handoff) -> str | None:
    """The handoff's default calendar; for a 24x7 one, the business calendar of another of
    the team's handoffs (a 24x7 rule does not mean the team works nights and weekends)."""
    candidates = [handoff] + [h for h in matrix.handoffs if h.team == handoff.team]
    for candidate in candidates:
        name = candidate.rule_calendar(DEFAULT_SEGMENT)
        spec = matrix.calendars.get(name)
        if spec is not None and not spec.always:
            return name
    return None


def capacity_blocks(frame: Frame, judged: B, alpha: float = ALPHA) -> tuple[CapacityBlock, ...]:
    """Scan every team x weekday x contiguous hour range (up to MAX_HOURS) for late rates far
    above the rest of the team's work, Bonferroni over every range tested, greedily."""
    found: list[CapacityBlock] = []
    tests = 0
    candidates: list[tuple[int, int, int, int]] = []
    for t in range(len(frame.teams)):
        rows = np.flatnonzero(judged & (frame.team == t))
        if rows.size < 2 * MIN_BLOCK_CLOCKS:
            continue
        for _ in range(4):  # at most four ranges per team
            best = _best_range(frame, rows)
            tests += best[4]
            if best[0] < 0:
                break
            start, end = _trim(frame, rows, best[0], best[1], best[2])
            if end > start:
                candidates.append((t, best[0], start, end))
            rows = rows[~_inside(frame, rows, best[0], best[1], best[2])]
    for t, weekday, start, end in candidates:
        block = _block(frame, judged, t, weekday, start, end, max(tests, 1), alpha)
        if block is not None:
            found.append(block)
    found.sort(key=lambda b: -b.excess)
    return tuple(found)


def _trim(frame: Frame, rows: I64, weekday: int, start: int, end: int) -> tuple[int, int]:
    """Drop edge hours no later than the same hours on the team's other weekdays: a late
    evening on every weekday is not this weekday's block."""
    hour, late = frame.hour[rows], frame.breached[rows]
    this = frame.weekday[rows] == weekday

    def lifted(h: int) -> bool:
        mine, other = this & (hour == h), ~this & (hour == h)
        if not mine.any():
            return False
        base = float(late[other].mean()) if other.any() else 0.0
        return float(late[mine].mean()) >= base + MIN_LIFT

    while start < end and not lifted(start):
        start += 1
    while end > start and not lifted(end - 1):
        end -= 1
    return start, end


def _inside(frame: Frame, rows: I64, weekday: int, start: int, end: int) -> B:
    hour = frame.hour[rows]
    inside: B = (frame.weekday[rows] == weekday) & (hour >= start) & (hour < end)
    return inside


def _best_range(frame: Frame, rows: I64) -> tuple[int, int, int, float, int]:
    """(weekday, start, end, score, ranges tested) of the range with the largest likelihood
    ratio against the rest; weekday -1 when none is late more often than the rest."""
    cell = frame.weekday[rows] * 24 + frame.hour[rows]
    n = np.bincount(cell, minlength=168).reshape(7, 24).astype(np.float64)
    k = np.bincount(cell, weights=frame.breached[rows], minlength=168).reshape(7, 24)
    cn = np.concatenate([np.zeros((7, 1)), np.cumsum(n, axis=1)], axis=1)
    ck = np.concatenate([np.zeros((7, 1)), np.cumsum(k, axis=1)], axis=1)
    total_n, total_k = float(n.sum()), float(k.sum())
    best = (-1, 0, 0, 0.0, 0)
    tested = 0
    for length in range(1, MAX_HOURS + 1):
        inside_n = cn[:, length:] - cn[:, :-length]
        inside_k = ck[:, length:] - ck[:, :-length]
        out_n, out_k = total_n - inside_n, total_k - inside_k
        ok = (inside_n >= MIN_BLOCK_CLOCKS) & (out_n >= MIN_BLOCK_CLOCKS)
        tested += int(ok.sum())
        p_in = inside_k / np.maximum(inside_n, 1)
        p_out = out_k / np.maximum(out_n, 1)
        ok &= p_in >= p_out + MIN_LIFT
        if not ok.any():
            continue
        pooled = total_k / total_n
        score = _loglik(inside_k, inside_n, p_in) + _loglik(out_k, out_n, p_out)
        score -= _loglik(inside_k, inside_n, pooled) + _loglik(out_k, out_n, pooled)
        score = np.where(ok, score, -np.inf)
        at = int(np.argmax(score))
        if float(score.flat[at]) > best[3]:
            weekday, start = divmod(at, score.shape[1])
            best = (weekday, start, start + length, float(score.flat[at]), 0)
    return best[0], best[1], best[2], best[3], tested


def _loglik(k: F64, n: F64, p: F64 | float) -> F64:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    result: F64 = k * np.log(q) + (n - k) * np.log1p(-q)
    return result


def _block(
    frame: Frame, judged: B, t: int, weekday: int, start: int, end: int, tests: int, alpha: float
) -> CapacityBlock | None:
    team = judged & (frame.team == t)
    inside = team & (frame.weekday == weekday) & (frame.hour >= start) & (frame.hour < end)
    rest = team & ~inside
    n, k = int(inside.sum()), int(frame.breached[inside].sum())
    rn, rk = int(rest.sum()), int(frame.breached[rest].sum())
    if n < MIN_BLOCK_CLOCKS or rn == 0:
        return None
    p = min(1.0, binomial_sf(k, n, max(rk / rn, 0.5 / rn)) * tests)
    if p >= alpha:
        return None
    week = frame.local_day[inside] // 7
    weeks, back = np.unique(week, return_inverse=True)
    wn = np.bincount(back)
    wk = np.bincount(back, weights=frame.breached[inside])
    middle = (k / n + rk / rn) / 2
    bad = int((wk > middle * wn).sum())
    if bad < MIN_WEEKS or bad * 2 < weeks.size:
        return None
    owners = frame.inputs.clocks.owner
    people = _people(owners[inside], frame.local_day[inside] * 24 + frame.hour[inside])
    base_people = _people(owners[rest], frame.local_day[rest] * 24 + frame.hour[rest])
    hours = weeks.size * (end - start)
    rest_hours = np.unique(frame.local_day[rest] * 24 + frame.hour[rest]).size
    arrivals = n / max(hours, 1)
    rest_arrivals = rn / max(rest_hours, 1)
    return CapacityBlock(
        frame.teams[t], weekday, start, end, bad, int(weeks.size), k, n, rk, rn, p,
        arrivals, rest_arrivals, people, base_people,
        staffed_rate(arrivals, k / n, rk / rn, rest_arrivals, base_people),
    )  # fmt: skip


def _people(owners: I64, slot: I64) -> float:
    """Mean number of distinct owners per slot (a day's block, or an hour)."""
    if owners.size == 0:
        return 0.0
    pairs = np.unique(np.stack([slot, owners]), axis=1)
    return float(pairs.shape[1] / np.unique(slot).size)


def staffed_rate(
    arrivals: float, rate: float, baseline: float, base_arrivals: float, base_people: float
) -> float:
    """Late rate with one more person working at the team's usual pace: the block's on-time
    work per hour as observed, plus what one person handles on time in an hour elsewhere
    (arrivals over people there); no staffing brings the block below the team's normal rate."""
    if arrivals <= 0 or base_people <= 0:
        return rate
    usual = base_arrivals * (1 - baseline) / base_people
    handled = min(arrivals * (1 - baseline), arrivals * (1 - rate) + usual)
    return max(baseline, 1 - handled / arrivals)


def capacity_days(
    frame: Frame, judged: B, min_clocks: int = MIN_DAY_CLOCKS, alpha: float = ALPHA,
    floor: float = 0.0,
) -> tuple[CapacityDay, ...]:  # fmt: skip
    """Team-days late far more often than the team's normal rate, BH over every team-day."""
    rows = np.flatnonzero(judged)
    if rows.size == 0:
        return ()
    day0 = int(frame.local_day[rows].min())
    span = int(frame.local_day[rows].max()) - day0 + 1
    key = frame.team[rows].astype(np.int64) * span + (frame.local_day[rows] - day0)
    volume = np.bincount(key, minlength=len(frame.teams) * span)
    late = np.bincount(key, weights=frame.breached[rows], minlength=volume.size)
    team_n = np.bincount(frame.team[rows], minlength=len(frame.teams)).astype(np.float64)
    team_k = np.bincount(frame.team[rows], weights=frame.breached[rows], minlength=team_n.size)
    cells = np.flatnonzero(volume >= min_clocks)
    if cells.size == 0:
        return ()
    teams = cells // span
    base = (team_k[teams] - late[cells]) / np.maximum(team_n[teams] - volume[cells], 1)
    rate = late[cells] / volume[cells]
    hot = (rate >= base + MIN_LIFT) & (rate >= 2 * base) & (rate >= floor)
    p = np.ones(cells.size)
    for i in np.flatnonzero(hot):
        p[i] = binomial_sf(int(late[cells[i]]), int(volume[cells[i]]), max(float(base[i]), 0.01))
    q = benjamini_hochberg(p)
    found: list[CapacityDay] = []
    for i in np.flatnonzero(hot & (q < alpha)):
        t, offset = divmod(int(cells[i]), span)
        day = day0 + offset
        found.append(
            CapacityDay(
                frame.teams[t], str(np.datetime64(day, "D")), WEEKDAYS[(day + 3) % 7],
                int(late[cells[i]]), int(volume[cells[i]]), float(base[i]), float(q[i]),
            )
        )  # fmt: skip
    found.sort(key=lambda d: -d.excess)
    return tuple(found)


def block_mask(frame: Frame, blocks: tuple[CapacityBlock, ...]) -> B:
    """Per clock: it started inside one of the blocks (its team, weekday and hours)."""
    mask = np.zeros(frame.team.size, dtype=np.bool_)
    for b in blocks:
        hours = (frame.hour >= b.start) & (frame.hour < b.end)
        mask |= (frame.team == frame.teams.index(b.team)) & (frame.weekday == b.weekday) & hours
    return mask


def day_mask(frame: Frame, days: tuple[CapacityDay, ...]) -> B:
    mask = np.zeros(frame.team.size, dtype=np.bool_)
    for d in days:
        number = int(np.datetime64(d.day, "D").astype(np.int64))
        mask |= (frame.team == frame.teams.index(d.team)) & (frame.local_day == number)
    return mask


def p_text(p: float) -> str:
    """A p- or q-value in words a reader can trust: never a bare 0."""
    return "< 1e-300" if p < 1e-300 else f"= {p:.1g}"


def zone_words(zone: str) -> str:
    """`America/New_York` as `New York`."""
    return zone.split("/")[-1].replace("_", " ")


def hours_text(start: int, end: int) -> str:
    return f"{start:02d}:00-{end:02d}:00"


def percent(value: float) -> str:
    return f"{round(value * 100):.0f} %" if not math.isnan(value) else "n/a"
