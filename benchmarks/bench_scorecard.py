"""The Excel scorecard (XlsxWriter, constant memory) against a plain openpyxl write of the same cells."""

from __future__ import annotations

import random
import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from benchmarks import Summary, best_of, line, rate, timed
from slaapp.engine.durations import describe_duration
from slaapp.reports import workbook
from slaapp.reports.scorecard import (
    BreachRow,
    Cause,
    Figures,
    HandoffRow,
    RepRow,
    ScorecardData,
    SegmentRow,
    TeamRow,
    TrendPoint,
)
from slaapp.reports.workbook import write_scorecard

ZONE = "America/Chicago"
END = int(datetime(2026, 11, 9, 6, tzinfo=UTC).timestamp())  # Mon 9 Nov 2026 00:00 Chicago
START = END - 7 * 86400
H = 3600
HANDOFFS = (
    "Lead to SDR", "SDR to AE", "Demo to proposal", "Proposal to close", "Closed won to CS",
    "CS to onboarding", "Renewal to AM", "Expansion to AE",
)  # fmt: skip
SEGMENTS = ("Enterprise", "Mid-market", "SMB", "Partner")
TEAMS = 12
TIME_BUDGET = 20.0
RATIO_BUDGET = 2.0
MEMORY_BUDGET_MB = 64.0


def _figures(rng: random.Random, clocks: int) -> Figures:
    met = int(clocks * rng.uniform(0.55, 0.95))
    missed = int((clocks - met) * rng.uniform(0.5, 0.9))
    breached = rng.randint(0, max(0, clocks - met - missed))
    median = rng.uniform(0.2, 30) * H
    return Figures(
        clocks=clocks,
        met=met,
        missed=missed,
        open=clocks - met - missed,
        breached_open=breached,
        cancelled=0,
        adherence=met / (met + missed) if met + missed else None,
        median_response_seconds=median,
        mean_response_seconds=median * 1.3,
        p90_response_seconds=median * 3.1,
        quality_pass_rate=rng.uniform(0.6, 1.0),
        revenue_at_stake=round(rng.uniform(0, 2e6), 2),
    )


