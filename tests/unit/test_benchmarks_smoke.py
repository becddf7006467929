"""The benchmarks' identity checks at tiny sizes: same answers as their baselines, no timing asserted."""

from __future__ import annotations

import pytest

from benchmarks import bench_calendar, bench_clocks, bench_evaluate_cli
from benchmarks.synthetic_log import AS_OF, MATRIX, count_starts, log_for
from slaapp.engine.clocks import evaluate
from slaapp.importers.matrix_file import load_matrix


@pytest.mark.parametrize(("op", "pairs"), [("elapsed", 1_000), ("add", 2_000)])
def test_calendar_agrees_with_businesstimedelta_and_daywalk(op: str, pairs: int) -> None:
    result = bench_calendar.measure(op, n=pairs, sample=pairs, repeats=1)
    assert result.problems == ()
    assert result.sample == pairs
    assert result.edges > 0, "the sample should hit opening and closing times exactly"


def test_calendar_inputs_stay_in_range() -> None:
    _, s = bench_calendar.add_inputs(2_000)
    assert (s >= 1).all() and (s <= bench_calendar.MAX_ADD).all()
    a, b = bench_calendar.elapsed_inputs(2_000)
    assert (b > a).all()
    assert (a >= bench_calendar.YEAR_START).all() and (b <= bench_calendar.YEAR_END).all()


def test_evaluate_agrees_with_scalar_loop_and_literal_reference() -> None:
    log = log_for(5_000)
    assert count_starts(log) >= 5_000
    matrix = load_matrix(MATRIX)
    table = evaluate(matrix, log, AS_OF)
    assert len(table) >= 5_000
    assert (table.paused > 0).any(), "some clocks should have been paused"
    assert bench_clocks.per_clock_loop(matrix, table, sample=5_000).problems == ()
    assert bench_clocks.reference_check(matrix, log, table, records=300).problems == ()


def test_cli_round_trip_gives_the_in_memory_clocks(tmp_path) -> None:
    times = bench_evaluate_cli.measure(events=3_000, repeats=1, workdir=tmp_path)
    assert times.problems == ()
    assert times.events > 2_500
    assert set(times.stages) == set(bench_evaluate_cli.STAGES)


def test_store_benchmark_runs_small_and_reports_both_figures(capsys) -> None:
    from benchmarks import bench_store

    summaries = bench_store.run(records=1_500)
    assert [s.name for s in summaries] == [
        "import 1k records (SQLite)",
        "1,000-event sync, 3k clocks",
    ]
    assert all(s.identical for s in summaries)
    assert "sync of 1,000 events" in capsys.readouterr().out
