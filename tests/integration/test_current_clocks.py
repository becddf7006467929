"""Clocks read incrementally (closed history stored, open clocks re-judged) equal a full re-evaluation."""

from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest
from sqlalchemy import delete, func, select, text, update

from slaapp.engine.eventlog import EventLogBuilder
from slaapp.models import current_clocks as current_clocks_module
from slaapp.models.current_clocks import current_clocks
from slaapp.models.evaluation import StoredClocks, stored_clocks
from slaapp.models.matrices import load_version, publish
from slaapp.models.tables import Clock, Record, table_of
from slaapp.services.demo_org import load_demo
from slaapp.services.store import store_log

HOUR = 3600
MIGRATION_0009 = importlib.import_module(
    "slaapp.models.migrations.versions.0009_incremental_clocks"
)
DAY = 24 * HOUR


def decoded(stored: StoredClocks) -> dict[tuple[int, str, int], tuple]:
    """Every clock by (record id, handoff, cycle), with all its judged values."""
    c = stored.clocks
    found = {}
    for i in range(len(c)):
        row = c.row(i)
        key = (int(stored.record_ids[c.record[i]]), row.pop("handoff"), row.pop("cycle"))
        found[key] = (*row.values(), int(stored.versions[i]))
    return found


@pytest.fixture
def demo(database):
    load_demo(database, seed=3, days=21)
    with database.session() as session:
        now = int(session.scalar(select(func.max(Clock.evaluated_at))))
    return database, now


def same_as_full(database, at: int, since: int | None = None) -> int:
    with database.session() as session:
        full = decoded(stored_clocks(session, at))
        quick = current_clocks(session, at, since)
    fast = decoded(quick)
    if since is not None:
        full = {
            k: v
            for k, v in full.items()
            if v[STATUS_AT] in OPEN_NAMES or (v[STOPPED_AT] is not None and v[STOPPED_AT] >= since)
        }
    assert fast.keys() == full.keys()
    wrong = [(k, fast[k], full[k]) for k in full if fast[k] != full[k]]
    assert not wrong, wrong[:5]
    # same order as the full evaluation: by record, handoff, cycle
    assert quick.clocks.as_of == at
    return len(full)


OPEN_NAMES = {"on_track", "at_risk", "paused", "breached"}
# positions in decoded() values: record_id, segment, owner, started_at, stopped_at, due_at, ...
STOPPED_AT = 4
STATUS_AT = 10


@pytest.mark.parametrize("later", [0, HOUR, 5 * HOUR, 2 * DAY + 3 * HOUR, 9 * DAY])
def test_open_clocks_rejudged_from_stored_columns_equal_a_full_evaluation(demo, later) -> None:
    database, now = demo
    assert same_as_full(database, now + later) > 1000
    assert same_as_full(database, now + later, since=now + later - 7 * DAY) > 100


def test_only_records_with_open_clocks_or_later_events_are_read_from_events(demo) -> None:
    database, now = demo
    with database.session() as session:
        stored_open = session.scalar(select(func.count()).select_from(Clock).where(Clock.is_open))
        result = current_clocks(session, now + HOUR, since=now)
    open_now = int(np.isin(result.clocks.status, [0, 1, 2, 3]).sum())
    assert open_now == stored_open > 0  # time alone opens or closes nothing


def test_an_event_changed_in_the_past_and_a_deleted_record(demo) -> None:
    database, now = demo
    with database.session() as session:
        open_row = session.execute(
            select(Record.external_id, Clock.handoff, Clock.started_at)
            .join(Record, Record.id == Clock.record_id)
            .where(Clock.is_open)
            .limit(1)
        ).one()
        victim = session.scalar(select(Record.id).order_by(Record.id.desc()).limit(1))
    with database.session() as session:
        _, matrix = load_version(session)
    stop = matrix.handoff(open_row[1]).stop
    builder = EventLogBuilder()
    builder.add(open_row[0], stop, open_row[2] + 60)  # stopped a minute after it started
    store_log(database, builder.build(), source="demo", at=now + HOUR)
    with database.session() as session:
        session.execute(delete(table_of(Record)).where(table_of(Record).c.id == victim))
    same_as_full(database, now + 2 * HOUR)


