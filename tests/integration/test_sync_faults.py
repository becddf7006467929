"""HubSpot sync when the API misbehaves: 429 policies, 401, 5xx, bad JSON, drops, a killed run."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, inspect, select, text

from slaapp.infra.secrets import connection_token, default_store
from slaapp.models.tables import Base, Event, Record, SyncRun
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.mapping import default_mapping
from slaapp.sync.service import sync_history, sync_source
from slaapp.sync.sources import ConnectOptions
from slaapp.sync.store import STALE_SECONDS, load_cursor

from .fake_hubspot import TOKEN, Fault, fake_hubspot, seed_org

NOW = 1_764_500_000


@pytest.fixture
def hubspot(database):
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=450)
        mapping = default_mapping()
        contacts_only = type(mapping)({"contacts": mapping.objects["contacts"]}, "")
        save_connection(
            database,
            Connection("crm", "hubspot", url=url, mapping=contacts_only.to_document()),
            NOW,
        )
        default_store().set(connection_token("crm"), TOKEN)
        yield state


def run(database, waits: list[float] | None = None):
    waits = waits if waits is not None else []
    return sync_source(database, "crm", None, lambda: NOW,
                       options=ConnectOptions(sleep=waits.append, rand=lambda: 1.0))  # fmt: skip


def records(database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


def no_duplicates(database) -> int:
    with database.session() as session:
        keys = session.execute(select(Event.record_id, Event.name, Event.occurred_at)).all()
    assert len(keys) == len(set(keys))
    return len(keys)


@pytest.mark.parametrize(("policy", "wait"), [("SECONDLY", 1.0), ("TEN_SECONDLY_ROLLING", 10.0)])
def test_429_waits_by_policy_and_continues(database, hubspot, policy, wait):
    hubspot.faults = [Fault(f"429:{policy}", "/search", times=2)]
    waits: list[float] = []
    report = run(database, waits)
    assert report.ok, report.message
    assert waits == [wait, wait]
    assert records(database) == 450 and no_duplicates(database) == 900


def test_429_retry_after_header_wins(database, hubspot):
    hubspot.faults = [Fault("retry-after", "/search")]
    waits: list[float] = []
    assert run(database, waits).ok
    assert waits == [7.0]


def test_daily_limit_suspends_the_source_and_keeps_what_was_stored(database, hubspot):
    calls = []
    hubspot.on_search = lambda state, body: (
        calls.append(1)
        or (state.faults.append(Fault("429:DAILY", "/search")) if len(calls) == 1 else None)
    )
    report = run(database)
    assert report.state == "suspended"
    assert "daily API limit" in report.message and "resumes after midnight" in report.message
    assert records(database) == 200
    assert sync_history(database, "crm")[0].state == "suspended"
    hubspot.on_search = None
    assert run(database).ok and records(database) == 450


def test_401_fails_in_plain_words_without_retrying(database, hubspot, caplog):
    hubspot.faults = [Fault("401", "/owners")]
    caplog.set_level(logging.DEBUG)
    waits: list[float] = []
    report = run(database, waits)
    assert report.state == "failed"
    assert "access token was refused (HTTP 401)" in report.message
    assert waits == [] and len(hubspot.requests) == 1
    assert TOKEN not in report.message and TOKEN not in caplog.text


def test_other_4xx_are_not_retried(database, hubspot):
    hubspot.faults = [Fault("400", "/search")]
    report = run(database)
    assert (
        report.state == "failed"
        and "HTTP 400" in report.message
        and "scripted HTTP 400" in report.message
    )
    assert len([r for r in hubspot.requests if r.path.endswith("/search")]) == 1


def test_5xx_backs_off_with_jitter_then_gives_up_clearly(database, hubspot):
    hubspot.faults = [Fault("502", "/search", times=2)]
    waits: list[float] = []
    assert run(database, waits).ok
    assert waits == [1.0, 2.0]  # full jitter with rand()=1: base 0.5 x 2^attempt
    hubspot.faults = [Fault("503", "/search", times=10)]
    report = run(database)
    assert report.state == "failed" and "kept failing (HTTP 503) after 6 tries" in report.message


@pytest.mark.parametrize("kind", ["malformed", "drop"])
def test_malformed_json_and_a_dropped_connection_are_retried(database, hubspot, kind):
    calls = []

    def break_second_page(state, body) -> None:
        calls.append(1)
        if len(calls) == 2:
            state.faults.append(Fault(kind, "/search"))

    hubspot.on_search = break_second_page
    waits: list[float] = []
    report = run(database, waits)
    assert report.ok, report.message
    assert len(waits) == 1
    assert records(database) == 450 and no_duplicates(database) == 900


def test_persistent_bad_json_fails_and_keeps_earlier_pages(database, hubspot):
    calls = []
    hubspot.on_search = lambda state, body: (
        calls.append(1)
        or (
            state.faults.append(Fault("malformed", "/search", times=99))
            if len(calls) == 1
            else None
        )
    )
    report = run(database)
    assert report.state == "failed" and "not valid JSON" in report.message
    assert records(database) == 200
    cursor = load_cursor(database, "crm", "contacts")
    assert cursor.extra["done"] is False


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from slaapp.models.database import Database
    from slaapp.sync.connector import SyncControl
    from slaapp.sync.service import sync_source
    from slaapp.sync.sources import ConnectOptions

    def kill_after_two(progress):
        if progress.pages == 2:
            os.kill(os.getpid(), signal.SIGKILL)

    # two pages (399 new records) per transaction: killed right after the first commit
    sync_source(Database(sys.argv[1]), "crm", SyncControl(kill_after_two), lambda: int(sys.argv[2]),
                options=ConnectOptions(sleep=lambda s: None, commit_records=300))
    """
)


