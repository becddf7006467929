"""The dashboard's column-wise read equals the stored rows, separators and deleted records included."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import func, select, update

from slaapp.engine.clocks import OPEN_STATUSES, STATUSES
from slaapp.models.clock_columns import PeriodRecords, period_clocks, period_records
from slaapp.models.tables import Clock, Record
from slaapp.services.dashboard import NO_SOURCE, DashboardFilter, _record_columns, dashboard_data
from slaapp.services.demo_org import load_demo

DAY = 86_400


@pytest.fixture
def demo(database):
    load_demo(database, seed=5, days=21)
    with database.session() as session:
        now = int(session.scalar(select(func.max(Clock.evaluated_at))))
        first = int(session.scalar(select(func.min(Clock.started_at))))
    return database, first, now


def expected(session, start: int, end: int) -> dict[int, tuple]:
    """Each clock of the period from the ORM, one row at a time."""
    rows = session.execute(
        select(Clock, Record)
        .join(Record, Clock.record_id == Record.id)
        .where(Clock.started_at >= start, Clock.started_at < end)
    ).all()
    found = {}
    for clock, record in rows:
        name, external = record.name, record.external_id
        label = f"{external} — {name}" if name and name != external else external
        source = (record.attributes or {}).get("source")
        amount = (record.attributes or {}).get("amount")
        found[clock.id] = (
            clock.record_id, clock.handoff, clock.segment, clock.owner, clock.started_at,
            clock.target_seconds, clock.elapsed_seconds, clock.status,
            -1 if clock.quality_ok is None else int(clock.quality_ok),
            label, str(source) if source is not None else None,
            number(amount),
        )  # fmt: skip
    return found


def number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def read(session, start: int, end: int, judge: int) -> dict[int, tuple]:
    """The same clocks through the column-wise read."""
    connection = session.connection()
    c = period_clocks(connection, start, end, judge)
    r = period_records(connection, start, end)
    at = np.searchsorted(r.id, c.record_id)
    found = {}
    for i in range(len(c)):
        owner = int(c.owner.codes[i])
        found[int(c.id[i])] = (
            int(c.record_id[i]), c.handoff.labels[c.handoff.codes[i]],
            c.segment.labels[c.segment.codes[i]], None if owner < 0 else c.owner.labels[owner],
            int(c.started_at[i]), int(c.target[i]), int(c.elapsed[i]), STATUSES[c.status[i]],
            int(c.quality[i]), r.label[at[i]], r.source[at[i]], number(r.amount[at[i]]),
        )  # fmt: skip
    return found


def same(a: dict[int, tuple], b: dict[int, tuple]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        left, right = a[key], b[key]
        assert left[:-1] == right[:-1], (key, left, right)
        assert (math.isnan(left[-1]) and math.isnan(right[-1])) or left[-1] == right[-1]


def test_column_read_equals_the_stored_rows(demo) -> None:
    database, first, now = demo
    with database.session() as session:
        start, end = first + 3 * DAY, now
        found = read(session, start, end, now)
        same(found, expected(session, start, end))
        assert len(found) > 1000
        assert list(found) == sorted(found)  # in id order
        c = period_clocks(session.connection(), start, end, now)
        # what judging again needs is read for the open clocks, and only for them
        open_rows = np.isin(c.status, OPEN_STATUSES)
        assert open_rows.any() and (c.version[open_rows] >= 1).all()
        assert (c.evaluated_at[open_rows] > 0).all() and (c.version[~open_rows] == -1).all()
        # no clock in an empty period
        empty = period_clocks(session.connection(), end + DAY, end + 2 * DAY, now)
        assert (
            len(empty) == 0
            and len(period_records(session.connection(), end + DAY, end + 2 * DAY).id) == 0
        )


def test_text_holding_a_separator_is_read_row_by_row_and_exactly(demo) -> None:
    database, first, now = demo
    with database.session() as session:
        record = session.scalar(select(Record).order_by(Record.id).limit(1))
        clock = session.scalar(select(Clock).where(Clock.record_id == record.id).limit(1))
        record.name = "Acme\x1fCorp, \x1e Ltd"
        record.attributes = {
            **(record.attributes or {}),
            "source": "Web\x1fForm",
            "amount": "$1,250",
        }
        session.execute(update(Clock).where(Clock.id == clock.id).values(owner="odd\x1fowner"))
        external, clock_id = record.external_id, clock.id
    with database.session() as session:
        start, end = first, now + DAY
        found = read(session, start, end, now)
        stored = expected(session, start, end)
        same(found, stored)
        assert found[clock_id][3] == "odd\x1fowner"
        assert found[clock_id][9] == f"{external} — Acme\x1fCorp, \x1e Ltd"
        # the dashboard reads "$1,250" as 1250 and keeps the source as written
        when = datetime.fromtimestamp(start, UTC).date()
        data = dashboard_data(
            session, DashboardFilter(when, datetime.fromtimestamp(now, UTC).date()), now
        )
        row = int(np.flatnonzero(data.clock_id == clock_id)[0])
        assert data.amount[row] == 1250.0
        assert data.source.labels[data.source.codes[row]] == "Web\x1fForm"
        assert data.owner_keys[data.owner.codes[row]] == "odd\x1fowner"


def test_a_record_gone_since_the_clocks_were_read_keeps_its_id() -> None:
    clocks_record = np.array([7, 3, 7, 9], dtype=np.int64)

    class Clocks:
        record_id = clocks_record

    records = PeriodRecords(np.array([3, 7], dtype=np.int64), ["A-3", "B-7 — Beta"], ["Web", None],
                            ["100", "2,5"])  # fmt: skip
    codes, labels, sources, source_labels, amounts = _record_columns(Clocks(), records)  # type: ignore[arg-type]
    assert [labels[c] for c in codes] == ["B-7 — Beta", "A-3", "B-7 — Beta", "record 9"]
    assert [source_labels[s] for s in sources] == [NO_SOURCE, "Web", NO_SOURCE, NO_SOURCE]
    assert amounts[1] == 100.0 and amounts[0] == 25.0 and math.isnan(amounts[3])
