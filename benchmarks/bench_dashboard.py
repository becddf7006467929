"""Dashboard over 1,000,000 clocks: numpy aggregates and the charts drawn, against a plain-Python groupby."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks import Summary, best_of, line, timed
from slaapp.engine.clocks import BREACHED, MET, MISSED
from slaapp.engine.metrics import ClockColumns, deal_bands
from slaapp.engine.metrics_dashboard import DashboardMetrics, Dimension, dashboard_metrics
from slaapp.services.dashboard import DashboardChoices, DashboardData, DashboardFilter

ZONE = "America/New_York"
START = int(datetime(2026, 8, 3, 4, tzinfo=UTC).timestamp())  # Mon 3 Aug 2026 00:00 New York
DAYS = 90
END = START + DAYS * 86400
HANDOFFS, SEGMENTS, OWNERS, TEAMS = 8, 4, 200, 12
SOURCES = ("Web", "Paid search", "Webinar", "Partner", "Outbound", "No source")
BUDGET = 1.0


def synthetic(clocks: int, seed: int = 11) -> DashboardData:
    """A dashboard's worth of clocks shaped like a large org: 8 handoffs, 200 reps, 12 teams."""
    rng = np.random.default_rng(seed)
    target = rng.choice(np.array([3600, 7200, 14400, 86400]), clocks)
    elapsed = (target * rng.lognormal(-0.4, 0.8, clocks)).astype(np.int64)
    status = np.where(elapsed <= target, MET, MISSED).astype(np.int8)
    open_ = rng.random(clocks) < 0.08
    status[open_] = np.where(elapsed[open_] > target[open_], BREACHED, 0)
    quality = rng.choice(np.array([-1, 0, 1], dtype=np.int8), clocks, p=(0.5, 0.05, 0.45))
    quality[open_] = -1
    owner = rng.integers(-1, OWNERS, clocks)
    owner_team = np.arange(OWNERS, dtype=np.int64) % TEAMS
    team = np.append(owner_team, TEAMS)[owner]
    columns = ClockColumns(
        status, np.sort(rng.integers(START, END, clocks)), elapsed, target.astype(np.int64), quality
    )
    amount = np.where(rng.random(clocks) < 0.3, np.nan, rng.lognormal(10, 1.2, clocks))

    def dim(codes: np.ndarray, labels: tuple[str, ...]) -> Dimension:
        return Dimension(codes.astype(np.int64), labels)

    handoff = dim(rng.integers(0, HANDOFFS, clocks), tuple(f"Handoff {i}" for i in range(HANDOFFS)))
    segment = dim(rng.integers(0, SEGMENTS, clocks), tuple(f"Segment {i}" for i in range(SEGMENTS)))
    owners = dim(owner, tuple(f"Rep {i:03d}" for i in range(OWNERS)))
    teams = dim(team, (*(f"Team {i:02d}" for i in range(TEAMS)), "Unassigned"))
    source = dim(rng.integers(0, len(SOURCES), clocks), SOURCES)
    metrics = aggregate(columns, handoff, segment, owners, owner_team, teams, source, amount)
    ids = np.arange(1, clocks + 1, dtype=np.int64)
    return DashboardData(
        filter=DashboardFilter(datetime.fromtimestamp(START, ZoneInfo(ZONE)).date(),
                               datetime.fromtimestamp(END - 1, ZoneInfo(ZONE)).date()),
        as_of=END, start=START, end=END, zone=ZONE, goal=0.9, stored=clocks,
        choices=DashboardChoices(teams.labels, tuple((h, h) for h in handoff.labels),
                                 tuple((s, s) for s in segment.labels), SOURCES),
        columns=columns, clock_id=ids, record_id=ids, handoff=handoff, handoff_keys=handoff.labels,
        segment=segment, segment_keys=segment.labels, owner=owners, owner_keys=owners.labels,
        owner_team=owner_team,
        team=teams, source=source, amount=amount,
        record=Dimension(np.zeros(clocks, dtype=np.int64), ("record",)), metrics=metrics,
    )  # fmt: skip


def aggregate(
    columns, handoff, segment, owner, owner_team, team, source, amount
) -> DashboardMetrics:  # type: ignore[no-untyped-def]
    return dashboard_metrics(
        columns, handoff=handoff, segment=segment, owner=owner, owner_team=owner_team, team=team,
        source=source, amount=amount, start=START, end=END, zone=ZONE, step="day",
    )  # fmt: skip