def test_a_killed_sync_resumes_where_it_stopped(database, hubspot, tmp_path):
    hubspot.faults = []
    script = tmp_path / "kill.py"
    script.write_text(KILLER)
    env = {**os.environ, "SLAAPP_HUBSPOT_TOKEN": TOKEN}
    done = subprocess.run(
        [sys.executable, str(script), database.url, str(NOW)], env=env, check=False
    )
    assert done.returncode == -signal.SIGKILL
    assert (
        records(database) == 399
    )  # two pages committed with their cursor (page 2 re-reads one tie)
    cursor = load_cursor(database, "crm", "contacts")
    assert (
        cursor.extra["done"] is False and cursor.watermark == (1_764_000_000_000 + 398_000) // 1000
    )

    searches = len(hubspot.requests)
    later = run(database)  # the killed process is gone from this host: taken over at once
    assert later.ok, later.message
    assert records(database) == 450 and no_duplicates(database) == 900
    first = next(r for r in hubspot.requests[searches:] if r.path.endswith("/search"))
    assert first.body["filterGroups"][0]["filters"][0]["value"] == str(1_764_000_398_000)
    with database.session() as session:
        states = [r.state for r in session.scalars(select(SyncRun).order_by(SyncRun.id))]
    assert states == ["interrupted", "ok"]


def _hold_lock(database, host: str, pid: int, beat: int) -> None:
    from slaapp.models.tables import SyncCursor

    with database.session() as session:
        session.add(SyncRun(source="crm", started_at=beat, state="running"))
        session.flush()
        run_id = session.scalar(select(func.max(SyncRun.id)))
        session.add(SyncCursor(source="crm", stream="~run", watermark=beat, updated_at=beat,
                               extra={"run": run_id, "host": host, "pid": pid}))  # fmt: skip


def test_a_lock_of_another_host_expires_after_two_minutes_without_heartbeat(database, hubspot):
    _hold_lock(database, "other-host", 4242, NOW - STALE_SECONDS + 5)
    busy = run(database)
    assert busy.state == "busy"
    assert "process 4242 on other-host" in busy.message and "2 minutes" in busy.message
    later = sync_source(database, "crm", None, lambda: NOW + 6,
                        options=ConnectOptions(sleep=lambda s: None))  # fmt: skip
    assert later.ok, later.message
    assert STALE_SECONDS == 120


def test_a_live_process_on_this_host_keeps_its_lock(database, hubspot):
    import socket

    _hold_lock(database, socket.gethostname(), os.getppid(), NOW - 5)  # our parent lives
    busy = run(database)
    assert busy.state == "busy" and f"process {os.getppid()} on this computer" in busy.message
    assert records(database) == 0


def test_the_token_is_in_no_table_and_no_log(database, hubspot, caplog):
    caplog.set_level(logging.DEBUG)
    hubspot.faults = [Fault("429:SECONDLY", "/search"), Fault("502", "/owners")]
    assert run(database).ok
    hubspot.faults = [Fault("401", "/search")]
    assert run(database).state == "failed"
    assert TOKEN not in caplog.text
    found = []
    with database.session() as session:
        tables = set(inspect(database.engine).get_table_names())
        assert tables >= set(Base.metadata.tables)  # every table of the schema is scanned
        for table in Base.metadata.sorted_tables:
            names = [c.name for c in table.columns]
            for row in session.execute(select(table)).all():
                for name, value in zip(names, row, strict=True):
                    if value is not None and TOKEN in str(value):
                        found.append(f"{table.name}.{name}")
        assert session.scalar(text("SELECT count(*) FROM settings")) >= 1
    assert found == []
