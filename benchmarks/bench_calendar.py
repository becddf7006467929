"""Business-time elapsed/add: our vectorised calendar vs businesstimedelta and the day-walk reference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import businesstimedelta as btd
import numpy as np
import numpy.typing as npt
import pytz

from benchmarks import Summary, best_of, line, quiet_baseline, rate, timed
from slaapp.engine import daywalk
from slaapp.engine.calendar import Calendar, CalendarSpec

I64 = npt.NDArray[np.int64]
ZONE = "America/New_York"
H = 3600
OPEN, CLOSE = 9 * H, 17 * H
HOLIDAYS = (
    date(2025, 1, 1), date(2025, 1, 20), date(2025, 5, 26), date(2025, 7, 4),
    date(2025, 9, 1), date(2025, 11, 27), date(2025, 12, 25), date(2026, 1, 1),
    date(2026, 1, 19), date(2026, 5, 25), date(2026, 7, 3), date(2026, 12, 25),
)  # fmt: skip
YEAR_START = int(datetime(2025, 1, 1, 5, tzinfo=UTC).timestamp())  # 2025-01-01 00:00 New York
YEAR_END = int(datetime(2026, 1, 1, 5, tzinfo=UTC).timestamp())
MAX_ADD = 40 * H
BUDGET_RATIO = 1000.0


def spec() -> CalendarSpec:
    """Mon–Fri 09:00–17:00 New York time (DST included) with the explicit HOLIDAYS."""
    hours = {day: ((OPEN, CLOSE),) for day in range(5)}
    return CalendarSpec(ZONE, hours=hours, holidays={d: "holiday" for d in HOLIDAYS})


def bt_rule() -> btd.Rules:
    """The same calendar in businesstimedelta (pytz localises each day's 09:00 and 17:00)."""
    tz = pytz.timezone(ZONE)
    workday = btd.WorkDayRule(time(9), time(17), [0, 1, 2, 3, 4], tz=tz)
    # A set is the fastest container its HolidayRule accepts: the fairest baseline.
    return btd.Rules([workday, btd.HolidayRule(set(HOLIDAYS), tz=tz)])


def _edges_of_year() -> tuple[I64, I64]:
    """Every opening and every closing time from 2025 to mid-January 2026, in UTC seconds."""
    spans = np.array(Calendar(spec()).open_intervals(YEAR_START, YEAR_END + 15 * 86400))
    return spans[:, 0].astype(np.int64), spans[:, 1].astype(np.int64)


def _instants(rng: np.random.Generator, n: int, low: I64, high: I64) -> I64:
    """Uniform seconds in [low, high); 10% on whole hours, 5% exactly on an open or a close."""
    t = (low + rng.random(n) * (high - low)).astype(np.int64)
    snap = rng.random(n) < 0.1
    t[snap] -= t[snap] % H
    opens, closes = _edges_of_year()
    edges = np.concatenate((opens, closes))
    on_edge = rng.random(n) < 0.05
    t[on_edge] = rng.choice(edges, n)[on_edge]
    return np.clip(t, low, high - 1)


def elapsed_inputs(n: int, seed: int = 20250101) -> tuple[I64, I64]:
    """Pairs a < b inside 2025, spans log-uniform 1 minute..90 days; a as _instants, b likewise
    10% floored to a whole hour and 5% moved to the next open or close."""
    rng = np.random.default_rng(seed)
    span = np.exp(rng.uniform(np.log(60), np.log(90 * 86400), n)).astype(np.int64)
    a = _instants(rng, n, np.full(n, YEAR_START), YEAR_END - span)
    b = a + span
    snap = rng.random(n) < 0.1
    b[snap] -= b[snap] % H
    opens, closes = _edges_of_year()
    edges = np.sort(np.concatenate((opens, closes)))
    on_edge = rng.random(n) < 0.05
    b[on_edge] = edges[np.searchsorted(edges, b[on_edge])]
    return a, np.maximum(b, a + 1)


def add_inputs(n: int, seed: int = 20250102) -> tuple[I64, I64]:
    """Starts in 2025, s from 1 s to 40 business hours; 10% whole hours, 5% ending exactly at a close."""
    rng = np.random.default_rng(seed)
    a = _instants(rng, n, np.full(n, YEAR_START), np.full(n, YEAR_END))
    s = rng.integers(1, MAX_ADD + 1, n, dtype=np.int64)
    whole = rng.random(n) < 0.1
    s[whole] = np.maximum(s[whole] - s[whole] % H, H)
    _, closes = _edges_of_year()
    at_close = rng.random(n) < 0.05
    k = np.searchsorted(closes, a, side="right") + rng.integers(0, 5, n)
    s[at_close] = Calendar(spec()).elapsed_many(a, closes[k])[at_close]
    return a, np.maximum(s, 1)


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, pytz.utc)


def bt_elapsed(rule: btd.Rules, a: list[int], b: list[int]) -> list[int]:
    with quiet_baseline():
        return [
            int(rule.difference(_utc(x), _utc(y)).timedelta.total_seconds())
            for x, y in zip(a, b, strict=True)
        ]


def bt_add(rule: btd.Rules, a: list[int], s: list[int]) -> list[int]:
    with quiet_baseline():
        return [
            int((_utc(x) + btd.BusinessTimeDelta(rule, seconds=k)).timestamp())
            for x, k in zip(a, s, strict=True)
        ]


def walk_elapsed(calendar: Calendar, a: list[int], b: list[int]) -> list[int]:
    return [daywalk.elapsed(calendar, x, y) for x, y in zip(a, b, strict=True)]


