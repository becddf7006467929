"""HubSpot sync of 100,000 contacts from the local fake into SQLite, against one import of its events."""

from __future__ import annotations

import gc
import multiprocessing
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection as Connection_
from pathlib import Path
from typing import Any

import keyring

from benchmarks import Summary, line, rate, timed
from slaapp.engine.eventlog import event_log
from slaapp.infra.secrets import connection_token, default_store
from slaapp.models.database import open_database
from slaapp.services.store import store_log
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.connector import Cursor, Progress, SyncControl
from slaapp.sync.mapping import CrmMapping, default_mapping
from slaapp.sync.service import open_connector, sync_source
from tests.integration.fake_hubspot import TOKEN, fake_hubspot, seed_org
from tests.memory_keyring import MemoryKeyring

CONTACTS = 100_000
NOW = 1_764_500_000
RATIO_BUDGET = 3.0
BUDGET_SECONDS = 10.0
CANCEL_AT = 25
"""The issue's target: a margin under DESIGN's 15 s budget for 100,000 records."""


def _database(folder: Path, name: str, url: str):  # type: ignore[no-untyped-def]
    database = open_database(f"sqlite:///{folder / name}")
    mapping = default_mapping()
    doc = CrmMapping({"contacts": mapping.objects["contacts"]}, "").to_document()
    save_connection(database, Connection("crm", "hubspot", url=url, mapping=doc), NOW)
    return database


# HubSpot's search API: 5 requests/s at 200 records each; a real sync cannot go faster.
HUBSPOT_RECORDS_PER_S = 5 * 200


def _serve(connection: Connection_, contacts: int) -> None:
    """The fake HubSpot in its own process, so its CPU time is not counted as the sync's."""
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=contacts)
        connection.send(url)
        while connection.recv() == "count":  # serves until the benchmark ends the process
            connection.send(len(state.requests))


@contextmanager
def _fake_process(contacts: int) -> Iterator[tuple[str, Callable[[], int]]]:
    """(base URL, a function giving the number of requests served so far) of a fake server process."""
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(theirs, contacts), daemon=True
    )
    process.start()
    try:
        url = ours.recv()

        def served() -> int:
            ours.send("count")
            return int(ours.recv())

        yield url, served
    finally:
        process.kill()
        process.join(10)


def _event_keys(database) -> list[tuple[str, str, int, str | None]]:  # type: ignore[no-untyped-def]
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT r.external_id, e.name, e.occurred_at, e.owner FROM events e "
            "JOIN records r ON r.id = e.record_id"
        ).fetchall()
    return sorted(tuple(r) for r in rows)


def _resumed(folder: Path, url: str) -> tuple[int, Any]:
    """A sync cancelled after its 25th page (two commits and a half), then resumed."""
    database = _database(folder, "resumed.db", url)
    pages: list[int] = []

    def stop(progress: Progress) -> None:
        pages.append(progress.pages)
        if len(pages) == CANCEL_AT:
            control.cancel()

    control = SyncControl(stop)
    first = sync_source(database, "crm", control, lambda: NOW)
    assert first.state == "cancelled", first.message
    again = sync_source(database, "crm", None, lambda: NOW)
    assert again.ok, again.message
    return len(pages), database


def run() -> list[Summary]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        with tempfile.TemporaryDirectory() as tmp, _fake_process(CONTACTS) as (url, served):
            gc.collect()
            gc.freeze()
            default_store().set(connection_token("crm"), TOKEN)
            folder = Path(tmp)
            synced = _database(folder, "sync.db", url)
            pages: list[int] = []
            seconds, report = timed(
                lambda: sync_source(
                    synced, "crm", SyncControl(lambda p: pages.append(p.pages)), lambda: NOW
                )
            )
            requests = served()
            imported = _database(folder, "import.db", url)
            connector = open_connector(imported, "crm")
            connector.reference_data()
            fetched = list(connector.fetch_changes("contacts", Cursor(), SyncControl()))
            log = event_log(e for page in fetched for e in page.events)
            baseline, _ = timed(lambda: store_log(imported, log, source="crm", at=NOW))
            before_kill, resumed = _resumed(folder, url)
            exact = _event_keys(resumed) == _event_keys(synced)
            for database in (synced, imported, resumed):
                database.dispose()
            gc.unfreeze()
    finally:
        keyring.set_keyring(previous)
    ratio = seconds / baseline
    print(
        f"\nHubSpot sync of {CONTACTS:,} contacts from the local fake (200 per page, its own "
        "process) into SQLite"
    )
    line("", "sync", "one import")
    line("wall time", f"{seconds:.2f} s", f"{baseline:.2f} s")
    line("records", rate(report.records, seconds), rate(CONTACTS, baseline))
    line("HTTP requests / pages", f"{requests:,} / {pages[-1]:,}", "-")
    line(f"cancelled after {before_kill} pages, resumed: events", "identical" if exact
         else "DIFFERENT", "-")  # fmt: skip
    return [
        Summary(
            f"HubSpot sync, {CONTACTS:,} contacts (2,000 records a commit)",
            f"{seconds:.2f} s",
            f"{baseline:.2f} s one import",
            ratio,
            f"< {BUDGET_SECONDS:.0f} s, <= {RATIO_BUDGET:.0f}x one import",
            seconds < BUDGET_SECONDS and ratio <= RATIO_BUDGET,
            identical=report.ok and report.records == CONTACTS and exact,
        ),
        Summary(
            "HubSpot's search limit for the same records (5 searches/s)",
            f"{CONTACTS / HUBSPOT_RECORDS_PER_S:.0f} s",
            "-",
            None,
            "-",
            None,
        ),
    ]
