"""Pages of closed clocks give exactly the table's read, and any change to a day's clocks or their records retires its page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import func, select, text, update

from slaapp.engine.eventlog import EventLogBuilder
from slaapp.models.clock_columns import PeriodClocks, PeriodRecords, period_clocks, period_records
from slaapp.models.clock_pages import DAY, Page, keep_pages, pack, read_period, unpack
from slaapp.models.matrices import load_version
from slaapp.models.tables import Clock, ClockDay, ClockPage, Record, table_of
from slaapp.services.dashboard import DashboardFilter, load_dashboard
from slaapp.services.demo_org import load_demo
from slaapp.services.store import store_log

HOUR = 3600


@pytest.fixture
def demo(database):
    load_demo(database, seed=7, days=21)
    with database.session() as session:
        now = int(session.scalar(select(func.max(Clock.evaluated_at))))
        first = int(session.scalar(select(func.min(Clock.started_at))))
    return database, first, now


def local_bounds(first: date, last: date, zone: str) -> tuple[int, int]:
    """[start, end) of local days in a zone whose midnights are not UTC's."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, datetime.min.time(), tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
    return int(start.timestamp()), int(end.timestamp())


def assert_same(clocks: PeriodClocks, records: PeriodRecords, database, start, end, judge):
    """The read equals `period_clocks` and `period_records` straight from the table."""
    with database.session() as session:
        want = period_clocks(session.connection(), start, end, judge)
        want_records = period_records(session.connection(), start, end)
    assert len(clocks) == len(want) > 0
    for name, value in vars(want).items():
        got = getattr(clocks, name)
        if isinstance(value, np.ndarray):
            assert got.dtype == value.dtype, name
            assert np.array_equal(got, value), name
        else:
            assert got.labels == value.labels, name
            assert np.array_equal(got.codes, value.codes), name
    assert np.array_equal(records.id, want_records.id)
    assert records.label == want_records.label
    assert records.source == want_records.source
    assert records.amount == want_records.amount


def read(database, start: int, end: int, judge: int):
    with database.session() as session:
        return read_period(session.connection(), start, end, judge)


def days_of(database) -> dict[int, int]:
    with database.session() as session:
        return dict(session.execute(select(ClockDay.day, ClockDay.generation)).all())


