"""Evaluating 1,000,000 clocks on the default matrix: vectorised evaluate vs a per-clock Python loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from benchmarks import Summary, best_of, line, rate, timed
from benchmarks.synthetic_log import AS_OF, MATRIX, log_for
from slaapp.engine import daywalk
from slaapp.engine.clocks import ClockTable, evaluate
from slaapp.engine.eventlog import EventLog, EventRow
from slaapp.engine.matrix import Matrix
from slaapp.importers.matrix_file import load_matrix
from tests.unit.reference_clocks import reference_clocks

BUDGET_SECONDS = 2.0


@dataclass(frozen=True)
class LoopCheck:
    """The per-clock loop on a sample: its time, and clocks where it disagrees with evaluate."""

    clocks: int
    seconds: float
    problems: tuple[str, ...]


def per_clock_loop(matrix: Matrix, table: ClockTable, sample: int, seed: int = 11) -> LoopCheck:
    """Time scalar Calendar.elapsed/add per clock (given its start, end and segment) on `sample`
    clocks without pauses, comparing with evaluate; the first 300 also against daywalk."""
    rng = np.random.default_rng(seed)
    plain = np.flatnonzero(table.paused == 0)
    chosen = np.sort(rng.choice(plain, min(sample, plain.size), replace=False))
    rows = [
        (int(table.handoff[i]), int(table.segment[i]), int(table.started_at[i]),
         int(table.stopped_at[i]) if table.closed[i] else table.as_of)
        for i in chosen
    ]  # fmt: skip

    def loop() -> list[tuple[int, int]]:
        out = []
        for h, s, started, end in rows:
            handoff = matrix.handoffs[h]
            key = matrix.segments[s].key
            calendar = matrix.calendar(handoff.rule_calendar(key))
            target = handoff.rules[key].target_seconds
            out.append((calendar.elapsed(started, end), calendar.add(started, target)))
        return out

    seconds, answers = timed(loop)
    problems = []
    for k, (i, (elapsed, due)) in enumerate(zip(chosen, answers, strict=True)):
        h, s, started, end = rows[k]
        expected = [(elapsed, "scalar elapsed"), (due, "scalar add")]
        if k < 300:
            handoff = matrix.handoffs[h]
            key = matrix.segments[s].key
            calendar = matrix.calendar(handoff.rule_calendar(key))
            expected += [
                (daywalk.elapsed(calendar, started, end), "daywalk elapsed"),
                (daywalk.add(calendar, started, handoff.rules[key].target_seconds), "daywalk add"),
            ]
        for value, what in expected:
            ours = int(table.elapsed[i]) if "elapsed" in what else int(table.due_at[i])
            if value != ours:
                problems.append(f"clock {table.row(int(i))}: evaluate {ours} != {what} {value}")
    return LoopCheck(len(rows), seconds, tuple(problems))


def _rows_of(log: EventLog, rows: np.ndarray) -> list[EventRow]:
    names = {
        name: np.array((*c.values, ""), dtype=object)[c.codes[rows]]
        for name, c in log.attributes.items()
    }
    owners = np.array((*log.owner.values, None), dtype=object)[log.owner.codes[rows]]
    return [
        EventRow(log.record.values[int(log.record.codes[r])], log.event.values[int(log.event.codes[r])],
                 int(log.occurred_at[r]), owners[k], {n: v[k] for n, v in names.items() if v[k]})
        for k, r in enumerate(rows)
    ]  # fmt: skip


def reference_check(
    matrix: Matrix, log: EventLog, table: ClockTable, records: int, seed: int = 13
) -> LoopCheck:
    """All clocks of `records` random records through tests/unit/reference_clocks.py (a literal
    one-event-at-a-time reading of the design, on daywalk), compared row by row with evaluate."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(log.records), min(records, len(log.records)), replace=False)
    rows = _rows_of(log, np.flatnonzero(np.isin(log.record.codes, chosen)))
    seconds, expected = timed(lambda: reference_clocks(matrix, rows, table.as_of))
    handoffs = {h.key: n for n, h in enumerate(matrix.handoffs)}

    def key(row: dict[str, Any]) -> tuple[str, int, int]:
        return row["record_id"], handoffs[row["handoff"]], row["cycle"]

    ours = sorted(
        (table.row(int(i)) for i in np.flatnonzero(np.isin(table.record, chosen))), key=key
    )
    expected = sorted(expected, key=key)
    problems = [
        f"evaluate {o} != reference {e}" for o, e in zip(ours, expected, strict=False) if o != e
    ]
    if len(ours) != len(expected):
        problems.append(
            f"evaluate has {len(ours):,} clocks for the sample, reference {len(expected):,}"
        )
    return LoopCheck(len(expected), seconds, tuple(problems))