def synthetic_scorecard(
    reps: int = 200, weeks: int = 52, breach_rows: int = 100_000, seed: int = 7
) -> ScorecardData:
    """8 handoffs x 4 segments, 12 teams, `reps` reps, `weeks` x 8 trend points, `breach_rows`
    breaches with CRM links (a few texts start with `=`, `+`, `-` or `@`)."""
    rng = random.Random(seed)
    teams = tuple(f"Team {chr(65 + i)}" for i in range(TEAMS))
    team_rows = tuple(
        TeamRow(t, _figures(rng, rng.randint(800, 3000)), _figures(rng, rng.randint(800, 3000)))
        for t in teams
    )
    team_figures = {row.team: row.figures for row in team_rows}
    people = [(f"Rep {i:03d} Lastname", f"rep{i:03d}@example.com", teams[i % TEAMS]) for i in range(reps)]  # fmt: skip
    rep_rows = tuple(
        sorted(
            (
                RepRow(name, email, team, _figures(rng, rng.randint(20, 300)), team_figures[team])
                for name, email, team in people
            ),
            key=lambda r: (r.team, r.name),
        )
    )
    handoffs = tuple(
        HandoffRow(
            f"h{i}", name, teams[i % TEAMS], f"{2 + i} h (business)",
            _figures(rng, rng.randint(2000, 9000)), _figures(rng, rng.randint(2000, 9000)),
            tuple(SegmentRow(s, f"{1 + j} h (business)", _figures(rng, rng.randint(200, 3000))) for j, s in enumerate(SEGMENTS)),
        )
        for i, name in enumerate(HANDOFFS)
    )  # fmt: skip
    last_monday = date(2026, 11, 2)
    trend = tuple(
        TrendPoint(
            (last_monday - timedelta(weeks=weeks - 1 - w)).isoformat(), name, rng.randint(100, 900),
            rng.uniform(0.6, 0.98), rng.randint(0, 90),
        )
        for w in range(weeks)
        for name in HANDOFFS
    )  # fmt: skip
    odd = ("=cmd|' /C calc'!A0", "+1 555 0100", "-Unknown-", "@mention")
    breaches = []
    for i in range(breach_rows):
        started = START + rng.randint(0, 7 * 86400 - 1)
        person = people[rng.randrange(reps)]
        closed = rng.random() < 0.8
        target = rng.choice((2, 4, 8, 24)) * H
        late = rng.randint(60, 40 * H)
        breaches.append(
            BreachRow(
                record_id=odd[i % 4] if i % 997 == 0 else f"00Q{i:07d}",
                record_name=odd[(i + 1) % 4] if i % 991 == 0 else f"Company {i % 5000} Holdings Inc.",
                handoff=HANDOFFS[i % 8],
                segment=SEGMENTS[i % 4],
                owner=person[0],
                team=person[2],
                started_at=started,
                due_at=started + target,
                stopped_at=started + target + late if closed else None,
                late_seconds=late,
                status="missed" if closed else "breached",
                amount=round(rng.uniform(1_000, 250_000), 2) if i % 10 else None,
                source=("web", "event", "partner", "outbound")[i % 4],
                tier=("A", "B", "C")[i % 3],
                url=f"https://crm.example.com/lightning/r/Lead/00Q{i:07d}/view" if i % 20 else None,
            )
        )  # fmt: skip
    summary = _figures(rng, 40_000)
    return ScorecardData(
        title="SLA scorecard",
        scope="All teams",
        start=START,
        end=END,
        previous_start=START - 7 * 86400,
        generated_at=END + 9 * H,
        timezone=ZONE,
        matrix_name="Revenue handoffs",
        matrix_version=12,
        summary=summary,
        previous_summary=_figures(rng, 38_000),
        causes=tuple(
            Cause(f"{name} handoffs", 900 - 100 * i, 0.2 - 0.02 * i, 1e6 / (i + 1))
            for i, name in enumerate(HANDOFFS[:6])
        ),
        handoffs=handoffs,
        teams=team_rows,
        reps=rep_rows,
        trend=trend,
        breaches=tuple(breaches),
        calendars=(("business", "America/Chicago, Monday-Friday 08:00-17:00"),),
        definitions=(("Adherence", "Met clocks divided by met plus missed clocks."),),
    )


def openpyxl_write(data: ScorecardData, path: Path) -> None:
    """Baseline: the same cells with openpyxl's ordinary workbook (values only, no formats,
    charts or links), date-times converted to naive local time the plain way."""
    tz = ZoneInfo(data.timezone)

    def local(epoch: int | None) -> datetime | None:
        return None if epoch is None else datetime.fromtimestamp(epoch, tz).replace(tzinfo=None)

    def figures(f: Figures) -> list[object]:
        hours = [None if s is None else s / H for s in (f.median_response_seconds, f.mean_response_seconds, f.p90_response_seconds)]  # fmt: skip
        return [f.clocks, f.met, f.missed, f.breached_open, f.adherence, *hours, f.quality_pass_rate, f.revenue_at_stake]  # fmt: skip

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Summary"
    ws.append([data.title])
    ws.append([data.scope])
    for f in (data.summary, data.previous_summary):
        ws.append(figures(f))
    for cause in data.causes:
        ws.append([cause.text, cause.breaches, cause.share, cause.revenue])
    ws = book.create_sheet("Handoffs")
    for h in data.handoffs:
        ws.append([h.name, h.team, h.target, *figures(h.figures), h.previous.adherence])
        for s in h.segments:
            ws.append([s.segment, "", s.target, *figures(s.figures)])
    ws = book.create_sheet("Teams")
    for t in data.teams:
        ws.append([t.team, *figures(t.figures), t.previous.adherence, t.previous.breaches])
    ws = book.create_sheet("Rep scorecards")
    for r in data.reps:
        ws.append([r.name, r.email, *figures(r.figures), r.team_figures.adherence])
    ws = book.create_sheet("Trend")
    for p in data.trend:
        ws.append([p.week, p.handoff, p.adherence])
    ws = book.create_sheet("Breaches")
    for b in data.breaches:
        ws.append(
            [b.record_id, b.record_name, b.handoff, b.segment, b.owner, b.team,
             local(b.started_at), local(b.due_at), local(b.stopped_at),
             describe_duration(b.late_seconds), b.late_seconds / H, b.status, b.amount,
             b.source, b.tier]
        )  # fmt: skip
    ws = book.create_sheet("Definitions")
    for term, text in data.definitions:
        ws.append([term, text])
    book.save(path)


