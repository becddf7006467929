"""`slaapp evaluate` end to end: per clock vs businesstimedelta (100,000 clocks), stages on 300,000 events."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from benchmarks import Summary, best_of, line, row_by_row, timed
from benchmarks.clock_baseline import BaselineRun, time_clocks
from benchmarks.synthetic_log import AS_OF, MATRIX, build_log
from slaapp import cli
from slaapp.cli import evaluate as commands
from slaapp.engine.clocks import ClockTable, evaluate
from slaapp.engine.eventlog import Column, EventLog
from slaapp.importers.event_file import read_events
from slaapp.importers.matrix_file import load_matrix
from slaapp.reports.clock_output import write_csv as write_clock_csv
from slaapp.reports.clock_output import write_json

AS_OF_TEXT = datetime.fromtimestamp(AS_OF, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
EVENTS_PER_RECORD = 3.35
QUICK = True
"""It runs in about 20 s, so `python -m benchmarks` includes it without --all."""
CLOCKS = 100_000
BUDGET_RATIO = 100.0
"""DESIGN 10 / issue 19: `slaapp evaluate` end to end at least 100x faster per clock than
businesstimedelta computing each clock's elapsed time alone."""


def _cells(column: Column) -> np.ndarray:
    """The column's text per row, empty where there is no value."""
    return np.array((*column.values, ""), dtype=object)[column.codes]


def write_csv(log: EventLog, path: Path) -> None:
    """The log as an event-log CSV: record_id,event,occurred_at,owner, then its attributes."""
    stamps = np.datetime_as_string(log.occurred_at.astype("datetime64[s]"), unit="s")
    columns = [_cells(log.record), _cells(log.event), np.char.add(stamps, "Z").astype(object)]
    columns += [_cells(log.owner)] + [_cells(c) for c in log.attributes.values()]
    header = ["record_id", "event", "occurred_at", "owner", *log.attributes]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*(c.tolist() for c in columns), strict=True))


def log_with_events(events: int, seed: int = 7) -> EventLog:
    """A log from the clocks generator with about `events` events."""
    return build_log(int(events / EVENTS_PER_RECORD), seed)


def csv_baseline(path: Path) -> int:
    """Rows csv.reader yields for the file, doing nothing with them."""
    with path.open(newline="", encoding="utf-8") as source:
        return sum(1 for _ in csv.reader(source)) - 1


def _sorted_view(table: ClockTable) -> dict[str, np.ndarray]:
    """The table's columns ordered by record name, handoff and cycle; owners as names."""
    names = np.array(table.records)[table.record]
    order = np.lexsort((table.cycle, table.handoff, names))
    owners = np.array((*table.owners, ""), dtype=object)[table.owner]
    view = {"record": names, "owner": owners}
    for name in ("handoff", "cycle", "segment", "started_at", "closed", "has_due", "elapsed",
                 "paused", "status", "quality"):  # fmt: skip
        view[name] = getattr(table, name)
    view["stopped_at"] = np.where(table.closed, table.stopped_at, 0)
    view["due_at"] = np.where(table.has_due, table.due_at, 0)
    return {name: values[order] for name, values in view.items()}


def differences(a: ClockTable, b: ClockTable) -> list[str]:
    """Columns on which two clock tables differ, regardless of record order."""
    if len(a) != len(b):
        return [f"{len(a):,} clocks vs {len(b):,}"]
    va, vb = _sorted_view(a), _sorted_view(b)
    return [name for name in va if not np.array_equal(va[name], vb[name])]


STAGES = ("read_events", "load_matrix", "evaluate", "write_clocks")
PER_EVENT = ("read_events", "evaluate", "write_clocks")


@dataclass(frozen=True)
class CliTimes:
    """Seconds of the fastest CLI run and of its stages, the baseline, and every mismatch found."""

    events: int
    clocks: int
    csv_write: float
    csv_read: float
    cli: float
    json_bytes: int
    stages: dict[str, float]
    problems: tuple[str, ...]


def _instrumented(argv: list[str], sink: Path) -> tuple[int, dict[str, float], float, ClockTable]:
    """One `cli.main(argv)` run, stdout to `sink`, timing the stages it calls (patched wrappers)."""
    spent: dict[str, float] = {}
    seen: list[ClockTable] = []

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_stage(*args: Any, **kwargs: Any) -> Any:
            seconds, value = timed(lambda: fn(*args, **kwargs))
            spent[name] = spent.get(name, 0.0) + seconds
            if isinstance(value, ClockTable):
                seen.append(value)
            return value

        return timed_stage

    with contextlib.ExitStack() as stack:
        for name in STAGES:
            stack.enter_context(
                mock.patch.object(commands, name, wrap(name, getattr(commands, name)))
            )
        out = stack.enter_context(sink.open("w", encoding="utf-8"))
        stack.enter_context(contextlib.redirect_stdout(out))
        total, code = timed(lambda: cli.main(argv))
    return code, spent, total, seen[0]