def test_pages_give_the_tables_read_for_any_period_and_judging_instant(demo) -> None:
    database, first, now = demo
    today = datetime.fromtimestamp(now, UTC).date()
    start, end = local_bounds(today - timedelta(days=12), today, "America/Los_Angeles")
    cold = read(database, start, end, now)
    assert cold.built  # nothing kept yet: every day read from the table and packed
    assert {p.day for p in cold.built} <= set(range(start // DAY, (end - 1) // DAY + 1))
    assert keep_pages(database, cold.built) == len(cold.built)
    warm = read(database, start, end, now)
    assert warm.built == ()  # every closed clock from a page
    assert_same(warm.clocks, warm.records, database, start, end, now)
    assert_same(cold.clocks, cold.records, database, start, end, now)
    # A past period judged at its end: clocks judged later carry their evaluation instant.
    past_start, past_end = local_bounds(today - timedelta(days=10), today - timedelta(days=4),
                                        "Asia/Kolkata")  # fmt: skip
    past = read(database, past_start, past_end, past_end)
    assert past.built == ()
    assert (past.clocks.evaluated_at > past_end).any()
    assert_same(past.clocks, past.records, database, past_start, past_end, past_end)
    nothing = read(database, first - 10 * DAY, first - 9 * DAY, now)
    assert len(nothing.clocks) == 0 and nothing.built == ()


def test_a_new_event_retires_the_pages_of_its_records_days_only(demo) -> None:
    database, _, now = demo
    today = datetime.fromtimestamp(now, UTC).date()
    start, end = local_bounds(today - timedelta(days=14), today, "UTC")
    keep_pages(database, read(database, start, end, now).built)
    before = days_of(database)
    with database.session() as session:
        _, matrix = load_version(session)
        record_id, external, handoff = session.execute(
            select(Record.id, Record.external_id, Clock.handoff)
            .join(Clock, Clock.record_id == Record.id)
            .where(Clock.is_open)
            .limit(1)
        ).one()
        touched = {
            int(s) // DAY
            for s in session.scalars(select(Clock.started_at).where(Clock.record_id == record_id))
        }
    builder = EventLogBuilder()
    builder.add(external, matrix.handoff(handoff).stop, now - HOUR)  # closes its open clock
    store_log(database, builder.build(), source="demo", at=now)
    after = days_of(database)
    changed = {day for day in after if after[day] != before.get(day)}
    assert touched <= changed  # its clocks were rewritten: deleted and inserted again
    assert len(changed) < len(after)  # the other days keep their pages
    again = read(database, start, end, now)
    assert {p.day for p in again.built} == changed & {p for p in before if start // DAY <= p}
    assert_same(again.clocks, again.records, database, start, end, now)
    keep_pages(database, again.built)  # and the retired pages outside the period are gone
    with database.session() as session:
        stored = dict(session.execute(select(ClockPage.day, ClockPage.generation)).all())
    assert stored and all(after[day] == generation for day, generation in stored.items())


def test_renaming_a_record_retires_its_pages_and_shows_the_new_name(demo) -> None:
    database, _, now = demo
    today = datetime.fromtimestamp(now, UTC).date()
    chosen = DashboardFilter(today - timedelta(days=20), today)
    load_dashboard(database, chosen, now)
    with database.session() as session:
        record_id = session.scalar(
            select(Clock.record_id)
            .where(Clock.status == "met", Clock.started_at > now - 10 * 86400)
            .order_by(Clock.id)
            .limit(1)
        )
        record = session.get(Record, record_id)
        assert record is not None
        session.execute(
            update(table_of(Record))
            .where(table_of(Record).c.id == record_id)
            .values(name="Renamed Ltd", attributes={**record.attributes, "source": "Webinar"})
        )
    shown = load_dashboard(database, chosen, now)
    rows = np.flatnonzero(shown.record_id == record_id)
    assert rows.size
    assert all(shown.record.labels[c].endswith("Renamed Ltd") for c in shown.record.codes[rows])
    assert {shown.source.labels[c] for c in shown.source.codes[rows]} == {"Webinar"}
    # An update that changes none of label, source or amount keeps every page.
    before = days_of(database)
    with database.session() as session:
        session.execute(update(table_of(Record)).values(reevaluate_at=None))
    assert days_of(database) == before


def test_a_page_read_at_an_older_generation_is_never_kept(demo) -> None:
    database, _, now = demo
    today = datetime.fromtimestamp(now, UTC).date()
    start, end = local_bounds(today - timedelta(days=3), today, "UTC")
    built = read(database, start, end, now).built
    assert built
    with database.session() as session:  # a writer changes a day after it was read
        clock = session.scalar(
            select(Clock).where(Clock.started_at >= built[0].day * DAY).order_by(Clock.started_at)
        )
        assert clock is not None and clock.started_at // DAY == built[0].day
        clock.elapsed_seconds += 1
    assert keep_pages(database, built) == len(built) - 1
    with database.session() as session:
        kept = set(session.scalars(select(ClockPage.day)))
    assert built[0].day not in kept
    again = read(database, start, end, now)
    assert [p.day for p in again.built] == [built[0].day]
    assert_same(again.clocks, again.records, database, start, end, now)


def test_without_its_triggers_the_database_keeps_no_page(demo) -> None:
    database, _, now = demo
    today = datetime.fromtimestamp(now, UTC).date()
    start, end = local_bounds(today - timedelta(days=5), today, "UTC")
    keep_pages(database, read(database, start, end, now).built)
    postgres = not database.is_sqlite
    with database.session() as session:
        on = " ON records" if postgres else ""
        session.execute(text(f"DROP TRIGGER slaapp_clock_days_record{on}"))
    found = read(database, start, end, now)
    assert found.built == ()  # straight from the table, pages ignored
    assert_same(found.clocks, found.records, database, start, end, now)


def test_truncating_the_clocks_retires_every_page(demo) -> None:
    database, _, now = demo
    if database.is_sqlite:
        pytest.skip("SQLite has no TRUNCATE (a DELETE fires the row triggers)")
    today = datetime.fromtimestamp(now, UTC).date()
    start, end = local_bounds(today - timedelta(days=5), today, "UTC")
    keep_pages(database, read(database, start, end, now).built)
    assert len(read(database, start, end, now).clocks) > 0
    with database.session() as session:
        session.execute(text("TRUNCATE clocks CASCADE"))
    found = read(database, start, end, now)
    assert len(found.clocks) == 0 and len(found.records.id) == 0


def test_a_page_holds_text_with_any_character() -> None:
    from slaapp.engine.metrics_dashboard import Dimension

    n = 3
    ints = {name: np.arange(n, dtype=np.int64) + 7 for name in ("id", "record_id", "started_at",
            "target", "elapsed", "version", "evaluated_at", "due_at")}  # fmt: skip
    clocks = PeriodClocks(
        **ints, quality=np.array([-1, 0, 1], np.int8), status=np.array([4, 5, 6], np.int8),
        handoff=Dimension(np.array([0, 0, 1]), ("a\x1fb", "ü\n\"")),
        segment=Dimension(np.array([0, 0, 0]), ("",)),
        owner=Dimension(np.array([-1, 0, -1]), ("o@x",)),
    )  # fmt: skip
    records = PeriodRecords(
        np.array([7, 8, 9]), ["x\x1e", "😀", "z"], [None, "s", ""], ["1", None, "$2"]
    )
    back_clocks, back_records = unpack(pack(clocks, records))
    for name, value in vars(clocks).items():
        got = getattr(back_clocks, name)
        if isinstance(value, np.ndarray):
            assert np.array_equal(got, value) and got.dtype == value.dtype
        else:
            assert got.labels == value.labels and np.array_equal(got.codes, value.codes)
    assert back_records.label == records.label and back_records.source == records.source
    assert back_records.amount == records.amount
    with pytest.raises(ValueError, match="not a clock page"):
        unpack(b"something else")
    assert Page(1, 1, b"").day == 1


def test_a_page_that_cannot_be_read_is_read_again_from_the_table(demo) -> None:
    database, _, now = demo
    today = datetime.fromtimestamp(now, UTC).date()
    start, end = local_bounds(today - timedelta(days=4), today, "UTC")
    built = read(database, start, end, now).built
    keep_pages(database, built)
    broken = {built[0].day: b"slaapp clock page 2\n\x00\x00", built[1].day: b"page 1"}
    with database.session() as session:
        for day, payload in broken.items():
            session.execute(update(ClockPage).where(ClockPage.day == day).values(payload=payload))
    again = read(database, start, end, now)
    assert sorted(p.day for p in again.built) == sorted(broken)
    assert_same(again.clocks, again.records, database, start, end, now)