def test_an_event_dated_after_the_evaluation_starts_its_clock_when_its_time_comes(demo) -> None:
    database, now = demo
    with database.session() as session:
        _, matrix = load_version(session)
    handoff = matrix.handoffs[0]
    builder = EventLogBuilder()
    builder.add("L-FUTURE", handoff.start, now + 3 * HOUR, owner="someone@example.com")
    store_log(database, builder.build(), source="demo", at=now)
    for at in (now + HOUR, now + 3 * HOUR, now + 4 * HOUR):
        same_as_full(database, at)
    with database.session() as session:
        started = current_clocks(session, now + 4 * HOUR)
        assert "L-FUTURE" in started.clocks.records
        assert "L-FUTURE" not in current_clocks(session, now + HOUR).clocks.records


def test_a_version_that_re_evaluates_open_clocks_takes_them_over(demo) -> None:
    database, now = demo
    with database.session() as session:
        info, matrix = load_version(session)
        number = info.number
        first = matrix.handoffs[0]
        rules = {k: replace(r, target="30m") for k, r in first.rules.items()}
        tighter = replace(
            matrix,
            handoffs=(replace(first, rules=rules), *matrix.handoffs[1:]),
            _calendars=matrix._calendars,
        )
        publish(
            session, tighter, author="test", now=now, base_version=number,
            effective_from=now + 2 * HOUR, reevaluate_open=True,
        )  # fmt: skip
    same_as_full(database, now + HOUR)
    assert same_as_full(database, now + 3 * HOUR) > 1000
    with database.session() as session:
        versions = set(current_clocks(session, now + 3 * HOUR).versions.tolist())
    assert versions == {number, number + 1}


def store_later_lead(database, now: int) -> None:
    """A lead whose first event is dated an hour after the evaluation that stores it."""
    with database.session() as session:
        _, matrix = load_version(session)
    builder = EventLogBuilder()
    builder.add("L-LATER", matrix.handoffs[0].start, now + HOUR, owner="someone@example.com")
    store_log(database, builder.build(), source="demo", at=now)


def test_persisting_stores_the_records_evaluated_from_events(demo) -> None:
    database, now = demo
    store_later_lead(database, now)
    with database.session() as session:
        pk = session.scalar(select(Record.id).where(Record.external_id == "L-LATER"))
        assert session.get(Record, pk).reevaluate_at == now + HOUR
        current_clocks(session, now + 2 * HOUR, persist=True)
    with database.session() as session:
        assert session.get(Record, pk).reevaluate_at is None
        assert session.scalar(select(func.count()).where(Clock.record_id == pk)) == 1
    same_as_full(database, now + 2 * HOUR)


def test_migration_0009_backfill_finds_the_records_with_later_events(demo) -> None:
    database, now = demo
    store_later_lead(database, now)
    with database.engine.begin() as connection:  # as a database of revision 0008 has it
        connection.execute(update(table_of(Record)).values(reevaluate_at=None))
        connection.execute(text(MIGRATION_0009.BACKFILL))
    with database.session() as session:
        marked = session.execute(
            select(Record.external_id, Record.reevaluate_at).where(
                Record.reevaluate_at.is_not(None)
            )
        ).all()
    assert marked == [("L-LATER", now + HOUR)]
    same_as_full(database, now + 2 * HOUR)


def test_the_joined_column_read_equals_the_row_by_row_read(demo, monkeypatch) -> None:
    """Columns come back as joined strings; a CRM id or owner holding a separator must not
    shift a value: those rows are read one by one."""
    database, now = demo
    at, since = now + HOUR, now - 7 * DAY

    def read() -> dict:
        with database.session() as session:
            found = current_clocks(session, at, since=since)
        return decoded(found) | {"origins": found.origins, "owners": found.clocks.owners}

    joined = read()
    with monkeypatch.context() as patched:
        patched.setattr(current_clocks_module, "joined_columns", lambda *args: None)
        assert read() == joined
    with database.session() as session:
        record_id, owner = session.execute(
            select(Clock.record_id, Clock.owner).where(Clock.is_open).limit(1)
        ).one()
        records, clocks = table_of(Record), table_of(Clock)
        session.execute(
            update(records).where(records.c.id == record_id).values(external_id="L-\x1f-\x1e")
        )
        session.execute(
            update(clocks).where(clocks.c.owner == owner).values(owner=f"{owner}\x1f,x")
        )
    planted = read()
    assert "L-\x1f-\x1e" in {crm_id for _, crm_id in planted["origins"]}
    assert f"{owner}\x1f,x" in planted["owners"] and owner not in planted["owners"]
    assert len(planted) == len(joined)