def walk_add(calendar: Calendar, a: list[int], s: list[int]) -> list[int]:
    return [daywalk.add(calendar, x, k) for x, k in zip(a, s, strict=True)]


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mismatches(
    op: str, who: str, x: list[int], y: list[int], ours: list[int], theirs: list[int]
) -> list[str]:
    """Every input where the two answers differ, spelled out exactly."""
    second = _iso if op == "elapsed" else str
    return [
        f"{op} vs {who}: a={xi} ({_iso(xi)}) {'b' if op == 'elapsed' else 's'}={yi} "
        f"({second(yi)}): ours={oi} theirs={ti}"
        for xi, yi, oi, ti in zip(x, y, ours, theirs, strict=True)
        if oi != ti
    ]


@dataclass(frozen=True)
class OpResult:
    """One operation measured: pairs, seconds, queries/s and every disagreement found."""

    op: str
    n: int
    ours_warm: float
    ours_cold: float
    bt_qps: float
    walk_qps: float
    sample: int
    edges: int
    problems: tuple[str, ...]


def measure(op: str, n: int, sample: int, repeats: int = 3) -> OpResult:
    """Time `op` ("elapsed" or "add") for n pairs; check both baselines on the first `sample`."""
    x, y = elapsed_inputs(n) if op == "elapsed" else add_inputs(n)
    many: Callable[[Calendar], I64] = (
        (lambda c: c.elapsed_many(x, y)) if op == "elapsed" else (lambda c: c.add_many(x, y))
    )
    cold, _ = timed(lambda: many(Calendar(spec())))
    calendar = Calendar(spec())
    warm, ours = best_of(repeats, lambda: many(calendar))
    xs, ys, mine = x[:sample].tolist(), y[:sample].tolist(), ours[:sample].tolist()
    rule = bt_rule()
    bt_fn, walk_fn = (bt_elapsed, walk_elapsed) if op == "elapsed" else (bt_add, walk_add)
    bt_time, bt_result = timed(lambda: bt_fn(rule, xs, ys))
    walk_time, walk_result = timed(lambda: walk_fn(calendar, xs, ys))
    problems = mismatches(op, "businesstimedelta", xs, ys, mine, bt_result)
    problems += mismatches(op, "daywalk", xs, ys, mine, walk_result)
    edges = _edges(
        calendar, np.concatenate((x[:sample], (y if op == "elapsed" else ours)[:sample]))
    )
    return OpResult(
        op, n, warm, cold, len(xs) / bt_time, len(xs) / walk_time, len(xs), edges, tuple(problems)
    )


def _edges(calendar: Calendar, t: I64) -> int:
    """How many instants sit exactly on an opening or a closing time."""
    return int(np.count_nonzero(calendar.is_open_many(t) != calendar.is_open_many(t - 1)))


def _report(r: OpResult) -> list[Summary]:
    ours_qps = r.n / r.ours_warm
    what = (
        "(a, b) pairs, spans 1 min..90 days" if r.op == "elapsed" else "(a, s) pairs, s 1 s..40 h"
    )
    print(f"\ncalendar {r.op}: {r.n:,} {what}")
    line("", "seconds", "queries/s", "ours / this")
    line(f"ours: {r.op}_many, warm, best of 3", f"{r.ours_warm:.3f}", rate(r.n, r.ours_warm), "1x")
    line(
        "ours: cold (fresh Calendar, builds table)",
        f"{r.ours_cold:.3f}",
        rate(r.n, r.ours_cold),
        "",
    )
    for who, qps in (("businesstimedelta", r.bt_qps), ("daywalk reference", r.walk_qps)):
        line(
            f"{who} on {r.sample:,} pairs",
            f"{r.n / qps:.1f} (extrap.)",
            f"{qps:,.0f}/s",
            f"{ours_qps / qps:,.0f}x",
        )
    if r.problems:
        print(f"  MISMATCH: {len(r.problems)} disagreement(s) on the subsample:")
        for problem in r.problems[:20]:
            print(f"    {problem}")
    else:
        print(f"  identical: all {r.sample:,} answers equal businesstimedelta's and daywalk's")
    landing = "b" if r.op == "elapsed" else "due"
    print(
        f"  ({r.edges:,} of the {2 * r.sample:,} sampled a/{landing} instants sit exactly on an open or close)"
    )
    ok = not r.problems
    return [
        Summary(f"calendar {r.op} vs businesstimedelta", f"{ours_qps:,.0f}/s", f"{r.bt_qps:,.0f}/s",
                ours_qps / r.bt_qps, f">= {BUDGET_RATIO:,.0f}x", ours_qps / r.bt_qps >= BUDGET_RATIO, ok),
        Summary(f"calendar {r.op} vs daywalk", f"{ours_qps:,.0f}/s", f"{r.walk_qps:,.0f}/s",
                ours_qps / r.walk_qps, "-", None, ok),
    ]  # fmt: skip


INTRO = """
== calendar: America/New_York Mon–Fri 09:00–17:00 (DST as it falls), 12 explicit holidays
   instants at random seconds in 2025, 10% on whole hours and 5% exactly on an open or a
   close (add: 5% of s end exactly at a close); businesstimedelta localises with pytz and
   has the same semantics, so every sampled pair is compared as is, boundaries included:
   elapsed counts [a, b) inside open hours, add returns the close when s ends exactly there."""


def run(n: int = 1_000_000, sample: int = 3000) -> list[Summary]:
    print(INTRO)
    summaries: list[Summary] = []
    for op in ("elapsed", "add"):
        summaries += _report(measure(op, n, sample))
    return summaries