def run(clocks: int = 1_000_000, sample: int = 20_000, records: int = 2_000) -> list[Summary]:
    print(f"\n== clocks: evaluate() on the default matrix, at least {clocks:,} clocks")
    build, log = timed(lambda: log_for(clocks))
    matrix = load_matrix(MATRIX)
    cold, _ = timed(lambda: evaluate(matrix, log, AS_OF))
    warm, table = best_of(3, lambda: evaluate(matrix, log, AS_OF))
    n = len(table)
    statuses = np.bincount(table.status, minlength=7)
    print(f"  log: {len(log):,} events, {len(log.records):,} records, 300 owners, built from numpy "
          f"in {build:.1f} s; as_of {datetime.fromtimestamp(AS_OF, UTC):%Y-%m-%d %H:%M}Z")  # fmt: skip
    print(f"  clocks: {n:,} (open {int(statuses[:4].sum()):,}, met {int(statuses[4]):,}, "
          f"missed {int(statuses[5]):,}, cancelled {int(statuses[6]):,}, "
          f"with pauses {int((table.paused > 0).sum()):,})")  # fmt: skip
    loop = per_clock_loop(matrix, table, sample)
    ref = reference_check(matrix, log, table, records)
    line("", "seconds", "clocks/s", "ours / this")
    line("ours: evaluate, warm, best of 3", f"{warm:.3f}", rate(n, warm), "1x")
    line("ours: cold (fresh calendars, first call)", f"{cold:.3f}", rate(n, cold), "")
    for label, check in ((f"per-clock scalar loop, {loop.clocks:,} clocks", loop),
                         (f"literal reference, {ref.clocks:,} clocks", ref)):  # fmt: skip
        line(label, f"{n * check.seconds / check.clocks:.1f} (extrap.)",
             rate(check.clocks, check.seconds), f"{n * check.seconds / check.clocks / warm:,.0f}x")  # fmt: skip
    print("  (scalar loop: Calendar.elapsed/add per clock given its start, end and segment;")
    print(
        f"   reference: tests/unit/reference_clocks.py on all events of {records:,} random records)"
    )
    over = "" if warm <= BUDGET_SECONDS else "   OVER BUDGET"
    print(f"  budget {BUDGET_SECONDS:.0f} s for {clocks:,} clocks: {warm:.3f} s{over}")
    if n < clocks:
        print(f"  PROBLEM: only {n:,} clocks, expected at least {clocks:,}")
    for who, check in (("scalar loop", loop), ("reference", ref)):
        if check.problems:
            print(f"  MISMATCH: {len(check.problems)} disagreement(s) with the {who}:")
            for problem in check.problems[:10]:
                print(f"    {problem}")
    if not loop.problems and not ref.problems:
        print(f"  identical: elapsed and due of {loop.clocks:,} sampled clocks equal the scalar "
              f"loop's (first 300 also daywalk's);\n  every field of all {ref.clocks:,} clocks of "
              f"{records:,} records equals the literal reference's")  # fmt: skip
    ok = not loop.problems and not ref.problems and n >= clocks
    loop_time, ref_time = n * loop.seconds / loop.clocks, n * ref.seconds / ref.clocks
    return [
        Summary("clocks evaluate vs scalar loop (1M)", f"{warm:.3f} s", f"{loop_time:.1f} s",
                loop_time / warm, f"<= {BUDGET_SECONDS:.0f} s", warm <= BUDGET_SECONDS, ok),
        Summary("clocks evaluate vs literal reference", f"{warm:.3f} s", f"{ref_time:.1f} s",
                ref_time / warm, "-", None, ok),
    ]  # fmt: skip