def peak_mb(fn: Callable[[], object]) -> float:
    """tracemalloc's peak of Python allocations during one call, in MB (inputs excluded)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run(
    reps: int = 200,
    weeks: int = 52,
    breach_rows: int = 100_000,
    repeats: int = 1,
    workdir: Path | None = None,
    public_calls: bool = True,
) -> list[Summary]:
    """Write the scorecard of that size with slaapp and with openpyxl; time and peak memory.

    `public_calls` also times slaapp with one XlsxWriter call per breach cell (FAST_ROWS off),
    the way the workbook is written when XlsxWriter's internals are not the expected ones."""
    print(
        f"\n== scorecard workbook: {breach_rows:,} breach rows, {reps} reps, {weeks} weeks x "
        f"{len(HANDOFFS)} handoffs, {len(HANDOFFS) * len(SEGMENTS)} segments, {TEAMS} teams"
    )
    built, data = timed(lambda: synthetic_scorecard(reps, weeks, breach_rows))
    cells = 15 * breach_rows
    with tempfile.TemporaryDirectory() as scratch:
        folder = workdir or Path(scratch)
        ours_path, theirs_path = folder / "scorecard.xlsx", folder / "openpyxl.xlsx"
        ours, _ = best_of(repeats, lambda: write_scorecard(data, ours_path))
        theirs, _ = best_of(repeats, lambda: openpyxl_write(data, theirs_path))
        slow = None
        if public_calls:
            workbook.FAST_ROWS = False
            try:
                slow, _ = timed(lambda: write_scorecard(data, folder / "public-calls.xlsx"))
            finally:
                workbook.FAST_ROWS = True
        ours_mb = peak_mb(lambda: write_scorecard(data, ours_path))
        theirs_mb = peak_mb(lambda: openpyxl_write(data, theirs_path))
        ours_size, theirs_size = ours_path.stat().st_size, theirs_path.stat().st_size
    ratio = theirs / ours
    runs = "one run" if repeats == 1 else f"best of {repeats} runs"
    print(f"  synthetic data built in {built:.1f} s; {cells:,} breach cells; {runs}; "
          "peak memory by tracemalloc in separate runs")  # fmt: skip
    line("", "seconds", "cells/s", "peak MB", "file MB")
    line(
        "slaapp write_scorecard (XlsxWriter)",
        f"{ours:.2f}",
        rate(cells, ours),
        f"{ours_mb:.1f}",
        f"{ours_size / 1e6:.1f}",
    )
    if slow is not None:
        line("  the same, one XlsxWriter call per cell", f"{slow:.2f}", rate(cells, slow), "", "")
    line(
        "baseline: openpyxl, values only",
        f"{theirs:.2f}",
        rate(cells, theirs),
        f"{theirs_mb:.1f}",
        f"{theirs_size / 1e6:.1f}",
    )
    within = ours <= TIME_BUDGET and ratio >= RATIO_BUDGET
    print(
        f"  ours is {ratio:.2f}x faster and uses {theirs_mb / ours_mb:.1f}x less memory; "
        f"budget < {TIME_BUDGET:.0f} s and >= {RATIO_BUDGET:.0f}x faster than openpyxl: "
        + ("ok" if within else "OVER BUDGET")
    )
    rows_k = f"{breach_rows / 1000:,.0f}k" if breach_rows >= 1000 else f"{breach_rows}"
    return [
        Summary(f"scorecard .xlsx, {rows_k} breach rows", f"{ours:.2f} s", f"{theirs:.2f} s",
                ratio, f"< {TIME_BUDGET:.0f} s, >= {RATIO_BUDGET:.0f}x", within),
        Summary(f"scorecard .xlsx peak memory, {rows_k} rows", f"{ours_mb:.0f} MB",
                f"{theirs_mb:.0f} MB", theirs_mb / ours_mb, f"< {MEMORY_BUDGET_MB:.0f} MB",
                ours_mb < MEMORY_BUDGET_MB),
    ]  # fmt: skip
