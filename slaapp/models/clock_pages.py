"""A period's clocks from packed pages of closed clocks per UTC day, rebuilt when triggers mark the day changed."""

from __future__ import annotations

import json
import logging
import struct
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection
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
    some_clocks,
)
from slaapp.models.clock_days import missing_triggers
from slaapp.models.database import Database

log = logging.getLogger(__name__)
I64 = npt.NDArray[np.int64]
DAY = 86400
MAGIC = b"slaapp clock page 1\n"
_INTS = ("id", "record_id", "started_at", "target", "elapsed", "version", "evaluated_at",
         "due_at")  # fmt: skip
_SMALL = ("quality", "status")
_DIMENSIONS = ("handoff", "segment", "owner")


@dataclass(frozen=True)
class Page:
    """One day's closed clocks packed, as read at the day's `generation`."""

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
    """The stored clocks that started in [start, end) and their records, judged as stored at
    `judge` (as `period_clocks` gives them): closed ones from the pages of their UTC days
    (a day without a current page is read and packed), open ones from the table."""
    if end <= start or not pages_kept(connection):
        return PeriodColumns(
            period_clocks(connection, start, end, judge), period_records(connection, start, end)
        )
    mark = placeholder(connection)
    days = connection.exec_driver_sql(
        "SELECT d.day, d.generation, CASE WHEN p.generation = d.generation THEN p.payload END"
        " FROM clock_days d LEFT JOIN clock_pages p ON p.day = d.day"
        f" WHERE d.day >= {mark} AND d.day <= {mark} ORDER BY d.day",
        (start // DAY, (end - 1) // DAY),
    ).fetchall()
    parts = [unpack(bytes(payload)) for _, _, payload in days if payload is not None]
    built: list[Page] = []
    for run in _runs([(int(day), int(gen)) for day, gen, payload in days if payload is None]):
        found = _read_days(connection, run)
        built += [Page(day, gen, pack(*part)) for (day, gen), part in zip(run, found, strict=True)]
        parts += found
    parts.append(
        (
            some_clocks(connection, start, end, "open"),
            period_records(connection, start, end, "open"),
        )
    )
    return PeriodColumns(*_merged(parts, start, end, judge), tuple(built))


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


Part = tuple[PeriodClocks, PeriodRecords]


def _read_days(connection: Connection, run: list[tuple[int, int]]) -> list[Part]:
    """The closed clocks and their records of consecutive days, one part per day."""
    start, end = run[0][0] * DAY, (run[-1][0] + 1) * DAY
    clocks = some_clocks(connection, start, end, "closed")
    records = period_records(connection, start, end, "closed")
    day = clocks.started_at // DAY
    parts = []
    for number, _ in run:
        rows = np.flatnonzero(day == number)
        mine = clocks.rows(rows)
        parts.append((_shrunk(mine), _records_of(records, mine.record_id)))
    return parts


def _shrunk(clocks: PeriodClocks) -> PeriodClocks:
    """The clocks with each dimension's labels reduced to the ones its rows use."""
    found: dict[str, Any] = dict(vars(clocks))
    for name in _DIMENSIONS:
        value: Dimension = found[name]
        found[name] = by_first_use(value.codes, value.labels)
    return PeriodClocks(**found)


def _records_of(records: PeriodRecords, ids: I64) -> PeriodRecords:
    """The records among `records` (ascending by id) that have an id in `ids`."""
    rows = np.flatnonzero(np.isin(records.id, ids)).tolist()
    return PeriodRecords(
        records.id[rows],
        [records.label[r] for r in rows],
        [records.source[r] for r in rows],
        [records.amount[r] for r in rows],
    )


def pack(clocks: PeriodClocks, records: PeriodRecords) -> bytes:
    """One page: a JSON header (sizes, labels, record texts), then the columns, compressed."""
    header = {
        "clocks": len(clocks),
        "records": int(records.id.size),
        **{name: list(getattr(clocks, name).labels) for name in _DIMENSIONS},
        "label": records.label,
        "source": records.source,
        "amount": records.amount,
    }
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    columns = [np.ascontiguousarray(getattr(clocks, name), "<i8") for name in _INTS]
    columns += [np.ascontiguousarray(getattr(clocks, name), "<i1") for name in _SMALL]
    columns += [np.ascontiguousarray(getattr(clocks, n).codes, "<i4") for n in _DIMENSIONS]
    columns.append(np.ascontiguousarray(records.id, "<i8"))
    body = b"".join([struct.pack("<I", len(text)), text, *(c.tobytes() for c in columns)])
    return MAGIC + zlib.compress(body, 1)


def unpack(payload: bytes) -> Part:
    """A page's clocks and records, as `pack` took them."""
    if not payload.startswith(MAGIC):
        raise ValueError("not a clock page of this version")
    body = zlib.decompress(payload[len(MAGIC) :])
    (size,) = struct.unpack_from("<I", body)
    header = json.loads(body[4 : 4 + size])
    n, r = int(header["clocks"]), int(header["records"])
    at = 4 + size

    def column(dtype: str, count: int) -> npt.NDArray[Any]:
        nonlocal at
        found = np.frombuffer(body, dtype=dtype, count=count, offset=at)
        at += found.nbytes
        return found

    found: dict[str, Any] = {name: column("<i8", n).astype(np.int64) for name in _INTS}
    found |= {name: column("<i1", n).astype(np.int8) for name in _SMALL}
    found |= {
        name: Dimension(column("<i4", n).astype(np.int64), tuple(header[name]))
        for name in _DIMENSIONS
    }
    ids = column("<i8", r).astype(np.int64)
    clocks = PeriodClocks(**found)
    return clocks, PeriodRecords(ids, header["label"], header["source"], header["amount"])


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
    rows = first[keep].tolist()
    labels = [v for r in parts for v in r.label]
    sources = [v for r in parts for v in r.source]
    amounts = [v for r in parts for v in r.amount]
    return PeriodRecords(
        unique[keep],
        [labels[i] for i in rows],
        [sources[i] for i in rows],
        [amounts[i] for i in rows],
    )
