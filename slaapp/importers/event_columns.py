"""An event log read column by column: the fast path of `event_file` for files without problems."""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from operator import methodcaller

import numpy as np

from slaapp.engine.eventlog import NO_VALUE, Column, EventLog
from slaapp.engine.instants import InstantError, parse_instant
from slaapp.importers.bulk_instants import parse_instants

MAX_TEXT = {"record_id": 255, "event": 64, "owner": 255}
"""The longest text each column holds in the database (the same on SQLite and PostgreSQL)."""

_LINE_END = re.compile("\r\n|\r|\n")


@dataclass(frozen=True)
class Layout:
    """Where each column is, found from the header row."""

    width: int
    record: int
    event: int
    time: int
    owner: int | None
    attributes: tuple[tuple[str, int], ...]
    unnamed: tuple[int, ...]


def plain_table(text: str, delimiter: str) -> tuple[list[str], list[list[str]]] | None:
    """The header cells and the data columns of CSV text without quotes, in which every line
    has the header's number of cells (then `csv.reader` reads exactly the same); else None."""
    if '"' in text:
        return None
    lines = _LINE_END.split(text) if "\r" in text else text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if len(lines) < 2 or max(map(len, lines)) > csv.field_size_limit():
        return None
    header = lines[0].split(delimiter)
    if not any(map(str.strip, header)):
        return None
    if set(map(methodcaller("count", delimiter), lines)) != {len(header) - 1}:
        return None
    width = len(header)
    body = delimiter.join(lines[1:])
    del lines
    cells = body.split(delimiter)
    return header, [cells[i::width] for i in range(width)]


def read_rows(rows: Iterable[list[str]]) -> list[list[str]]:
    """Every row of a reader, with the cyclic garbage collector paused (rows are lists)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(rows)
    finally:
        if enabled:
            gc.enable()


def columns_of(rows: list[list[str]], width: int) -> list[Sequence[str]] | None:
    """The columns of the rows, each padded or cut to `width` cells as the row reader does
    (rows without cells are left out); None when a row has a value past `width`."""
    if set(map(len, rows)) != {width}:
        fitted = []
        for row in rows:
            if len(row) > width and any(map(str.strip, row[width:])):
                return None
            if row:
                fitted.append(row[:width] if len(row) > width else row + [""] * (width - len(row)))
        rows = fitted
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(zip(*rows, strict=True)) if rows else None
    finally:
        if enabled:
            gc.enable()


def log_from_columns(
    columns: Sequence[Sequence[str]], layout: Layout, tz: tzinfo | None
) -> EventLog | None:
    """The log of data columns in which no row has a problem; None when a row has one (the
    row-by-row reader then names every problem)."""
    if not columns or not columns[0]:
        return None
    if any(any(map(str.strip, columns[i])) for i in layout.unnamed):
        return None
    record, no_record = intern(columns[layout.record])
    event, no_event = intern(columns[layout.event])
    owner = None if layout.owner is None else intern(columns[layout.owner])[0]
    if no_record or no_event:
        return None
    for name, column in (("record_id", record), ("event", event), ("owner", owner)):
        if column is not None and max(map(len, column.values), default=0) > MAX_TEXT[name]:
            return None
    times = columns[layout.time]
    epochs, ok = parse_instants(times, tz)
    for row in np.flatnonzero(~ok).tolist():
        try:
            epochs[row] = parse_instant(times[row], tz)
        except InstantError:
            return None
    count = len(times)
    return EventLog(
        record=record,
        event=event,
        occurred_at=epochs,
        owner=Column(np.full(count, NO_VALUE, dtype=np.int32), ()) if owner is None else owner,
        attributes={name: intern(columns[i])[0] for name, i in layout.attributes},
        raw_time=tuple(times),
    )


def intern(cells: Sequence[str]) -> tuple[Column, bool]:
    """The Column of the stripped cells (distinct texts coded in order of first appearance,
    empty as NO_VALUE: what `engine.eventlog.intern` gives) and whether any cell is empty.
    Only distinct cells are stripped; rows cost one dictionary look-up each, in C."""
    distinct = list(dict.fromkeys(cells))
    stripped = list(map(str.strip, distinct))
    if stripped == distinct and "" not in distinct:
        codes = dict(zip(distinct, range(len(distinct)), strict=True))
        values = distinct
        empty = False
    else:
        found: dict[str, int] = {}
        codes = {}
        for cell, text in zip(distinct, stripped, strict=True):
            codes[cell] = found.setdefault(text, len(found)) if text else NO_VALUE
        values = list(found)
        empty = NO_VALUE in codes.values()
    column = np.fromiter(map(codes.__getitem__, cells), dtype=np.int32, count=len(cells))
    return Column(column, tuple(values)), empty
