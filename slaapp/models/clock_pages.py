"""A period's clocks from packed pages of each UTC day's stored clocks, rebuilt when triggers mark the day changed."""

from __future__ import annotations

import json
import logging
import struct
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from slaapp.engine.clocks import OPEN_STATUSES
from slaapp.engine.errors import UserError
from slaapp.engine.metrics_dashboard import Dimension
from slaapp.models.bulk import placeholder
from slaapp.models.clock_columns import (
    PeriodClocks,
    PeriodRecords,
    by_first_use,
    period_clocks,
    period_records,
    whole_clocks,
)
from slaapp.models.clock_days import missing_triggers
from slaapp.models.database import Database

log = logging.getLogger(__name__)
I64 = npt.NDArray[np.int64]
DAY = 86400
MAGIC = b"slaapp clock page 2\n"
_INTS = ("id", "record_id", "started_at", "target", "elapsed", "version", "evaluated_at",
         "due_at")  # fmt: skip
_SMALL = ("quality", "status")
_DIMENSIONS = ("handoff", "segment", "owner")


Part = tuple[PeriodClocks, PeriodRecords]


@dataclass(frozen=True)
class Page:
    """One day's clocks packed, as read at the day's `generation`."""

    day: int
    generation: int
    payload: bytes


@dataclass(frozen=True, eq=False)
class PeriodColumns:
    """A period's clocks and records as `period_clocks` and `period_records` read them, and
    the pages this read built (for `keep_pages`)."""

    clocks: PeriodClocks
    records: PeriodRecords
    built: tuple[Page, ...] = ()