def measure(events: int = 300_000, repeats: int = 1, workdir: Path | None = None) -> CliTimes:
    """Write the CSV, time csv.reader (best of 3) and the command (best of `repeats`), check it."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path, out = Path(tmp) / "events.csv", Path(tmp) / "clocks.json"
        log = log_with_events(events)
        csv_write, _ = timed(lambda: write_csv(log, path))
        csv_read, rows = best_of(3, lambda: csv_baseline(path))
        argv = ["evaluate", "--matrix", str(MATRIX), "--events", str(path), "--as-of", AS_OF_TEXT,
                "--format", "json"]  # fmt: skip
        runs = [_instrumented(argv, out) for _ in range(repeats)]
        code, stages, total, table = min(runs, key=lambda run: run[2])
        json_bytes = out.stat().st_size
        problems = [] if code == 0 else [f"slaapp evaluate exited with {code}"]
        if rows != len(log):
            problems.append(f"csv.reader saw {rows:,} rows, the log has {len(log):,}")
        memory = evaluate(load_matrix(MATRIX), log, AS_OF)
        problems += [f"CSV round trip changes clocks: {d}" for d in differences(memory, table)]
        with out.open(encoding="utf-8") as printed_file:
            printed = json.load(printed_file)["clocks"]
        total_elapsed = sum(c["elapsed_seconds"] for c in printed)
        if len(printed) != len(table) or total_elapsed != int(table.elapsed.sum()):
            problems.append(f"CLI printed {len(printed):,} clocks, evaluate gave {len(table):,}")
    return CliTimes(
        len(log), len(table), csv_write, csv_read, total, json_bytes, stages, tuple(problems)
    )


def run(events: int = 300_000, repeats: int = 1) -> list[Summary]:
    per_clock = report_per_clock(measure_per_clock(repeats=repeats + 2), repeats + 2)
    print(f"\n== CLI: slaapp evaluate --format json on a {events:,}-event CSV (default matrix)")
    t = measure(events, repeats)
    runs = "one run" if repeats == 1 else f"best of {repeats} runs"
    print(f"  {t.events:,} events -> {t.clocks:,} clocks; CSV written in {t.csv_write:.1f} s; "
          f"stages timed inside the CLI ({runs}); JSON output {t.json_bytes / 1e6:.0f} MB")  # fmt: skip
    line("", "seconds", "events/s", "share of CLI")
    line(
        "baseline: csv.reader, rows only, best of 3",
        f"{t.csv_read:.3f}",
        f"{t.events / t.csv_read:,.0f}/s",
        "",
    )
    rest = t.cli - sum(t.stages.values())
    for label, seconds in (
        *((f"  {name}", t.stages.get(name, 0.0)) for name in STAGES),
        ("  the rest (argparse, as_of)", rest),
    ):
        line(
            label,
            f"{seconds:.3f}",
            f"{t.events / seconds:,.0f}/s" if label.strip() in PER_EVENT else "",
            f"{seconds / t.cli:.0%}",
        )
    line(
        "slaapp evaluate end to end (cli.main)",
        f"{t.cli:.3f}",
        f"{t.events / t.cli:,.0f}/s",
        "100%",
    )
    read = t.stages.get("read_events", float("nan"))
    print(f"  read_events takes {read / t.csv_read:.1f}x the bare csv.reader pass "
          f"({read / (t.events / 1e6):.2f} s per million events)")  # fmt: skip
    if t.problems:
        print("  MISMATCH: " + "; ".join(t.problems))
    else:
        print("  identical: clocks from the CSV equal the clocks of the in-memory log; the JSON "
              "printed has the same clocks and total elapsed")  # fmt: skip
    ok = not t.problems
    return [
        per_clock,
        Summary("read_events vs csv.reader (300k)", f"{read:.3f} s", f"{t.csv_read:.3f} s",
                t.csv_read / read, "-", None, ok),
        Summary("slaapp evaluate CLI (300k events)", f"{t.cli:.3f} s", f"{t.csv_read:.3f} s",
                t.csv_read / t.cli, "-", None, ok),
    ]  # fmt: skip


@dataclass(frozen=True)
class PerClock:
    """The CLI as a subprocess on a log of about CLOCKS clocks, against businesstimedelta."""

    events: int
    clocks: int
    cli: tuple[float, float]  # --format json: wall, CPU (user + system) seconds
    startup: tuple[float, float]
    row_by_row: float  # in-process read, evaluate and write as before issue 19
    columns: float  # the same with the column reader and the bulk writer
    baseline: BaselineRun
    problems: tuple[str, ...]
    cli_csv: tuple[float, float] = (float("inf"), float("inf"))  # --format csv

    def ratios(self, seconds: tuple[float, float]) -> tuple[float, float]:
        """businesstimedelta's wall and CPU time per clock over ours in `seconds`."""
        wall, cpu = (value / self.clocks for value in seconds)
        return self.baseline.per_clock / wall, self.baseline.cpu_per_clock / cpu

    @property
    def ratio(self) -> float:
        """By wall time, the lower of the JSON and the CSV run."""
        return min(self.ratios(self.cli)[0], self.ratios(self.cli_csv)[0])

    @property
    def cpu_ratio(self) -> float:
        """By CPU time, the lower of the JSON and the CSV run."""
        return min(self.ratios(self.cli)[1], self.ratios(self.cli_csv)[1])


