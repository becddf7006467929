"""Clocks as JSON or CSV text built column by column: one joined string per block of clocks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from typing import Any

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import STATUSES, ClockTable

Texts = npt.NDArray[np.object_]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

BLOCK = 32_768
"""Clocks per joined string: large enough to cost nothing, small enough to bound memory."""
DAY = 86_400
_DAY_RANGE_LIMIT = 400_000
"""Instants spanning more days than this get their dates from np.unique instead of a range."""


@dataclass(frozen=True)
class _Style:
    """How one format writes each kind of value."""

    text: Callable[[str], str]  # record, handoff, segment and owner text
    plain: Callable[[str], str]  # status text
    quote: str  # around an instant
    null: str
    flags: tuple[str, str, str]  # quality_ok null, false, true


def json_blocks(clocks: ClockTable, fields: Sequence[str]) -> Iterator[str]:
    """The clocks of `{"as_of": ..., "clocks": [...]}`, one per line, as joined blocks of text
    (each distinct text as `json.dumps` writes it, fractions as `repr`)."""
    text = encode_basestring_ascii  # what json.dumps does with a str
    style = _Style(text, text, '"', "null", ("null", "false", "true"))
    prefixes = [", " + text(name) + ": " for name in fields]
    prefixes[0] = ",\n{" + prefixes[0][2:]
    first = True
    for block in _joined([*_columns(clocks, style, prefixes), "}"], len(clocks)):
        yield block[1:] if first else block  # the first clock follows "[" without a comma
        first = False


def csv_blocks(
    clocks: ClockTable, fields: Sequence[str], safe: Callable[[str], str]
) -> Iterator[str]:
    """The header row of `fields`, then one row per clock (empty cells for null), as joined
    blocks of the text `csv.writer` writes; `safe(text)` is the cell of a record, handoff,
    segment or owner."""
    style = _Style(lambda text: _quoted(safe(text)), _quoted, "", "", ("", "false", "true"))
    prefixes = [""] + [","] * (len(fields) - 1)
    yield _quoted_row(fields)
    yield from _joined([*_columns(clocks, style, prefixes), "\n"], len(clocks))


def _columns(clocks: ClockTable, style: _Style, prefixes: Sequence[str]) -> list[Texts]:
    """The text of every field, each cell led by its prefix (instants in two columns)."""
    record, handoff, cycle, segment, owner, started, stopped, due = prefixes[:8]
    target, elapsed, remaining, pct, status, quality = prefixes[8:]
    return [
        _coded(clocks.record, clocks.records, record, style),
        _coded(clocks.handoff, clocks.handoff_keys, handoff, style),
        _formatted(clocks.cycle, cycle, "%d"),
        _coded(clocks.segment, clocks.segment_keys, segment, style),
        _coded(clocks.owner, clocks.owners, owner, style),
        *_instants(clocks.started_at, None, started, style),
        *_instants(clocks.stopped_at, clocks.closed, stopped, style),
        *_instants(clocks.due_at, clocks.has_due, due, style),
        _formatted(clocks.target, target, "%d"),
        _formatted(clocks.elapsed, elapsed, "%d"),
        _formatted(clocks.remaining, remaining, "%d"),
        _formatted(clocks.pct_elapsed, pct, "%r"),
        _lookup(clocks.status, [status + style.plain(s) for s in STATUSES]),
        _lookup(clocks.quality.astype(np.int64) + 1, [quality + f for f in style.flags]),
    ]


def _joined(pieces: Sequence[Texts | str], count: int) -> Iterator[str]:
    """Rows made of `pieces` (a column of texts, or one text for every row), joined by block."""
    for start in range(0, count, BLOCK):
        stop = min(start + BLOCK, count)
        grid = np.empty((stop - start, len(pieces)), dtype=object)
        for j, piece in enumerate(pieces):
            grid[:, j] = piece if isinstance(piece, str) else piece[start:stop]
        yield "".join(grid.ravel().tolist())


def _lookup(codes: npt.NDArray[np.integer], texts: list[str]) -> Texts:
    table: Texts = np.array(texts, dtype=object)
    found: Texts = table[codes]
    return found


def _coded(
    codes: npt.NDArray[np.integer], values: Sequence[str], prefix: str, style: _Style
) -> Texts:
    """Codes into `values` as prefixed texts, NO_VALUE (-1) as null: one text per distinct value."""
    return _lookup(codes, [prefix + style.text(v) for v in values] + [prefix + style.null])


def _formatted(values: npt.NDArray[Any], prefix: str, spec: str) -> Texts:
    """Numbers as `prefix` and `spec % number` (%d is str(), %r is repr()), each distinct
    number formatted once (floats told apart by their bits, so -0.0 stays -0.0)."""
    floats = values.dtype == np.float64
    distinct, index = np.unique(values.view(np.int64) if floats else values, return_inverse=True)
    numbers = (distinct.view(np.float64) if floats else distinct).tolist()
    return _lookup(index, list(map((prefix.replace("%", "%%") + spec).__mod__, numbers)))


def _instants(values: I64, present: B | None, prefix: str, style: _Style) -> list[Texts]:
    """Instants as UTC `YYYY-MM-DDTHH:MM:SSZ` (in the style's quotes), null where not `present`,
    in two columns: the prefixed date from a table of days, then the time of day."""
    moments = values.astype(np.int64)
    if present is not None:  # absent values may be anything: read them as the first present one
        moments = np.where(present, moments, moments[present][0] if present.any() else 0)
    days, seconds = np.divmod(moments, DAY)
    low, high = (int(days.min()), int(days.max())) if days.size else (0, 0)
    if high - low < _DAY_RANGE_LIMIT:
        table, index = np.arange(low, high + 1, dtype=np.int64), days - low
    else:
        table, index = np.unique(days, return_inverse=True)
    stamps = np.datetime_as_string((table * DAY).astype("datetime64[s]"), unit="s").tolist()
    head = prefix + style.quote
    dates = [head + t[:-8] for t in stamps]  # "YYYY-MM-DDT"
    if present is None:
        return [_lookup(index, dates), _times_of_day(seconds, "Z" + style.quote)]
    null = len(dates)
    return [
        _lookup(np.where(present, index, null), [*dates, prefix + style.null]),
        _times_of_day(np.where(present, seconds, DAY), "Z" + style.quote),
    ]


_TIMES_OF_DAY: dict[str, Texts] = {}


def _times_of_day(seconds: I64, tail: str) -> Texts:
    """`HH:MM:SS` and `tail` for each second of the day (DAY itself: empty), from a table of
    all 86,400 built digit by digit once per tail."""
    if tail not in _TIMES_OF_DAY:
        hour, rest = np.divmod(np.arange(DAY, dtype=np.uint32), 3600)
        minute, second = np.divmod(rest, 60)
        text = "00:00:00" + tail
        points = np.tile(np.array([ord(c) for c in text], dtype=np.uint32), (DAY, 1))
        for at, part in ((0, hour), (3, minute), (6, second)):
            points[:, at] += part // 10
            points[:, at + 1] += part % 10
        texts = np.empty(DAY + 1, dtype=object)
        texts[:DAY] = points.view(f"<U{len(text)}").ravel().astype(object)
        texts[DAY] = ""
        _TIMES_OF_DAY[tail] = texts
    found: Texts = _TIMES_OF_DAY[tail][seconds]
    return found


_NEEDS_QUOTES = frozenset(',"\r\n')


def _quoted(text: str) -> str:
    """One cell as `csv.writer` writes it in a row of several cells (text without a comma,
    quote or line break as it is, without building a writer)."""
    if _NEEDS_QUOTES.isdisjoint(text):
        return text
    return _quoted_row([text])[:-1]


def _quoted_row(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()
