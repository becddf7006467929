"""The bulk JSON and CSV clock writers print exactly the bytes of the row-by-row writers they replace."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import TextIO

import numpy as np
import pytest

from benchmarks import row_by_row as reference
from benchmarks.synthetic_log import AS_OF, MATRIX, build_log
from slaapp.engine.clocks import STATUSES, ClockTable, evaluate
from slaapp.importers.matrix_file import load_matrix
from slaapp.reports import clock_output, clock_text

Writer = Callable[[ClockTable, TextIO], None]

TEXTS = (
    "R-1", "plain", "with,comma", 'with "quotes"', "line\nbreak", "carriage\rreturn", "tab\tin",
    "=SUM(A1)", "+1", "-5", "@user", "\tlead", "\rlead", " spaced ", "Ünïcødé", "emoji 🚀",
    "back\\slash", "ctrl\x01char", "sep\u2028line", "", "'quoted", "a;b", "%d %s %%",
)  # fmt: skip
DAY = 86_400


def varied_table(count: int, seed: int = 5) -> ClockTable:
    """A table exercising every kind of cell: odd texts, null owners, absent stops and dues,
    instants from 1900 to 2300, every status and quality, awkward fractions."""
    rng = np.random.default_rng(seed)
    texts = tuple(t for t in TEXTS if t)

    def codes(size: int, null: bool = False) -> np.ndarray:
        return rng.integers(-1 if null else 0, size, count).astype(np.int32)

    low, high = -2_208_988_800, 10_413_792_000  # 1900-01-01 .. 2300-01-01
    started = rng.integers(low, high, count)
    started[: count // 4] = rng.integers(1_735_689_600, 1_767_225_600, count // 4)  # 2025
    started[::7] -= started[::7] % DAY  # midnights
    target = rng.choice([1, 60, 3600, 14_400, 86_400, 432_000, 7], count).astype(np.int64)
    elapsed = rng.integers(0, 3 * 432_000, count)
    elapsed[::5] = 0
    elapsed[::11] = target[::11]
    elapsed[::13] = target[::13] // 3
    return ClockTable(
        as_of=1_767_225_600,
        record=codes(len(texts)),
        handoff=codes(3),
        cycle=rng.integers(1, 4, count).astype(np.int32),
        segment=codes(2),
        owner=codes(len(texts), null=True),
        started_at=started,
        stopped_at=started + rng.integers(0, 90 * DAY, count),
        closed=rng.random(count) < 0.6,
        due_at=started + rng.integers(0, 400 * DAY, count),
        has_due=rng.random(count) < 0.7,
        target=target,
        elapsed=elapsed,
        paused=np.zeros(count, dtype=np.int64),
        status=rng.integers(0, len(STATUSES), count).astype(np.int8),
        quality=rng.integers(-1, 2, count).astype(np.int8),
        records=texts,
        owners=texts,
        handoff_keys=("mql_assigned", "=odd,key", "first contact"),
        segment_keys=("default", "-after_hours"),
    )


def evaluated_table() -> ClockTable:
    return evaluate(load_matrix(MATRIX), build_log(3_000), AS_OF)


WRITERS: list[tuple[str, Writer, Writer]] = [
    ("json", reference.write_json, clock_output.write_json),
    ("csv", reference.write_csv, clock_output.write_csv),
    (
        "csv-unsafe",
        lambda c, o: reference.write_csv(c, o, spreadsheet_safe=False),
        lambda c, o: clock_output.write_csv(c, o, spreadsheet_safe=False),
    ),
]


def printed(writer: Writer, table: ClockTable) -> str:
    out = io.StringIO()
    writer(table, out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "old", "new"), WRITERS, ids=[w[0] for w in WRITERS])
@pytest.mark.parametrize("table", ["varied", "evaluated", "empty", "one", "blocks"])
def test_bulk_writers_print_the_reference_bytes(
    name: str, old: Writer, new: Writer, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if table == "blocks":
        monkeypatch.setattr(clock_text, "BLOCK", 7)  # several joined blocks, a short last one
    clocks = {
        "varied": lambda: varied_table(3_000),
        "evaluated": evaluated_table,
        "empty": lambda: varied_table(0),
        "one": lambda: varied_table(1),
        "blocks": lambda: varied_table(50),
    }[table]()
    expected = printed(old, clocks)
    assert printed(new, clocks) == expected
    if name == "json":
        assert len(json.loads(expected)["clocks"]) == len(clocks)


def test_fractions_and_far_instants_print_as_repr_and_iso() -> None:
    table = varied_table(4)
    table = ClockTable(**{
        **vars(table),
        "target": np.array([3, 10, 1, 7], dtype=np.int64),
        "elapsed": np.array([1, 0, 0, 100], dtype=np.int64),
        "started_at": np.array([-2_208_988_800, 0, 10_413_791_999, 1_735_689_600]),
    })  # fmt: skip
    clocks = json.loads(printed(clock_output.write_json, table))["clocks"]
    assert [c["pct_elapsed"] for c in clocks] == [1 / 3, 0.0, 0.0, 100 / 7]
    assert [c["started_at"] for c in clocks] == [
        "1900-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2299-12-31T23:59:59Z",
        "2025-01-01T00:00:00Z",
    ]  # fmt: skip
    assert printed(clock_output.write_json, table) == printed(reference.write_json, table)


@pytest.mark.parametrize(
    "text",
    ["", " ", "plain", " lead", "trail ", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "tab\there",
     "=1+2", "'quoted'", "é ü 😀", "semi;colon", "\x1f", ",", '"', "\r\n"],
)  # fmt: skip
def test_a_cell_is_quoted_as_csv_writer_quotes_it(text: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([text, "x"])
    assert clock_text._quoted(text) + ",x\n" == buffer.getvalue()
