"""The event log as numpy columns: records, event names, instants, owners and attributes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

NO_VALUE = -1
"""Code of an empty cell: the value does not change at this event."""


@dataclass(frozen=True, eq=False)
class Column:
    """A text column stored as int32 codes into `values`; NO_VALUE marks an empty cell."""

    codes: I32
    values: tuple[str, ...]

    def text(self, row: int) -> str | None:
        code = int(self.codes[row])
        return None if code == NO_VALUE else self.values[code]


@dataclass(frozen=True, eq=False)
class EventLog:
    """One row per event, in input order; `occurred_at` is int64 UTC epoch seconds."""

    record: Column
    event: Column
    occurred_at: I64
    owner: Column
    attributes: Mapping[str, Column] = field(default_factory=dict)
    raw_time: tuple[str | None, ...] | None = None
    """The occurred_at text as the source had it, per row, when a reader kept it."""

    def __len__(self) -> int:
        return int(self.occurred_at.shape[0])

    @property
    def records(self) -> tuple[str, ...]:
        return self.record.values

    def rows(self) -> Iterable[EventRow]:
        """The events back as rows (for tests and small logs)."""
        for i in range(len(self)):
            attrs = {}
            for name, column in self.attributes.items():
                value = column.text(i)
                if value is not None:
                    attrs[name] = value
            yield EventRow(
                record_id=self.record.values[int(self.record.codes[i])],
                event=self.event.values[int(self.event.codes[i])],
                occurred_at=int(self.occurred_at[i]),
                owner=self.owner.text(i),
                attributes=attrs,
            )


@dataclass(frozen=True)
class EventRow:
    """One event as plain values; `occurred_at` in UTC epoch seconds."""

    record_id: str
    event: str
    occurred_at: int
    owner: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


class _Interner:
    """Assigns consecutive codes to distinct strings."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.codes: list[int] = []

    def add(self, value: str | None) -> None:
        if value is None or value == "":
            self.codes.append(NO_VALUE)
            return
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.index)
        self.codes.append(code)

    def column(self) -> Column:
        return Column(np.asarray(self.codes, dtype=np.int32), tuple(self.index))


class EventLogBuilder:
    """Collects events row by row and builds an EventLog; empty strings count as no value."""

    def __init__(self, attribute_names: Iterable[str] = ()) -> None:
        self._record = _Interner()
        self._event = _Interner()
        self._owner = _Interner()
        self._times: list[int] = []
        self._attributes: dict[str, _Interner] = {name: _Interner() for name in attribute_names}

    def add(
        self,
        record_id: str,
        event: str,
        occurred_at: int,
        owner: str | None = None,
        attributes: Mapping[str, str | None] | None = None,
    ) -> None:
        if not record_id or not event:
            raise ValueError("record_id and event must not be empty")
        attributes = attributes or {}
        for name in attributes:
            if name not in self._attributes:
                column = self._attributes[name] = _Interner()
                column.codes.extend([NO_VALUE] * len(self._times))
        self._record.add(record_id)
        self._event.add(event)
        self._owner.add(owner)
        self._times.append(int(occurred_at))
        for name, column in self._attributes.items():
            column.add(attributes.get(name))

    def add_row(self, row: EventRow) -> None:
        self.add(row.record_id, row.event, row.occurred_at, row.owner, row.attributes)

    def __len__(self) -> int:
        return len(self._times)

    def build(self) -> EventLog:
        return EventLog(
            record=self._record.column(),
            event=self._event.column(),
            occurred_at=np.asarray(self._times, dtype=np.int64),
            owner=self._owner.column(),
            attributes={name: column.column() for name, column in self._attributes.items()},
        )


def intern(values: Sequence[str | None]) -> Column:
    """A Column from texts, coding distinct values in order of appearance; empty is NO_VALUE."""
    seeded = 2
    table: dict[str | None, int] = {"": NO_VALUE + seeded, None: NO_VALUE + seeded}
    codes = np.asarray([table.setdefault(v, len(table)) for v in values], dtype=np.int32)
    return Column(codes - np.int32(seeded), tuple(v for v in table if v))


def event_log_from_columns(
    record_ids: Sequence[str],
    events: Sequence[str],
    times: Sequence[int],
    owners: Sequence[str | None] | None = None,
    attributes: Mapping[str, Sequence[str | None]] | None = None,
    raw_time: Sequence[str | None] | None = None,
) -> EventLog:
    """An EventLog from equally long columns (fast path for readers of large files)."""
    count = len(times)
    return EventLog(
        record=intern(record_ids),
        event=intern(events),
        occurred_at=np.asarray(times, dtype=np.int64),
        owner=intern(owners if owners is not None else [None] * count),
        attributes={name: intern(column) for name, column in (attributes or {}).items()},
        raw_time=None if raw_time is None else tuple(raw_time),
    )


def event_log(rows: Iterable[EventRow]) -> EventLog:
    """An EventLog from rows, in their order."""
    builder = EventLogBuilder()
    for row in rows:
        builder.add_row(row)
    return builder.build()
