"""A period's stored clocks and their records as numpy columns, read column by column in one pass."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from slaapp.engine.clocks import OPEN_STATUSES, STATUSES
from slaapp.engine.metrics_dashboard import Dimension

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]

# Each column comes back as one string (SQLite group_concat, PostgreSQL string_agg) that numpy
# parses at C speed instead of one Python object per value. Text is joined with the unit
# separator and NULL text stands as the record separator; a value holding either is read
# again row by row, so no value is ever misread.
UNIT, NONE, COMMA = "\x1f", "\x1e", "','"
_STATUS_CODE = "CASE status {} END".format(
    " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(STATUSES))
)
_NUMBERS = ("id", "record_id", "started_at", "target_seconds", "elapsed_seconds", "{quality}",
            _STATUS_CODE)  # fmt: skip
_TEXTS = ("handoff", "segment", "owner")
_EXTRAS = ("version", "evaluated_at", "coalesce(due_at, -1)")
_WHERE = " WHERE started_at >= {m} AND started_at < {m}"
OPEN_STATUS_NAMES = tuple(STATUSES[code] for code in OPEN_STATUSES)
_OPEN = ", ".join(f"'{name}'" for name in OPEN_STATUS_NAMES)
# What only an open clock, or one judged after the instant asked for, needs: a few rows.
_LATER = (
    "SELECT id, version, evaluated_at, coalesce(due_at, -1) FROM clocks"
    + _WHERE
    + f" AND (status IN ({_OPEN}) OR evaluated_at > {{m}})"
)
# A record's label: "external id — name", or the external id alone when the name adds nothing.
_LABEL = (
    "CASE WHEN name IS NOT NULL AND name <> '' AND name <> external_id"
    " THEN external_id || ' \u2014 ' || name ELSE external_id END"
)
_RECORDS = " FROM records WHERE id IN (SELECT record_id FROM clocks" + _WHERE + ")"


@dataclass(frozen=True, eq=False)
class PeriodClocks:
    """The stored clocks that started in [start, end), in id order.

    `version`, `evaluated_at` and `due_at` are read only for the clocks that are open or were
    judged after the instant asked for (the others: -1, 0 and -1); due_at -1 means none.
    """

    id: I64
    record_id: I64
    started_at: I64
    target: I64
    elapsed: I64
    quality: I8  # -1 unknown, 0 failed, 1 passed
    status: I8  # index into STATUSES
    handoff: Dimension
    segment: Dimension
    owner: Dimension
    version: I64
    evaluated_at: I64
    due_at: I64

    def __len__(self) -> int:
        return int(self.id.size)

    def rows(self, rows: I64) -> PeriodClocks:
        """Only these rows."""
        picked: dict[str, Any] = {
            name: value[rows]
            if isinstance(value, np.ndarray)
            else Dimension(value.codes[rows], value.labels)
            for name, value in vars(self).items()
        }
        return PeriodClocks(**picked)


@dataclass(frozen=True, eq=False)
class PeriodRecords:
    """The records of those clocks, ascending by id; text None where the record has none."""

    id: I64
    label: list[str]  # "external id — name"
    source: list[str | None]
    amount: list[str | None]


def period_clocks(connection: Connection, start: int, end: int, judge: int) -> PeriodClocks:
    """The stored clocks that started in [start, end), read from the covering index; those
    open or judged after `judge` with what judging them again at `judge` needs."""
    sql = _dialect(connection)
    clocks = _read_clocks(connection, sql, start, end)
    later = connection.exec_driver_sql(_LATER.format(m=sql.mark), (start, end, judge)).fetchall()
    if later:
        ids, version, evaluated, due = (
            np.array(c, dtype=np.int64) for c in zip(*later, strict=True)
        )
        rows = np.searchsorted(clocks.id, ids)
        keep = rows < len(clocks)
        keep[keep] = clocks.id[rows[keep]] == ids[keep]  # written since the first read: left out
        clocks.version[rows[keep]] = version[keep]
        clocks.evaluated_at[rows[keep]] = evaluated[keep]
        clocks.due_at[rows[keep]] = due[keep]
    return clocks


def whole_clocks(connection: Connection, start: int, end: int) -> PeriodClocks:
    """The stored clocks that started in [start, end), each with its version, evaluation
    instant and due instant."""
    return _read_clocks(connection, _dialect(connection), start, end, extras=True)


def _read_clocks(
    connection: Connection, sql: _Sql, start: int, end: int, *, extras: bool = False
) -> PeriodClocks:
    """The clocks of the period, with the extra columns if asked."""
    columns = [c.format(quality=sql.quality) for c in _NUMBERS + (_EXTRAS if extras else ())]
    where = (" FROM clocks" + _WHERE).format(m=sql.mark)
    found = joined_columns(connection, columns, _TEXTS, where, (start, end))
    if found is None:
        return _clocks_by_rows(connection, sql, start, end, extras)
    return _clocks(*found)


def joined_columns(
    connection: Connection,
    numbers: Sequence[str],
    texts: Sequence[str],
    rest: str,
    params: tuple[Any, ...],
) -> tuple[list[I64], list[list[str | None]]] | None:
    """The integer and text columns (SQL expressions) of the rows `rest` ("FROM ... WHERE
    ...", with the driver's parameter marks) finds, each column read as one joined string;
    None when a text holds a separator (the caller reads those rows one by one)."""
    sql = _dialect(connection)
    joined = [sql.joined(c, COMMA) for c in numbers]
    joined += [sql.joined(f"coalesce({c}, {sql.none})", sql.unit) for c in texts]
    row = connection.exec_driver_sql(f"SELECT count(*), {', '.join(joined)} {rest}", params).one()
    count = int(row[0])
    parsed = [_numbers(text, count) for text in row[1 : 1 + len(numbers)]]
    split = [_texts(text, count) for text in row[1 + len(numbers) :]]
    if any(p is None for p in parsed) or any(s is None for s in split):
        return None
    return [p for p in parsed if p is not None], [s for s in split if s is not None]


def period_records(connection: Connection, start: int, end: int) -> PeriodRecords:
    """Label, source and amount of each record with a clock started in the period."""
    sql = _dialect(connection)
    where = _RECORDS.format(m=sql.mark)
    found = joined_columns(
        connection, ["id"], [_LABEL, sql.source, sql.amount], where, (start, end)
    )
    if found is None:
        return _in_id_order(*_record_rows(connection, sql, _RECORDS, (start, end)))
    (ids,), texts = found
    return _in_id_order(ids, texts)


def records_with(connection: Connection, records: PeriodRecords, ids: I64) -> PeriodRecords:
    """`records` with those of `ids` it lacks read too (records whose clocks were judged
    again and start in the period only now), ascending by id."""
    missing = sorted(set(ids.tolist()) - set(records.id.tolist())) if ids.size else []
    if not missing:
        return records
    where = f" FROM records WHERE id IN ({', '.join(['{m}'] * len(missing))})"
    found, columns = _record_rows(connection, _dialect(connection), where, tuple(missing))
    old: tuple[list[Any], ...] = (records.label, records.source, records.amount)
    return _in_id_order(
        np.concatenate((records.id, found)), [[*a, *b] for a, b in zip(old, columns, strict=True)]
    )


def _record_rows(
    connection: Connection, sql: _Sql, where: str, params: tuple[int, ...]
) -> tuple[I64, list[list[str | None]]]:
    """Id, label, source and amount of the records `where` (SQL text with `{m}` marks) finds,
    read row by row: for text that holds a separator, and for a few records."""
    query = f"SELECT id, {_LABEL}, {sql.source}, {sql.amount}" + where
    rows = connection.exec_driver_sql(query.format(m=sql.mark), params).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    return ids, [[_text(r[i]) for r in rows] for i in range(1, 4)]


def _in_id_order(ids: I64, columns: list[list[str | None]]) -> PeriodRecords:
    """The records' columns ordered by id (as read when already ascending)."""
    if not bool((ids[1:] > ids[:-1]).all()):
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        columns = [[values[i] for i in order.tolist()] for values in columns]
    label, source, amount = columns
    return PeriodRecords(ids, cast(list[str], label), source, amount)


@dataclass(frozen=True)
class _Sql:
    mark: str
    unit: str
    none: str
    quality: str
    source: str
    amount: str
    aggregate: str

    def joined(self, column: str, separator: str) -> str:
        return self.aggregate.format(column=column, separator=separator)


def _dialect(connection: Connection) -> _Sql:
    if connection.dialect.name == "postgresql":
        return _Sql("%s", "chr(31)", "chr(30)", "coalesce(quality_ok::int, -1)",
                    "(attributes ->> 'source')", "(attributes ->> 'amount')",
                    "string_agg(({column})::text, {separator})")  # fmt: skip
    return _Sql("?", "char(31)", "char(30)", "coalesce(quality_ok, -1)",
                "json_extract(attributes, '$.\"source\"')",
                "json_extract(attributes, '$.\"amount\"')",
                "group_concat({column}, {separator})")  # fmt: skip


def _numbers(text: str | None, count: int) -> I64 | None:
    """The integers of one joined column, or None when they do not parse to `count` values."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    if text is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warns, not raises, on text it cannot read
        try:
            found: I64 = np.fromstring(text, dtype=np.int64, sep=",")
        except (DeprecationWarning, ValueError):
            return None
    return found if found.size == count else None


def _texts(text: str | None, count: int) -> list[str | None] | None:
    """The values of one joined text column, or None when a value held a separator."""
    if count == 0:
        return []
    if text is None:
        return None
    values: list[str | None] = list(text.split(UNIT))
    if len(values) != count:
        return None
    if NONE in text:
        return [None if v == NONE else v for v in values]
    return values


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _clocks_by_rows(
    connection: Connection, sql: _Sql, start: int, end: int, extras: bool
) -> PeriodClocks:
    """The same columns read row by row: for text that holds a separator."""
    width = len(_NUMBERS) + (len(_EXTRAS) if extras else 0)
    columns = ", ".join(c.format(quality=sql.quality) for c in (_NUMBERS + _EXTRAS)[:width])
    query = f"SELECT {columns}, handoff, segment, owner FROM clocks" + _WHERE
    rows = connection.exec_driver_sql(query.format(m=sql.mark), (start, end)).fetchall()
    values = list(zip(*rows, strict=True)) if rows else [()] * (width + len(_TEXTS))
    numbers = [np.array(values[i], dtype=np.int64) for i in range(width)]
    return _clocks(numbers, [list(values[i]) for i in range(width, width + len(_TEXTS))])


def _clocks(numbers: Sequence[I64], texts: Sequence[list[Any]]) -> PeriodClocks:
    """Clocks in id order from their columns: _NUMBERS, then _EXTRAS when read."""
    handoff, segment, owner = texts
    order = np.argsort(numbers[0], kind="stable")
    ids, record, started, target, elapsed, quality, status, *extras = (n[order] for n in numbers)
    n = ids.size
    version, evaluated, due = extras or (
        np.full(n, -1, np.int64),
        np.zeros(n, np.int64),
        np.full(n, -1, np.int64),
    )
    return PeriodClocks(
        ids, record, started, target, elapsed, quality.astype(np.int8), status.astype(np.int8),
        coded(handoff, order), coded(segment, order), coded(owner, order), version, evaluated, due,
    )  # fmt: skip


def coded(values: list[Any], order: I64 | None = None) -> Dimension:
    """Codes of values (None -> -1), rows taken in `order` (as given when None), labels in
    their order of first use."""
    distinct = [value for value in dict.fromkeys(values) if value is not None]  # at C speed
    index: dict[Any, int] = {value: code for code, value in enumerate(distinct)}
    index[None] = -1
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return by_first_use(codes if order is None else codes[order], distinct)


def by_first_use(codes: I64, labels: Sequence[Any]) -> Dimension:
    """The same values with labels in their order of first use (unused ones dropped); codes
    index `labels`, < 0 for none (-1 then)."""
    none = len(labels)
    codes = np.where(codes < 0, none, codes)
    first = np.full(none + 1, codes.size, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(codes.size))
    used = np.argsort(first[:-1], kind="stable")
    used = used[first[used] < codes.size]
    renumber = np.full(none + 1, -1, dtype=np.int64)  # none stays -1
    renumber[used] = np.arange(used.size)
    return Dimension(renumber[codes], tuple(labels[c] for c in used.tolist()))
