"""An event log read column by column: the fast path of `event_file` for files without problems."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from slaapp.engine.collector import collector_paused
from slaapp.engine.eventlog import NO_VALUE, Column, EventLog
from slaapp.engine.instants import InstantError, parse_instant
from slaapp.importers.bulk_instants import parse_instants

MAX_TEXT = {"record_id": 255, "event": 64, "owner": 255}
"""The longest text each column holds in the database (the same on SQLite and PostgreSQL)."""


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
    has the header's number of cells (then `csv.reader` reads exactly the same); else None.

    The lines are counted in numpy on the encoded text, and the text is split once, in C."""
    if '"' in text or len(delimiter) != 1 or not delimiter.isascii():
        return None
    if "\r" in text:  # \r\n, then a lone \r: the line ends csv.reader knows
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    ended = text.endswith("\n")
    head = text.find("\n", 0, len(text) - ended)
    if head < 0:
        return None  # a header and no data lines
    header = text[:head].split(delimiter)
    if not any(map(str.strip, header)):
        return None
    width = len(header)
    lines = _line_count(text, ended, delimiter, width)
    if lines is None:
        return None
    cells = text.replace("\n", delimiter).split(delimiter)  # the header's cells come first
    return header, [cells[width + i : width * lines : width] for i in range(width)]


def _line_count(text: str, ended: bool, delimiter: str, width: int) -> int | None:
    """The number of lines of `text` (the last one `ended` by a newline or not) when each
    holds `width - 1` delimiters and at most `csv.field_size_limit()` characters, else None."""
    encoded = text.encode("utf-8")
    raw = np.frombuffer(encoded, dtype=np.uint8)[: len(encoded) - ended]
    newlines = np.flatnonzero(raw == ord("\n"))
    delimiters = np.flatnonzero(raw == ord(delimiter))
    lines = newlines.shape[0] + 1
    if delimiters.shape[0] != lines * (width - 1):
        return None
    before = np.searchsorted(delimiters, newlines)  # delimiters ahead of each line end
    if not np.array_equal(before, np.arange(1, lines) * (width - 1)):
        return None
    ends = np.concatenate(([-1], newlines, [raw.shape[0]]))
    limit = csv.field_size_limit()
    if int(np.diff(ends).max()) - 1 > limit:  # bytes; the limit counts characters
        return lines if max(map(len, text.split("\n"))) <= limit else None
    return lines


def read_rows(rows: Iterable[list[str]]) -> list[list[str]]:
    """Every row of a reader, with the cyclic garbage collector paused (rows are lists)."""
    with collector_paused():
        return list(rows)


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
    with collector_paused():
        return list(zip(*rows, strict=True)) if rows else None


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
    Rows cost one dictionary look-up each, in C (the row where each text first appears);
    only distinct cells are stripped."""
    count = len(cells)
    first_row: dict[str, int] = {}
    rows = np.fromiter(map(first_row.setdefault, cells, range(count)), dtype=np.intp, count=count)
    distinct = list(first_row)
    stripped = list(map(str.strip, distinct))
    if stripped == distinct and "" not in first_row:
        values = distinct
        codes = np.arange(len(distinct), dtype=np.int32)
        empty = False
    else:
        found: dict[str, int] = {}
        coded = [found.setdefault(text, len(found)) if text else NO_VALUE for text in stripped]
        values = list(found)
        codes = np.array(coded, dtype=np.int32)
        empty = NO_VALUE in coded
    by_row = np.empty(count, dtype=np.int32)
    by_row[np.fromiter(first_row.values(), dtype=np.intp, count=len(distinct))] = codes
    return Column(by_row[rows], tuple(values)), empty