def log_with_clocks(clocks: int, seed: int = 7) -> tuple[EventLog, ClockTable]:
    """The smallest synthetic log (in steps of 50 records or more) with at least `clocks` clocks."""
    matrix, records = load_matrix(MATRIX), int(clocks / 2.17)
    while True:
        log = build_log(records, seed)
        table = evaluate(matrix, log, AS_OF)
        if len(table) >= clocks:
            return log, table
        records += max(50, int((clocks - len(table)) / 2.17))


def _cli_seconds(
    events: Path, out: Path, repeats: int, fmt: str = "json"
) -> tuple[tuple[float, float], int]:
    """Best wall and best CPU seconds of `python -m slaapp evaluate ... --format fmt`, each
    run a fresh interpreter (CPU: the child's user + system time)."""
    argv = [sys.executable, "-m", "slaapp", "evaluate", "--matrix", str(MATRIX), "--events",
            str(events), "--as-of", AS_OF_TEXT, "--format", fmt]  # fmt: skip
    wall, cpu, code = float("inf"), float("inf"), 0
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with out.open("w", encoding="utf-8") as sink:
            seconds, done = timed(lambda: subprocess.run(argv, stdout=sink, check=False))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        wall, cpu, code = min(wall, seconds), min(cpu, used), code or done.returncode
    return (wall, cpu), code


def measure_per_clock(clocks: int = CLOCKS, sample: int = 2_000, repeats: int = 3,
                      workdir: Path | None = None) -> PerClock:  # fmt: skip
    """Time the CLI (JSON and CSV) on `clocks` clocks and businesstimedelta on `sample` of the
    same clocks; check what the CLI printed value for value against the in-memory evaluation."""
    log, table = log_with_clocks(clocks)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path, out = Path(tmp) / "events.csv", Path(tmp) / "clocks.out"
        write_csv(log, path)
        cli_seconds, code = _cli_seconds(path, out, repeats)
        printed = out.read_text(encoding="utf-8")
        csv_seconds, csv_code = _cli_seconds(path, out, repeats, "csv")
        printed_csv = out.read_text(encoding="utf-8")
        before = _in_process(path, out, repeats, row_by_row.row_reader, row_by_row.write_json)
        after = _in_process(path, out, repeats, contextlib.nullcontext, write_json)
        write_csv(build_log(1), path)  # a one-record log: start-up, imports and matrix only
        startup, _ = _cli_seconds(path, out, repeats)
    expected, expected_csv = io.StringIO(), io.StringIO()
    write_json(table, expected)
    write_clock_csv(table, expected_csv)
    problems = [f"slaapp evaluate exited with {c}" for c in dict.fromkeys((code, csv_code)) if c]
    if _sorted_clocks(printed) != _sorted_clocks(expected.getvalue()):
        problems.append("the clocks printed differ from those of the in-memory log")
    if _sorted_lines(printed_csv) != _sorted_lines(expected_csv.getvalue()):
        problems.append("the CSV printed differs from that of the in-memory log")
    baseline = time_clocks(load_matrix(MATRIX), table, sample)
    problems += [f"businesstimedelta disagrees: {p}" for p in baseline.problems[:10]]
    return PerClock(len(log), len(table), cli_seconds, startup, before, after, baseline,
                    tuple(problems), csv_seconds)  # fmt: skip


def _in_process(
    events: Path,
    out: Path,
    repeats: int,
    reader: Callable[[], contextlib.AbstractContextManager[None]],
    writer: Callable[[ClockTable, Any], None],
) -> float:
    """Best seconds of read_events, evaluate and `writer` to a file, in this process."""
    matrix = load_matrix(MATRIX)

    def run() -> None:
        with reader():
            log = read_events(events).log
        with out.open("w", encoding="utf-8") as sink:
            writer(evaluate(matrix, log, AS_OF), sink)

    seconds, _ = best_of(repeats, run)
    return seconds


def _sorted_lines(text: str) -> tuple[str, list[str]]:
    """The header line of a CSV text and its other lines in order (as with _sorted_clocks)."""
    header, *rows = text.splitlines()
    return header, sorted(rows)


