"""The scorecard benchmark at a tiny size: both writes happen and both files open (no timing asserted)."""

from __future__ import annotations

import openpyxl

from benchmarks import Summary, bench_scorecard
from slaapp.reports.workbook import SHEETS


def test_scorecard_benchmark_runs_small_and_both_workbooks_open(tmp_path, capsys) -> None:
    summaries = bench_scorecard.run(reps=10, weeks=4, breach_rows=500, workdir=tmp_path)
    assert len(summaries) == 2
    assert all(isinstance(s, Summary) for s in summaries)
    assert summaries[0].name == "scorecard .xlsx, 500 breach rows"
    assert all(s.ratio is not None and s.ratio > 0 for s in summaries)
    ours = openpyxl.load_workbook(tmp_path / "scorecard.xlsx", read_only=True)
    try:
        assert ours.sheetnames == list(SHEETS)
        assert ours["Breaches"].max_row == 3 + 500
    finally:
        ours.close()
    theirs = openpyxl.load_workbook(tmp_path / "openpyxl.xlsx", read_only=True)
    try:
        assert theirs["Breaches"].max_row == 500
    finally:
        theirs.close()
    out = capsys.readouterr().out
    assert "baseline: openpyxl" in out and "peak MB" in out


def test_synthetic_scorecard_has_the_asked_size() -> None:
    data = bench_scorecard.synthetic_scorecard(reps=30, weeks=6, breach_rows=1_000)
    assert len(data.handoffs) == 8 and all(len(h.segments) == 4 for h in data.handoffs)
    assert len(data.teams) == 12
    assert len(data.reps) == 30
    assert len(data.trend) == 6 * 8
    assert len(data.breaches) == 1_000