def _quantile(values: list[int], q: float) -> float:
    if not values:
        return math.nan
    values.sort()
    position = q * (len(values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def python_groupby(data: DashboardData) -> dict[str, dict[object, tuple[float, float, float]]]:
    """The same aggregates the way a plain Python report would: one pass of dicts per grouping.

    Returns (adherence, median, p90) per group of every grouping, to compare with numpy's.
    """
    c = data.columns
    status, elapsed, started = c.status.tolist(), c.elapsed.tolist(), c.started_at.tolist()
    bands, _ = deal_bands(data.amount)
    tz = ZoneInfo(data.zone)
    day_of = {}
    groupings = {
        "source": data.source.codes.tolist(),
        "segment": data.segment.codes.tolist(),
        "deal_size": bands.tolist(),
        "team": data.team.codes.tolist(),
        "rep": data.owner.codes.tolist(),
        "handoff": data.handoff.codes.tolist(),
    }
    heat: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    daily: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    handoffs = groupings["handoff"]
    for i, t in enumerate(started):
        local = datetime.fromtimestamp(t, tz)
        late = status[i] in (MISSED, BREACHED)
        cell = heat[(local.weekday(), local.hour)]
        cell[0] += 1
        cell[1] += late
        day = day_of.setdefault(local.date(), local.date().isoformat())
        if status[i] in (MET, MISSED):
            entry = daily[(handoffs[i], day)]
            entry[0] += status[i] == MET
            entry[1] += 1
    found: dict[str, dict[object, tuple[float, float, float]]] = {}
    for name, codes in groupings.items():
        met: dict[int, int] = defaultdict(int)
        judged: dict[int, int] = defaultdict(int)
        times: dict[int, list[int]] = defaultdict(list)
        for i, code in enumerate(codes):
            if code < 0 or status[i] not in (MET, MISSED):
                continue
            met[code] += status[i] == MET
            judged[code] += 1
            times[code].append(elapsed[i])
        found[name] = {
            code: (
                met[code] / judged[code],
                _quantile(times[code], 0.5),
                _quantile(times[code], 0.9),
            )
            for code in judged
        }
    found["heat"] = {key: (float(v[1]), float(v[0]), 0.0) for key, v in heat.items()}
    found["daily"] = {key: (v[0] / v[1], 0.0, 0.0) for key, v in daily.items()}
    return found


def _same(data: DashboardData, theirs: dict[str, dict[object, tuple[float, float, float]]]) -> bool:
    m = data.metrics
    stats = {**m.breakdowns, "rep": m.reps.reps, "handoff": m.responses.handoff}
    for name, groups in stats.items():
        for code, (adherence, median, p90) in theirs[name].items():
            assert isinstance(code, int)
            ours = (groups.adherence[code], groups.median_response[code], groups.p90_response[code])
            if not np.allclose(ours, (adherence, median, p90), equal_nan=True):
                print(
                    f"  MISMATCH {name} {groups.labels[code]}: {ours} vs {(adherence, median, p90)}"
                )
                return False
    for (day, hour), (breaches, clocks, _) in theirs["heat"].items():
        if (m.heat.breaches[day, hour], m.heat.clocks[day, hour]) != (breaches, clocks):
            print(f"  MISMATCH heat {day} {hour}")
            return False
    series = m.adherence
    for (handoff, day), (adherence, _, _) in theirs["daily"].items():
        group = series.handoff_group(handoff, series.buckets.index(day))
        if not math.isclose(series.by_handoff.adherence[group], adherence):
            print(f"  MISMATCH adherence {handoff} {day}")
            return False
    return True


def render_seconds(data: DashboardData) -> float:
    """Draw every chart of the screen from computed metrics and paint it once."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from slaapp.models.database import Database
    from slaapp.views.common.jobs import JobRunner
    from slaapp.views.dashboard.screen import DashboardScreen

    app = QApplication.instance() or QApplication([])
    database = Database("sqlite://")
    jobs = JobRunner()
    screen = DashboardScreen(database, jobs)
    screen.resize(1400, 900)
    screen.show()
    app.processEvents()

    def draw() -> None:
        screen.show_data(data)
        screen.grab()  # lays out and paints every visible chart

    seconds, _ = best_of(3, draw)
    screen.close()
    screen.deleteLater()
    jobs.deleteLater()
    app.processEvents()
    database.dispose()
    return seconds


def run(
    clocks: int = 1_000_000, baseline_clocks: int = 100_000, render: bool = True
) -> list[Summary]:
    """Aggregate and draw `clocks` clocks; the Python groupby runs on `baseline_clocks` of them."""
    print(
        f"\n== dashboard: {clocks:,} clocks, {DAYS} days, {HANDOFFS} handoffs, {OWNERS} reps, {TEAMS} teams"
    )
    data = synthetic(clocks)
    args = (data.columns, data.handoff, data.segment, data.owner, data.owner_team, data.team,
            data.source, data.amount)  # fmt: skip

    def fresh() -> DashboardMetrics:
        c = data.columns  # new columns: nothing cached from an earlier run
        columns = ClockColumns(c.status, c.started_at, c.elapsed, c.target, c.quality)
        return aggregate(columns, *args[1:])

    ours, _ = best_of(3, fresh)
    line("numpy aggregates (all charts)", f"{ours * 1000:,.0f} ms")
    drawn = render_seconds(data) if render else 0.0
    if render:
        line("draw and paint every chart", f"{drawn * 1000:,.0f} ms")
    sample = synthetic(min(baseline_clocks, clocks))
    theirs_seconds, theirs = timed(lambda: python_groupby(sample))
    identical = _same(sample, theirs)
    scaled = theirs_seconds * clocks / len(sample)
    line(f"baseline: Python groupby, {len(sample):,} clocks", f"{theirs_seconds * 1000:,.0f} ms")
    if len(sample) < clocks:
        line(f"baseline scaled to {clocks:,} (linear)", f"{scaled * 1000:,.0f} ms")
    line("same figures as the baseline", "yes" if identical else "NO")
    total = ours + drawn
    return [
        Summary(
            f"dashboard, {clocks:,} clocks",
            f"{total * 1000:,.0f} ms",
            f"{scaled * 1000:,.0f} ms" + ("" if len(sample) == clocks else " (scaled)"),
            scaled / ours if ours > 0 else None,
            f"< {BUDGET:g} s aggregate + draw",
            total < BUDGET,
            identical,
        )
    ]


if __name__ == "__main__":
    run()
