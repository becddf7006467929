"""The per-clock CLI benchmark at a tiny size: it runs, and its identity checks hold (no timing asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import bench_evaluate_cli
from benchmarks.clock_baseline import time_clocks
from benchmarks.synthetic_log import MATRIX
from slaapp.importers.matrix_file import load_matrix


def test_per_clock_benchmark_checks_the_cli_and_businesstimedelta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = bench_evaluate_cli.measure_per_clock(
        clocks=1_500, sample=120, repeats=1, workdir=tmp_path
    )
    assert result.problems == ()
    assert result.clocks >= 1_500
    assert result.baseline.sample == 120
    assert 0 < result.baseline.business < 120  # both calendars are in the sample
    summary = bench_evaluate_cli.report_per_clock(result, 1)
    assert summary.identical and summary.ratio == min(result.ratio, result.cpu_ratio) > 0
    assert "identical: the CLI printed the clocks of the in-memory log" in capsys.readouterr().out


def test_businesstimedelta_baseline_agrees_with_every_clock() -> None:
    _, table = bench_evaluate_cli.log_with_clocks(3_000)
    run = time_clocks(load_matrix(MATRIX), table, sample=len(table))
    assert run.problems == ()
    assert run.sample == len(table)