def _sorted_clocks(text: str) -> list[tuple[Any, ...]]:
    """The clocks of a JSON document as value tuples ordered by record, handoff and cycle (the
    order of records follows the file, so a log read back from CSV may list them otherwise)."""
    doc = json.loads(text)
    return sorted((doc["as_of"], *clock.values()) for clock in doc["clocks"])


def report_per_clock(t: PerClock, repeats: int) -> Summary:
    b = t.baseline
    print(f"\n== CLI per clock: slaapp evaluate --format json|csv, {t.clocks:,} clocks from "
          f"{t.events:,} events (default matrix), vs businesstimedelta")  # fmt: skip
    print(f"  ours: `python -m slaapp evaluate` as a subprocess from spawn to exit (interpreter "
          f"start, imports, matrix, CSV read, evaluate, JSON or CSV written to a file), best of "
          f"{repeats}; CPU = the child's user + system time")  # fmt: skip
    print(f"  baseline: businesstimedelta Rules.difference(start, end) per clock on {b.sample:,} "
          f"random clocks of the same table ({b.business:,} on the business-hours calendar with "
          f"its US holidays; the 24x7 ones by datetime subtraction), nothing read or written")  # fmt: skip
    line("", "wall s", "CPU s", "wall/clock", "CPU/clock", "ratio wall | CPU")
    for fmt, seconds in (("json", t.cli), ("csv", t.cli_csv)):
        wall_ratio, cpu_ratio = t.ratios(seconds)
        line(f"slaapp evaluate --format {fmt}", f"{seconds[0]:.3f}",
             f"{seconds[1]:.3f}", f"{seconds[0] / t.clocks * 1e6:.2f} us",
             f"{seconds[1] / t.clocks * 1e6:.2f} us", f"{wall_ratio:,.0f}x | {cpu_ratio:,.0f}x")  # fmt: skip
    line("  of which start-up (1-record log)", f"{t.startup[0]:.3f}", f"{t.startup[1]:.3f}",
         "", "", "")  # fmt: skip
    line("  json in process, row by row (before)", f"{t.row_by_row:.3f}", "",
         f"{t.row_by_row / t.clocks * 1e6:.2f} us", "", "row by row")  # fmt: skip
    line("  json in process, by column (now)", f"{t.columns:.3f}", "",
         f"{t.columns / t.clocks * 1e6:.2f} us", "", f"{t.row_by_row / t.columns:.1f}x faster")  # fmt: skip
    line(f"businesstimedelta, {b.sample:,} clocks", f"{b.seconds:.3f}", f"{b.cpu:.3f}",
         f"{b.per_clock * 1e6:,.0f} us", f"{b.cpu_per_clock * 1e6:,.0f} us",
         f"{t.ratio:,.0f}x | {t.cpu_ratio:,.0f}x")  # fmt: skip
    print(f"  ({t.clocks:,} clocks in businesstimedelta: about {b.per_clock * t.clocks:,.0f} s)")
    if t.problems:
        print("  MISMATCH: " + "; ".join(t.problems))
    else:
        print(f"  identical: the CLI printed the clocks of the in-memory log, value for value, "
              f"in JSON and in CSV; businesstimedelta's elapsed minus paused equals ours on all "
              f"{b.sample:,} sampled clocks")  # fmt: skip
    ratio = min(t.ratio, t.cpu_ratio)  # on a busy machine one of the two can flatter us
    per, cpu = t.cli[0] / t.clocks, t.cli[1] / t.clocks
    print(f"  verdict on the lower ratio: {ratio:,.0f}x (budget >= {BUDGET_RATIO:.0f}x)")
    return Summary(f"slaapp evaluate per clock vs businesstimedelta ({t.clocks // 1000}k)",
                   f"{per * 1e6:.2f} us wall, {cpu * 1e6:.2f} us CPU",
                   f"{b.per_clock * 1e6:,.0f} us wall, {b.cpu_per_clock * 1e6:,.0f} us CPU",
                   ratio, f">= {BUDGET_RATIO:.0f}x", ratio >= BUDGET_RATIO, not t.problems)  # fmt: skip


def main() -> int:
    """`python -m benchmarks.bench_evaluate_cli [--repeats N]`: the per-clock comparison alone."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_evaluate_cli")
    parser.add_argument("--repeats", type=int, default=5, help="CLI runs per figure (best kept)")
    parser.add_argument("--sample", type=int, default=2_000, help="clocks businesstimedelta times")
    options = parser.parse_args()
    summary = report_per_clock(
        measure_per_clock(sample=options.sample, repeats=options.repeats), options.repeats
    )
    return 0 if summary.identical else 1


if __name__ == "__main__":
    sys.exit(main())
