"""The dashboard benchmark at a tiny size: it aggregates and agrees with the Python groupby (the GUI tests draw)."""

from __future__ import annotations

from benchmarks import Summary, bench_dashboard


def test_dashboard_benchmark_runs_small_and_matches_its_baseline(capsys) -> None:
    summaries = bench_dashboard.run(clocks=5_000, baseline_clocks=5_000, render=False)
    assert len(summaries) == 1 and isinstance(summaries[0], Summary)
    assert summaries[0].identical and summaries[0].ratio is not None
    out = capsys.readouterr().out
    assert "baseline: Python groupby" in out and "same figures as the baseline" in out
