"""The dashboard read from stored clocks equals the dashboard after a full re-evaluation, whatever went stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete, func, select

from slaapp.engine.clocks import STATUSES
from slaapp.engine.eventlog import EventLogBuilder
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.matrices import load_version, publish
from slaapp.models.tables import Clock, Record, table_of
from slaapp.services.dashboard import (
    DashboardData,
    DashboardFilter,
    dashboard_data,
    load_dashboard,
)
from slaapp.services.demo_org import load_demo
from slaapp.services.store import store_log

HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def demo(database):
    load_demo(database, seed=11, days=21)
    with database.session() as session:
        now = int(session.scalar(select(func.max(Clock.evaluated_at))))
    today = datetime.fromtimestamp(now, UTC).date()
    load_dashboard(database, DashboardFilter(today - timedelta(days=30), today), now)  # pages
    return database, now


def facts(data: DashboardData) -> dict[tuple[int, str, int], tuple]:
    """Every clock of the dashboard by (record id, handoff, start), with what it shows of it."""
    c = data.columns
    found = {}
    for i in range(len(data)):
        owner = int(data.owner.codes[i])
        key = (
            int(data.record_id[i]),
            data.handoff_keys[data.handoff.codes[i]],
            int(c.started_at[i]),
        )
        found[key] = (
            STATUSES[c.status[i]], int(c.elapsed[i]), int(c.target[i]), int(c.quality[i]),
            data.segment_keys[data.segment.codes[i]], None if owner < 0 else data.owner_keys[owner],
            data.record.labels[data.record.codes[i]], data.source.labels[data.source.codes[i]],
        )  # fmt: skip
    return found


def same_as_full(database, chosen: DashboardFilter, at: int) -> DashboardData:
    """The dashboard at `at` from the stored clocks (closed ones from the pages the fixture
    kept, where the change left them current), checked against the one read after every
    record was evaluated again from its events and stored (at the instant the period is judged)."""
    quick = load_dashboard(database, chosen, at)
    with database.session() as session:
        refresh_clocks(session, quick.as_of, None)
    with database.session() as session:
        full = dashboard_data(session, chosen, at)
    assert quick.as_of == full.as_of
    fast, slow = facts(quick), facts(full)
    assert fast.keys() == slow.keys()
    wrong = [(k, fast[k], slow[k]) for k in slow if fast[k] != slow[k]]
    assert not wrong, wrong[:5]
    summary = ("clocks", "met", "missed", "late", "open")
    for name in summary:
        assert (
            getattr(quick.metrics.summary, name).tolist()
            == getattr(full.metrics.summary, name).tolist()
        )
    assert quick.metrics.heat.breaches.tolist() == full.metrics.heat.breaches.tolist()
    return quick


def last_days(at: int, days: int = 7) -> DashboardFilter:
    today = datetime.fromtimestamp(at, UTC).date()
    return DashboardFilter(today - timedelta(days=days), today + timedelta(days=1))


def test_events_dated_after_the_evaluation_stop_and_start_clocks_when_due(demo) -> None:
    database, now = demo
    with database.session() as session:
        _, matrix = load_version(session)
        record, handoff, started = session.execute(
            select(Record.external_id, Clock.handoff, Clock.started_at)
            .join(Record, Record.id == Clock.record_id)
            .where(Clock.is_open, Clock.started_at > now - 3 * DAY)
            .limit(1)
        ).one()
    builder = EventLogBuilder()
    builder.add(record, matrix.handoff(handoff).stop, now + HOUR)  # stops an open clock later
    builder.add("L-FUTURE", matrix.handoffs[0].start, now + 2 * HOUR, owner="late@example.com")
    store_log(database, builder.build(), source="demo", at=now)
    shown = same_as_full(database, last_days(now), now + 3 * HOUR)
    labels = set(shown.record.labels)
    assert "L-FUTURE" in labels  # started by an event stored before its time came
    stopped = [k for k, v in facts(shown).items() if k[1] == handoff and k[2] == started]
    assert stopped and all(facts(shown)[k][0] in ("met", "missed") for k in stopped)


def test_a_version_that_re_evaluates_open_clocks_is_shown_once_in_force(demo) -> None:
    database, now = demo
    with database.session() as session:
        info, matrix = load_version(session)
        first = matrix.handoffs[0]
        rules = {k: replace(r, target="5m") for k, r in first.rules.items()}
        tighter = replace(
            matrix, handoffs=(replace(first, rules=rules), *matrix.handoffs[1:]),
            _calendars=matrix._calendars,
        )  # fmt: skip
        publish(
            session, tighter, author="test", now=now, base_version=info.number,
            effective_from=now + HOUR, reevaluate_open=True,
        )  # fmt: skip
    same_as_full(database, last_days(now), now + 2 * HOUR)


def test_a_past_period_is_judged_at_its_end_and_a_deleted_record_is_gone(demo) -> None:
    database, now = demo
    with database.session() as session:
        victim = session.scalar(select(Record.id).order_by(Record.id.desc()).limit(1))
        session.execute(delete(table_of(Record)).where(table_of(Record).c.id == victim))
    today = datetime.fromtimestamp(now, UTC).date()
    past = DashboardFilter(today - timedelta(days=14), today - timedelta(days=7))
    shown = same_as_full(database, past, now)
    assert shown.as_of < now and len(shown) > 100
    assert victim not in shown.record_id.tolist()
    assert (np.isin(shown.columns.status, [0, 1, 2, 3])).any()  # open at the period's end
