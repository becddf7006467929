"""`slaapp evaluate` end to end on a 300,000-event CSV: where the time goes, vs bare csv.reader."""

from __future__ import annotations

import contextlib
import csv
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from benchmarks import Summary, best_of, line, timed
from benchmarks.synthetic_log import AS_OF, MATRIX, build_log
from slaapp import cli
from slaapp.cli import evaluate as commands
from slaapp.engine.clocks import ClockTable, evaluate
from slaapp.engine.eventlog import Column, EventLog
from slaapp.importers.matrix_file import load_matrix

AS_OF_TEXT = datetime.fromtimestamp(AS_OF, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
EVENTS_PER_RECORD = 3.35
QUICK = True
"""It runs in about 10 s (under 20 s), so `python -m benchmarks` includes it without --all."""


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
        Summary("read_events vs csv.reader (300k)", f"{read:.3f} s", f"{t.csv_read:.3f} s",
                t.csv_read / read, "-", None, ok),
        Summary("slaapp evaluate CLI (300k events)", f"{t.cli:.3f} s", f"{t.csv_read:.3f} s",
                t.csv_read / t.cli, "-", None, ok),
    ]  # fmt: skip
