"""The insights benchmark runs on a short history and agrees with its whole-log baseline."""

from __future__ import annotations

from benchmarks import bench_insights


def test_bench_insights_smoke(capsys):
    summaries = bench_insights.run(days=10)
    assert summaries[0].identical  # the what-if counts equal the whole-log re-evaluation
    assert "what-if" in capsys.readouterr().out
