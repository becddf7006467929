"""Team mode across processes on PostgreSQL: NOTIFY after a sync, and the service stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from slaapp.importers.bundled import RESOURCES
from slaapp.models.database import Database
from slaapp.services.worker_beat import live_service
from slaapp.services.worker_listen import DataListener
from slaapp.sync.connections import Connection, save_connection

from .conftest import PG_URL, _reset_postgres

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "Record ID,Contact owner,Became a Marketing Qualified Lead Date,HubSpot Owner Assigned Date,"
    "Date of first engagement,Became a Sales Qualified Lead Date,Lifecycle Stage\n"
)


@pytest.fixture
def pg() -> Database:
    try:
        _reset_postgres(PG_URL)
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable ({type(exc).__name__}); set SLAAPP_TEST_PG")
    database = Database(PG_URL)
    database.migrate()
    yield database
    database.dispose()


def _slaapp(*args: str, **kw) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    return subprocess.Popen([sys.executable, "-m", "slaapp", *args, "--db", PG_URL], cwd=ROOT,
                            env=env, text=True, **kw)  # fmt: skip


def test_a_sync_in_another_process_reaches_a_listener_within_a_second(pg, tmp_path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    mapping = json.loads((RESOURCES / "mappings" / "hubspot-contacts.json").read_text())
    connection = Connection("exports", "folder", folder=str(folder), mapping=mapping,
                            options={"timezone": "America/New_York"})  # fmt: skip
    save_connection(pg, connection, 1_764_500_000)
    (folder / "week1.csv").write_text(
        HEADER + "501,Ana Lopez,11/02/2026 09:00,11/02/2026 09:40,,,lead\n"
    )
    seen: list[str] = []
    landed = threading.Event()

    def note(table: str) -> None:
        seen.append(table)
        if table == "events":
            landed.set()

    listener = DataListener(pg, note)
    assert listener.start()
    try:
        save_connection(pg, connection, 1_764_500_001)  # this process's own write: no note
        sync = _slaapp("sync", "--source", "exports", "--quiet")
        assert sync.wait(120) == 0
        assert landed.wait(1.0), f"no NOTIFY within a second of the sync; saw {seen}"
    finally:
        listener.stop()
    assert {"events", "clocks"} <= set(seen)
    assert "settings" not in seen


def test_the_service_beats_and_stops_cleanly_on_sigterm(pg) -> None:
    with _slaapp("service", stdout=subprocess.PIPE, stderr=subprocess.PIPE) as service:
        try:
            assert service.stdout is not None
            line = service.stdout.readline()
            assert line.startswith("slaapp service ") and "running on" in line, line
            alive = live_service(pg, int(time.time()))
            assert alive is not None and alive.pid == service.pid
            service.send_signal(signal.SIGTERM)
            _out, err = service.communicate(timeout=60)
        finally:
            if service.poll() is None:
                service.kill()
    assert service.returncode == 0, err
    assert "slaapp service stopped" in err
    assert live_service(pg, int(time.time())) is None
