"""`python -m benchmarks [--all]`: run the benchmarks, print each report and a summary table."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence

import numpy as np

from benchmarks import (
    Summary,
    bench_calendar,
    bench_clocks,
    bench_dashboard,
    bench_demo,
    bench_evaluate_cli,
    bench_gui,
    bench_insights,
    bench_pg_import,
    bench_scale,
    bench_scorecard,
    bench_store,
    bench_sync,
    bench_xlsx,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--all",
        action="store_true",
        help="also the slow parts: 20,000-pair baseline samples, a 100,000-clock loop, "
        "a 10,000-record reference check, the CLI best of 3, a sync over 1,000,000 stored "
        "clocks, the 300,000-event PostgreSQL import and its executemany baseline, and the "
        "scorecard written with one XlsxWriter call per cell, and the 1,000,000-record org (the "
        "quick set: 100,000 records) on SQLite and on PostgreSQL",
    )
    options = parser.parse_args(argv)
    print(
        f"slaapp benchmarks ({'all' if options.all else 'quick set'}): Python "
        f"{platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPU(s), "
        f"{platform.machine()}; figures are wall time (perf_counter), best of the repeats shown"
    )
    started = time.perf_counter()
    summaries: list[Summary] = []
    summaries += bench_calendar.run(sample=20_000 if options.all else 3_000)
    summaries += bench_clocks.run(
        sample=100_000 if options.all else 20_000, records=10_000 if options.all else 2_000
    )
    if options.all or bench_evaluate_cli.QUICK:
        summaries += bench_evaluate_cli.run(repeats=3 if options.all else 1)
    summaries += bench_store.run(sync_records=460_000 if options.all else None)
    summaries += bench_pg_import.run(
        sizes=(90_000, 300_000) if options.all else (90_000,), before=options.all
    )
    summaries += bench_demo.run()
    summaries += bench_scorecard.run(public_calls=options.all)
    summaries += bench_insights.run(days=365 if options.all else 90)
    summaries += bench_dashboard.run(baseline_clocks=1_000_000 if options.all else 100_000)
    summaries += bench_sync.run()
    summaries += bench_xlsx.run()
    summaries += bench_gui.run()
    pg_url, _ = bench_pg_import.postgres_url()
    summaries += bench_scale.run(1_000_000 if options.all else 100_000, pg_url)
    print_summary(summaries, time.perf_counter() - started)
    return 0 if all(s.identical for s in summaries) else 1


def print_summary(summaries: list[Summary], seconds: float) -> None:
    print(f"\n== summary ({seconds:.0f} s); speedup = baseline time / our time for the same work")
    header = ("benchmark", "ours", "baseline", "speedup", "budget", "result")
    rows = [header]
    for s in summaries:
        verdict = "-" if s.within_budget is None else "ok" if s.within_budget else "OVER BUDGET"
        if not s.identical:
            verdict += ", RESULTS DIFFER"
        ratio = (
            "-" if s.ratio is None else f"{s.ratio:,.0f}x" if s.ratio >= 10 else f"{s.ratio:.2f}x"
        )
        rows.append((s.name, s.ours, s.baseline, ratio, s.budget, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [
            c.ljust(w) if i in (0, 5) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())
    over = [s.name for s in summaries if s.within_budget is False]
    differ = [s.name for s in summaries if not s.identical]
    if over:
        print(f"OVER BUDGET: {', '.join(over)} (reported, not gating)")
    if differ:
        print(f"RESULTS DIFFER from a baseline in: {', '.join(differ)} (see MISMATCH above)")
    if not over and not differ:
        print("all budgets met; every checked result identical to its baseline")


if __name__ == "__main__":
    sys.exit(main())
