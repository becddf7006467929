"""Clocks as JSON, CSV or a readable table, built column by column for large tables."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TextIO

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import STATUSES, ClockTable
from slaapp.engine.duration_terms import rule_terms
from slaapp.engine.durations import TimeTerms, describe_remaining
from slaapp.engine.instants import format_instant
from slaapp.engine.matrix import Matrix
from slaapp.reports.clock_text import csv_blocks, json_blocks

CLOCK_FIELDS = (
    "record_id", "handoff", "cycle", "segment", "owner", "started_at", "stopped_at", "due_at",
    "target_seconds", "elapsed_seconds", "remaining_seconds", "pct_elapsed", "status", "quality_ok",
)  # fmt: skip


def _times(
    values: npt.NDArray[np.int64], present: npt.NDArray[np.bool_] | None = None
) -> list[str | None]:
    stamps = np.datetime_as_string(values.astype("datetime64[s]"), unit="s")
    text: list[str | None] = np.char.add(stamps, "Z").tolist()
    if present is None:
        return text
    return [t if p else None for t, p in zip(text, present.tolist(), strict=True)]


def _coded(codes: npt.NDArray[np.int32], values: Sequence[str]) -> list[str | None]:
    lookup = np.array([*values, None], dtype=object)
    found: list[str | None] = lookup[codes].tolist()  # code -1 picks the trailing None
    return found


def clock_columns(clocks: ClockTable) -> dict[str, list[object]]:
    """Every output field as a list of plain values (instants as UTC text, None for null)."""
    quality = np.array([None, False, True], dtype=object)[clocks.quality.astype(np.int64) + 1]
    return {
        "record_id": _coded(clocks.record, clocks.records),
        "handoff": _coded(clocks.handoff, clocks.handoff_keys),
        "cycle": clocks.cycle.tolist(),
        "segment": _coded(clocks.segment, clocks.segment_keys),
        "owner": _coded(clocks.owner, clocks.owners),
        "started_at": _times(clocks.started_at),
        "stopped_at": _times(clocks.stopped_at, clocks.closed),
        "due_at": _times(clocks.due_at, clocks.has_due),
        "target_seconds": clocks.target.tolist(),
        "elapsed_seconds": clocks.elapsed.tolist(),
        "remaining_seconds": clocks.remaining.tolist(),
        "pct_elapsed": clocks.pct_elapsed.tolist(),
        "status": _coded(clocks.status.astype(np.int32), STATUSES),
        "quality_ok": quality.tolist(),
    }


def write_json(clocks: ClockTable, out: TextIO) -> None:
    """`{"as_of": ..., "clocks": [...]}` with one clock per line."""
    out.write('{"as_of": ' + json.dumps(format_instant(clocks.as_of)) + ', "clocks": [')
    for block in json_blocks(clocks, CLOCK_FIELDS):
        out.write(block)
    out.write("\n]}\n")


def write_csv(clocks: ClockTable, out: TextIO, *, spreadsheet_safe: bool = True) -> None:
    """A header row of CLOCK_FIELDS, then one row per clock; empty cells for null.

    Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`
    (every CSV the product writes; `spreadsheet_safe=False` only for byte-exact tests).
    """
    safe: Callable[[str], str] = str
    if spreadsheet_safe:
        from slaapp.reports.cells import csv_safe

        safe = csv_safe
    for block in csv_blocks(clocks, CLOCK_FIELDS, safe):
        out.write(block)


_TABLE = (
    ("record_id", "record"), ("handoff", "handoff"), ("cycle", "#"), ("segment", "segment"),
    ("owner", "owner"), ("started_at", "started (UTC)"), ("due_at", "due (UTC)"), ("status", "status"),
    ("remaining_seconds", "remaining"),
)  # fmt: skip


def write_table(clocks: ClockTable, out: TextIO, matrix: Matrix | None = None) -> None:
    """Aligned columns for people, with a closing count by status.

    With the matrix, time left is said in each rule's terms (business days or 24-hour days).
    """
    columns = clock_columns(clocks)
    lines = [tuple(title for _, title in _TABLE)]
    terms = {
        (h, s): rule_terms(matrix, clocks.handoff_keys[h], clocks.segment_keys[s])
        for h, s in set(zip(clocks.handoff.tolist(), clocks.segment.tolist(), strict=True))
    }
    for i in range(len(clocks)):
        rule = terms[int(clocks.handoff[i]), int(clocks.segment[i])]
        lines.append(tuple(_cell(columns[name][i], name, rule) for name, _ in _TABLE))
    widths = [max(len(line[c]) for line in lines) for c in range(len(_TABLE))]
    for line in lines:
        out.write("  ".join(t.ljust(w) for t, w in zip(line, widths, strict=True)).rstrip() + "\n")
    counts = np.bincount(clocks.status, minlength=len(STATUSES))
    summary = ", ".join(
        f"{int(counts[s])} {STATUSES[s]}" for s in np.argsort(STATUSES) if counts[s]
    )
    as_of = format_instant(clocks.as_of)
    out.write(f"{len(clocks)} clocks as of {as_of}" + (f": {summary}" if summary else "") + "\n")


def _cell(value: object, name: str, terms: TimeTerms) -> str:
    if value is None:
        return "-"
    if name == "remaining_seconds":
        assert isinstance(value, int)
        return describe_remaining(value, terms)
    if name.endswith("_at"):
        return str(value).replace("T", " ")[:16]
    return str(value)


WRITERS = {"json": write_json, "csv": write_csv, "table": write_table}
