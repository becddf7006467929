"""Insights over a year of the demo org: what-if replay against a whole-log re-evaluation."""

from __future__ import annotations

import numpy as np

from benchmarks import Summary, best_of, line
from slaapp.demo.org import generate_demo
from slaapp.engine.clocks import BREACHED, MISSED, evaluate
from slaapp.engine.insights import Change, InsightInputs, Period, analyze, build_frame, what_if
from slaapp.engine.insights.predict import fit_breach_model
from slaapp.engine.insights.whatif import changed_matrix
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix

NOW = 1_795_000_000
CHANGE = Change("demo_proposal", "default", 5 * 36000)
WHAT_IF_BUDGET = 1.0


def run(days: int = 365) -> list[Summary]:
    print(f"\n== insights: demo org, {days} days of history")
    org = generate_demo(seed=7, days=days, now=NOW)
    matrix = load_matrix(DEFAULT_MATRIX)
    clocks = evaluate(matrix, org.log, org.now)
    inputs = InsightInputs(org.log, clocks, matrix, org.people, org.now)
    frame = build_frame(inputs)
    period = Period(NOW - days * 86400, NOW)
    line("events / clocks", f"{len(org.log):,}", f"{len(clocks):,}")

    ours, result = best_of(3, lambda: what_if(frame, (CHANGE,), period))

    def whole_log() -> tuple[int, int]:
        """The plain way: evaluate every handoff of every record before and after."""
        counts = []
        for m in (matrix, changed_matrix(matrix, (CHANGE,))):
            table = evaluate(m, org.log, org.now)
            h = table.handoff_keys.index(CHANGE.handoff)
            rows = (table.handoff == h) & period.contains(table.started_at)
            counts.append(int(np.isin(table.status[rows], (MISSED, BREACHED)).sum()))
        return counts[0], counts[1]

    baseline, counts = best_of(3, whole_log)
    same = counts == (result.before.violations, result.after.violations)
    line("what-if (one handoff, ours / whole log)", f"{ours:.3f} s", f"{baseline:.3f} s")
    report_seconds, report = best_of(1, lambda: analyze(inputs, period, frame=frame))
    fit_seconds, model = best_of(1, lambda: fit_breach_model(clocks, matrix, frame.zone))
    line("full report with suggestions", f"{report_seconds:.2f} s")
    line("breach model fit", f"{fit_seconds:.2f} s", f"AUC {model.quality.auc:.2f}")
    line("suggestions replayed", f"{sum(len(s.candidates) for s in report.suggestions)}")
    return [
        Summary(
            f"what-if replay, {len(clocks):,} clocks",
            f"{ours:.3f} s",
            f"{baseline:.3f} s",
            baseline / ours if ours else None,
            f"< {WHAT_IF_BUDGET:.0f} s",
            ours < WHAT_IF_BUDGET,
            same,
        ),
        Summary("insight report + suggestions", f"{report_seconds:.2f} s", "-", None, "-", None),
    ]


if __name__ == "__main__":
    run()
