"""Calendar days in a time zone: the same local wall time N days later, over numpy arrays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
DAY = 86400
_EPOCH = datetime(1970, 1, 1)


def shift_days(zone: ZoneInfo, starts: I64, days: I64 | int) -> I64:
    """The instants at the same local wall time `days` later in `zone` (fold=0 as zoneinfo
    resolves a wall time that occurs twice or not at all).

    Offsets are looked up once per distinct day; only instants on a day with a change of
    offset are computed one by one.
    """
    starts = np.asarray(starts, dtype=np.int64)
    days = np.broadcast_to(np.asarray(days, dtype=np.int64), starts.shape)
    if starts.size == 0:
        return starts.copy()
    offset, exact = _offsets(starts // DAY, lambda day: _utc_day_offsets(zone, day))
    wall = starts + offset + days * DAY
    back, changes = _offsets(wall // DAY, lambda day: _local_day_offsets(zone, day))
    result = wall - back
    for i in np.flatnonzero(exact | changes):
        result[i] = _shift_one(zone, int(starts[i]), int(days[i]))
    return result


def _offsets(day: I64, offsets_of: Callable[[int], tuple[int, int]]) -> tuple[I64, B]:
    """Per element: its day's UTC offset, and whether the offset changes during that day."""
    unique, inverse = np.unique(day, return_inverse=True)
    pairs = [offsets_of(int(d)) for d in unique.tolist()]
    first = np.array([a for a, _ in pairs], dtype=np.int64)
    changes = np.array([a != b for a, b in pairs], dtype=np.bool_)
    return first[inverse], changes[inverse]


def _utc_day_offsets(zone: ZoneInfo, day: int) -> tuple[int, int]:
    """The zone's offset at the first and at the last second of a UTC day."""
    start = day * DAY
    return _offset_at(zone, start), _offset_at(zone, start + DAY - 1)


def _offset_at(zone: ZoneInfo, epoch: int) -> int:
    found = datetime.fromtimestamp(epoch, zone).utcoffset()
    return 0 if found is None else int(found.total_seconds())


def _local_day_offsets(zone: ZoneInfo, day: int) -> tuple[int, int]:
    """The fold=0 offset of a local day's first and last second."""
    start = _EPOCH + timedelta(days=day)
    first = start.replace(tzinfo=zone, fold=0).utcoffset()
    last = (start + timedelta(seconds=DAY - 1)).replace(tzinfo=zone, fold=0).utcoffset()
    return (
        0 if first is None else int(first.total_seconds()),
        0 if last is None else int(last.total_seconds()),
    )


def _shift_one(zone: ZoneInfo, start: int, days: int) -> int:
    local = datetime.fromtimestamp(start, zone).replace(tzinfo=None) + timedelta(days=days)
    return int(local.replace(tzinfo=zone, fold=0).timestamp())