def read_period(connection: Connection, start: int, end: int, judge: int) -> PeriodColumns:
    """The stored clocks that started in [start, end) and their records, as `period_clocks`
    (judged at `judge`) and `period_records` read them: from the pages of their UTC days,
    a day without a current page read from the table and packed."""
    if end <= start or not pages_kept(connection):
        return _from_table(connection, start, end, judge)
    mark = placeholder(connection)
    days = connection.exec_driver_sql(
        "SELECT d.day, d.generation, CASE WHEN p.generation = d.generation THEN p.payload END"
        " FROM clock_days d LEFT JOIN clock_pages p ON p.day = d.day"
        f" WHERE d.day >= {mark} AND d.day <= {mark} ORDER BY d.day",
        (start // DAY, (end - 1) // DAY),
    ).fetchall()
    parts: list[Part] = []
    stale: list[tuple[int, int]] = []
    for day, generation, payload in days:
        part = _unpacked(payload)
        if part is None:
            stale.append((int(day), int(generation)))
        else:
            parts.append(part)
    built: list[Page] = []
    for run in _runs(stale):
        found = _read_days(connection, run)
        built += [Page(day, gen, pack(*part)) for (day, gen), part in zip(run, found, strict=True)]
        parts += found
    if not parts:  # no clock ever started on these days
        return _from_table(connection, start, end, judge)
    return PeriodColumns(*_merged(parts, start, end, judge), tuple(built))


def _unpacked(payload: bytes | None) -> Part | None:
    """A current page's clocks and records; None for none, or one this version cannot read."""
    if payload is None:
        return None
    try:
        return unpack(bytes(payload))
    except (ValueError, KeyError, TypeError, struct.error) as error:
        log.warning("a dashboard page could not be read (%s); reading its day again", error)
        return None


def _from_table(connection: Connection, start: int, end: int, judge: int) -> PeriodColumns:
    return PeriodColumns(
        period_clocks(connection, start, end, judge), period_records(connection, start, end)
    )


def pages_kept(connection: Connection) -> bool:
    """Whether this database keeps pages (its triggers all there) and this login reads them."""
    if (
        connection.dialect.name == "postgresql"
        and not connection.exec_driver_sql(
            "SELECT has_table_privilege('clock_days', 'SELECT')"
            " AND has_table_privilege('clock_pages', 'SELECT')"
        ).scalar()
    ):
        return False
    return not missing_triggers(connection)


def keep_pages(database: Database, pages: Sequence[Page]) -> int:
    """Store the pages whose day is still at the generation they were read at; best effort:
    nothing when the database is busy writing or this login may not (returns how many)."""
    if not pages:
        return 0
    try:
        with database.session() as session:
            connection = session.connection()
            if connection.dialect.name == "postgresql":
                if not connection.exec_driver_sql(
                    "SELECT has_table_privilege('clock_pages', 'INSERT')"
                    " AND has_table_privilege('clock_pages', 'UPDATE')"
                    " AND has_table_privilege('clock_pages', 'DELETE')"
                ).scalar():
                    return 0
                connection.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            with _no_wait(connection):
                return _store(connection, pages)
    except (DBAPIError, UserError) as error:  # locked, or refused for this login
        log.debug("dashboard pages not kept: %s", error)
        return 0


def _store(connection: Connection, pages: Sequence[Page]) -> int:
    m = placeholder(connection)
    statement = (
        f"INSERT INTO clock_pages (day, generation, payload) SELECT {m}, {m}, {m}"
        f" WHERE EXISTS (SELECT 1 FROM clock_days WHERE day = {m} AND generation = {m})"
        " ON CONFLICT (day) DO UPDATE"
        " SET generation = excluded.generation, payload = excluded.payload"
    )
    # Pages of days changed since they were read are never used again: gone, so the file
    # holds at most one current page a day.
    connection.exec_driver_sql(
        "DELETE FROM clock_pages WHERE generation <> coalesce("
        "(SELECT d.generation FROM clock_days d WHERE d.day = clock_pages.day), -1)"
    )
    kept = 0
    for page in pages:  # one at a time: a page is a few hundred kilobytes
        values = (page.day, page.generation, page.payload, page.day, page.generation)
        kept += connection.exec_driver_sql(statement, values).rowcount or 0
    return kept


@contextmanager
def _no_wait(connection: Connection) -> Iterator[None]:
    """SQLite gives up at once when another connection holds the write lock."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    waited = driver.execute("PRAGMA busy_timeout").fetchone()[0]
    driver.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA busy_timeout = {int(waited)}")


def _runs(days: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """(day, generation) pairs grouped into runs of consecutive days."""
    runs: list[list[tuple[int, int]]] = []
    for day in days:
        if runs and runs[-1][-1][0] == day[0] - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _read_days(connection: Connection, run: list[tuple[int, int]]) -> list[Part]:
    """The clocks and their records of consecutive days, one part per day."""
    start, end = run[0][0] * DAY, (run[-1][0] + 1) * DAY
    records_read = _records_beside(connection, start, end)
    clocks = whole_clocks(connection, start, end)
    records = records_read()
    day = clocks.started_at // DAY
    by_day = np.argsort(day, kind="stable")  # each day's clocks stay in id order
    bounds = np.searchsorted(day[by_day], [number for number, _ in run] + [run[-1][0] + 1])
    # Each clock's record row; a record deleted between the two reads has none (-1).
    at = np.minimum(np.searchsorted(records.id, clocks.record_id), max(records.id.size - 1, 0))
    if records.id.size:
        at[records.id[at] != clocks.record_id] = -1
    else:
        at[:] = -1
    parts = []
    for i in range(len(run)):
        rows = by_day[bounds[i] : bounds[i + 1]]
        mine = np.unique(at[rows])
        parts.append((_shrunk(clocks.rows(rows)), _records_at(records, mine[mine >= 0])))
    return parts


def _records_beside(connection: Connection, start: int, end: int) -> Callable[[], PeriodRecords]:
    """The days' records: on PostgreSQL read on a connection of their own while this one reads
    the clocks (the server works on both at once); SQLite gains nothing from it."""
    if connection.dialect.name != "postgresql":
        return lambda: period_records(connection, start, end)
    pool = ThreadPoolExecutor(1, thread_name_prefix="dashboard-records")
    found = pool.submit(_records_on, connection.engine, start, end)
    pool.shutdown(wait=False)  # the thread ends with its one task
    return found.result


def _records_on(engine: Engine, start: int, end: int) -> PeriodRecords:
    with engine.connect() as connection:
        return period_records(connection, start, end)


def _shrunk(clocks: PeriodClocks) -> PeriodClocks:
    """The clocks with each dimension's labels reduced to the ones its rows use."""
    found: dict[str, Any] = dict(vars(clocks))
    for name in _DIMENSIONS:
        value: Dimension = found[name]
        found[name] = by_first_use(value.codes, value.labels)
    return PeriodClocks(**found)


def _records_at(records: PeriodRecords, rows: I64) -> PeriodRecords:
    """These rows of `records`."""
    pick = _picker(rows.tolist())
    return PeriodRecords(
        records.id[rows],
        pick(records.label),
        pick(records.source),
        pick(records.amount),
    )


def _picker(rows: list[int]) -> Callable[[Sequence[Any]], list[Any]]:
    """A function taking these items of a sequence, as a list (at C speed)."""
    if len(rows) > 1:
        get = itemgetter(*rows)
        return lambda values: list(get(values))
    return lambda values: [values[i] for i in rows]


def pack(clocks: PeriodClocks, records: PeriodRecords) -> bytes:
    """One page: a JSON header (labels, record texts, each column's type and offset), then
    the columns, each in the narrowest integer type that holds its values less the offset."""
    columns = [getattr(clocks, name) for name in _INTS + _SMALL]
    columns += [getattr(clocks, name).codes for name in _DIMENSIONS]
    columns.append(records.id)
    narrow = [_narrowed(np.asarray(column, dtype=np.int64)) for column in columns]
    header = {
        "columns": [[kind, base, int(values.size)] for kind, base, values in narrow],
        **{name: list(getattr(clocks, name).labels) for name in _DIMENSIONS},
        "label": records.label,
        "source": records.source,
        "amount": records.amount,
    }
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    body = [v.tobytes() for _, _, v in narrow]
    return b"".join([MAGIC, struct.pack("<I", len(text)), text, *body])


def _narrowed(values: I64) -> tuple[str, int, npt.NDArray[np.integer]]:
    """(dtype, offset, values - offset in that dtype): the narrowest that holds them."""
    base = int(values.min()) if values.size else 0
    span = int(values.max()) - base if values.size else 0
    kind = next(k for k in ("<u1", "<u2", "<u4", "<i8") if span <= np.iinfo(k).max)
    return kind, base, (values - base).astype(kind)


def unpack(payload: bytes) -> Part:
    """A page's clocks and records, as `pack` took them."""
    if not payload.startswith(MAGIC):
        raise ValueError("not a clock page of this version")
    at = len(MAGIC)
    (size,) = struct.unpack_from("<I", payload, at)
    header = json.loads(payload[at + 4 : at + 4 + size])
    at += 4 + size
    columns = []
    for kind, base, count in header["columns"]:
        found = np.frombuffer(payload, dtype=kind, count=count, offset=at)
        at += found.nbytes
        columns.append(found.astype(np.int64) + base)
    names = _INTS + _SMALL
    values: dict[str, Any] = dict(zip(names, columns, strict=False))
    for name in _SMALL:
        values[name] = values[name].astype(np.int8)
    codes = columns[len(names) : len(names) + len(_DIMENSIONS)]
    for name, code in zip(_DIMENSIONS, codes, strict=True):
        values[name] = Dimension(code, tuple(header[name]))
    records = PeriodRecords(columns[-1], header["label"], header["source"], header["amount"])
    return PeriodClocks(**values), records


def _merged(parts: list[Part], start: int, end: int, judge: int) -> Part:
    """The parts' clocks that started in [start, end), in id order (as `period_clocks`: the
    version, evaluation and due instants only of clocks open or judged after `judge`), and
    the records of those clocks, ascending by id."""
    picked = [
        (c.rows(np.flatnonzero((c.started_at >= start) & (c.started_at < end))), r)
        for c, r in parts
    ]
    columns: dict[str, Any] = {
        name: np.concatenate([getattr(c, name) for c, _ in picked]) for name in (*_INTS, *_SMALL)
    }
    order = np.argsort(columns["id"], kind="stable")
    columns = {name: values[order] for name, values in columns.items()}
    for name in _DIMENSIONS:
        columns[name] = _joined([getattr(c, name) for c, _ in picked], order)
    status = columns["status"]
    quiet = ~np.isin(status, OPEN_STATUSES) & (columns["evaluated_at"] <= judge)
    columns["version"][quiet], columns["evaluated_at"][quiet], columns["due_at"][quiet] = -1, 0, -1
    clocks = PeriodClocks(**columns)
    return clocks, _joined_records([r for _, r in picked], clocks.record_id)


def _joined(dimensions: list[Dimension], order: I64) -> Dimension:
    """One dimension of several parts' rows (taken in `order`), labels by first use."""
    labels: dict[Any, int] = {}
    codes = []
    for found in dimensions:
        lookup = np.array(
            [labels.setdefault(label, len(labels)) for label in found.labels] + [-1],
            dtype=np.int64,
        )
        codes.append(lookup[np.where(found.codes < 0, len(found.labels), found.codes)])
    joined = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    return by_first_use(joined[order], list(labels))


def _joined_records(parts: list[PeriodRecords], used: I64) -> PeriodRecords:
    """The records of several parts that `used` names, once each, ascending by id."""
    ids = np.concatenate([r.id for r in parts]) if parts else np.zeros(0, np.int64)
    unique, first = np.unique(ids, return_index=True)
    keep = np.isin(unique, used)
    pick = _picker(first[keep].tolist())
    label, source, amount = (
        pick(list(chain.from_iterable(getattr(r, name) for r in parts)))
        for name in ("label", "source", "amount")
    )
    return PeriodRecords(unique[keep], label, source, amount)
