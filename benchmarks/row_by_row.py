"""`slaapp evaluate` before issue 19 (row reader, row-by-row writers): tests' reference, bench's before."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO
from unittest import mock

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import STATUSES, ClockTable
from slaapp.engine.instants import format_instant
from slaapp.importers import event_file
from slaapp.reports.clock_output import CLOCK_FIELDS, _times, clock_columns


@contextmanager
def row_reader() -> Iterator[None]:
    """`event_file.read_events` with the column path switched off: every row through `_load`."""
    with (
        mock.patch.object(event_file, "plain_table", lambda text, delimiter: None),
        mock.patch.object(event_file, "log_from_columns", lambda columns, layout, tz: None),
    ):
        yield


def _json_coded(codes: npt.NDArray[np.int32], values: Sequence[str]) -> list[str]:
    lookup = np.array([json.dumps(v) for v in values] + ["null"], dtype=object)
    encoded: list[str] = lookup[codes].tolist()
    return encoded


def _json_columns(clocks: ClockTable) -> list[list[str]]:
    """Each field as JSON text, encoding every distinct string once."""

    def times(values: list[str | None]) -> list[str]:
        return ["null" if t is None else f'"{t}"' for t in values]

    quality = np.array(["null", "false", "true"], dtype=object)[clocks.quality.astype(np.int64) + 1]
    return [
        _json_coded(clocks.record, clocks.records),
        _json_coded(clocks.handoff, clocks.handoff_keys),
        list(map(str, clocks.cycle.tolist())),
        _json_coded(clocks.segment, clocks.segment_keys),
        _json_coded(clocks.owner, clocks.owners),
        times(_times(clocks.started_at)),
        times(_times(clocks.stopped_at, clocks.closed)),
        times(_times(clocks.due_at, clocks.has_due)),
        list(map(str, clocks.target.tolist())),
        list(map(str, clocks.elapsed.tolist())),
        list(map(str, clocks.remaining.tolist())),
        list(map(repr, clocks.pct_elapsed.tolist())),
        _json_coded(clocks.status.astype(np.int32), STATUSES),
        quality.tolist(),
    ]


def write_json(clocks: ClockTable, out: TextIO) -> None:
    """`{"as_of": ..., "clocks": [...]}` with one clock per line."""
    keys = [json.dumps(name) + ": " for name in CLOCK_FIELDS]
    out.write('{"as_of": ' + json.dumps(format_instant(clocks.as_of)) + ', "clocks": [')
    separator = "\n"
    for values in zip(*_json_columns(clocks), strict=True):
        out.write(
            separator + "{" + ", ".join(k + v for k, v in zip(keys, values, strict=True)) + "}"
        )
        separator = ",\n"
    out.write("\n]}\n")


def write_csv(clocks: ClockTable, out: TextIO, *, spreadsheet_safe: bool = True) -> None:
    """A header row of CLOCK_FIELDS, then one row per clock; empty cells for null.

    Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`
    (every CSV the product writes; `spreadsheet_safe=False` only for byte-exact tests).
    """
    columns = clock_columns(clocks)
    if spreadsheet_safe:
        from slaapp.reports.cells import csv_safe

        for name in ("record_id", "owner", "segment", "handoff"):
            columns[name] = [None if v is None else csv_safe(str(v)) for v in columns[name]]
    columns["quality_ok"] = [
        None if q is None else "true" if q else "false" for q in columns["quality_ok"]
    ]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CLOCK_FIELDS)
    writer.writerows(zip(*(columns[name] for name in CLOCK_FIELDS), strict=True))
