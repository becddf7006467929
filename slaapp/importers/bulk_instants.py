"""Epoch seconds of a whole column of ISO 8601 texts at once (numpy), for the shapes that matter."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, tzinfo

import numpy as np
import numpy.typing as npt

from slaapp.engine.instants import EARLIEST, LATEST, InstantError, to_epoch

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

WIDTH = 32
"""Texts longer than this are left to the per-row parser."""

_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_UNIX = datetime(1970, 1, 1)
_FRACTION_LIMIT = 2**32
"""With a fraction, `datetime.timestamp() // 1` is the whole second only while the float has
sub-microsecond steps (|epoch| < 2**32); rows past that go to the per-row parser."""
_TAILS = ("", "Z", "SDDDD", "SDD:DD")
"""What may follow the time: nothing (naive), Z, ±HHMM, ±HH:MM."""


def shapes() -> Iterator[tuple[str, bool]]:
    """Every shape read here, as a pattern (D a digit, T `T` or a space, S `+` or `-`, Z `Z`
    or `z`, anything else itself) and whether it names its zone."""
    yield "DDDD-DD-DD", False
    for seconds in ("", ":DD", *(":DD." + "D" * k for k in range(1, 7))):
        for tail in _TAILS:
            yield "DDDD-DD-DDTDD:DD" + seconds + tail, bool(tail)


def parse_instants(texts: Sequence[str], tz: tzinfo | None = None) -> tuple[I64, B]:
    """Epoch seconds of every text in one of `shapes()`, and which rows those are.

    Naive texts are read in `tz` (fold=0; none without `tz`). Each accepted row gets exactly
    what `engine.instants.parse_instant` gives it; every other row is False in the mask and
    belongs to the per-row parser (odd shapes, stray spaces, bad dates, years out of range).
    """
    count = len(texts)
    epochs = np.zeros(count, dtype=np.int64)
    ok = np.zeros(count, dtype=np.bool_)
    if not count:
        return epochs, ok
    length = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    chars = _code_points(texts, length)
    naive = np.zeros(count, dtype=np.bool_)
    fraction = np.zeros(count, dtype=np.bool_)
    by_size: dict[int, list[tuple[str, bool]]] = {}
    for shape, zoned in shapes():
        by_size.setdefault(len(shape), []).append((shape, zoned))
    for size in np.flatnonzero(np.bincount(np.minimum(length, WIDTH + 1))).tolist():
        if size not in by_size:
            continue
        rows = np.flatnonzero(length == size)
        block = np.ascontiguousarray((chars if rows.shape[0] == count else chars[rows])[:, :size].T)
        for shape, zoned in by_size[size]:
            found, seconds = _read_shape(block, shape)
            found &= ~ok[rows]
            hits = rows[found]
            ok[hits] = True
            epochs[hits] = seconds[found]
            naive[hits] = not zoned
            fraction[hits] = "." in shape
            if ok[rows].all():
                break  # every text of this size is read: no later shape can take one
    if naive.any():
        ok &= ~naive if tz is None else _read_in_zone(epochs, ok & naive, tz)
    ok &= (epochs >= EARLIEST) & (epochs < LATEST)
    ok &= ~fraction | (np.abs(epochs) < _FRACTION_LIMIT)
    return epochs, ok


def _code_points(texts: Sequence[str], length: I64) -> npt.NDArray[np.integer]:
    """One row of character codes per text: bytes when all are ASCII and equally long (the
    usual column, joined in one step), else code points padded to WIDTH."""
    size = int(length[0])
    if size <= WIDTH and (length == size).all():
        try:
            joined = "".join(texts).encode("ascii")
        except UnicodeEncodeError:
            pass
        else:
            return np.frombuffer(joined, dtype=np.uint8).reshape(len(texts), size)
    return np.array(texts, dtype=f"<U{WIDTH}").view(np.int32).reshape(len(texts), WIDTH)


def _read_shape(block: npt.NDArray[np.integer], shape: str) -> tuple[B, I64]:
    """Which texts of `block` (character codes, one row per position, one column per text)
    have `shape`, and their seconds: UTC epoch seconds with a zone, local seconds since
    1970-01-01 without one."""
    found = np.ones(block.shape[1], dtype=np.bool_)
    for i, kind in enumerate(shape):
        column = block[i]
        if kind == "D":
            found &= (column >= ord("0")) & (column <= ord("9"))
        elif kind in "TSZ":
            pair = {"T": "T ", "S": "+-", "Z": "Zz"}[kind]
            found &= (column == ord(pair[0])) | (column == ord(pair[1]))
        else:
            found &= column == ord(kind)

    def number(start: int, size: int = 2) -> I64:
        total: I64 = block[start].astype(np.int64) - ord("0")
        for i in range(start + 1, start + size):
            total *= 10
            total += block[i]
            total -= ord("0")
        return total

    year, month, day = number(0, 4), number(5), number(8)
    found &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    found &= day <= _days_in_month(year, np.clip(month, 1, 12))
    seconds = _days(year, month, day) * 86400
    if len(shape) > 10:
        hour, minute = number(11), number(14)
        second = number(17) if shape[16:17] == ":" else 0
        found &= (hour <= 23) & (minute <= 59) & (second <= 59)
        seconds += hour * 3600 + minute * 60 + second
    if shape.startswith("S", len(shape) - 5) or shape.startswith("S", len(shape) - 6):
        start = shape.rindex("S")
        hours, minutes = number(start + 1), number(len(shape) - 2)
        sign = np.where(block[start] == ord("-"), -1, 1)
        found &= (hours <= 23) & (minutes <= 59)
        seconds -= sign * (hours * 3600 + minutes * 60)
    return found, seconds


def _days_in_month(year: I64, month: I64) -> I64:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days: I64 = _MONTH_DAYS[month] + (leap & (month == 2))
    return days


def _days(year: I64, month: I64, day: I64) -> I64:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's days_from_civil)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: I64 = era * 146097 + doe - 719468
    return days


def _read_in_zone(epochs: I64, naive: B, tz: tzinfo) -> B:
    """Local seconds (where `naive`) read in `tz` as parse_instant does (fold=0), in place.

    Per distinct local hour, the hour's first and last second go through `to_epoch`; rows
    are read only in hours with one offset throughout (else, or out of range: False)."""
    rows = np.flatnonzero(naive)
    local = epochs[rows]
    hours, inverse = np.unique(local // 3600, return_inverse=True)
    start = np.zeros(hours.shape[0], dtype=np.int64)
    steady = np.zeros(hours.shape[0], dtype=np.bool_)
    for i, hour in enumerate(hours.tolist()):
        try:
            first = to_epoch(_UNIX + timedelta(hours=hour), tz)
            last = to_epoch(_UNIX + timedelta(hours=hour, seconds=3599), tz)
        except (InstantError, OverflowError):
            continue
        start[i], steady[i] = first, last - first == 3599
    epochs[rows] = start[inverse] + local % 3600
    read = ~naive
    read[rows] = steady[inverse]
    return read
