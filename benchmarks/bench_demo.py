"""`slaapp demo --days 365` into a fresh SQLite file: the command's wall time, then its two stages."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from benchmarks import Summary, line, rate, timed
from slaapp.demo.org import generate_demo
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import Database
from slaapp.models.tables import Clock, Event, Record
from slaapp.services.store import store_log

BUDGET = 10.0


def run(days: int = 365) -> list[Summary]:
    print(f"\n== demo org: `slaapp demo --days {days}` into a fresh SQLite file")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        command = [sys.executable, "-m", "slaapp", "demo", "--days", str(days), "--db", url]
        total, done = timed(lambda: subprocess.run(command, capture_output=True, text=True))
        database = Database(url)
        with database.session() as session:
            events, records, clocks = (
                int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in (Event, Record, Clock)
            )
        database.dispose()
        generate, org = timed(
            lambda: generate_demo(seed=7, days=days, matrix=load_matrix(DEFAULT_MATRIX))
        )
        database = Database(f"sqlite:///{Path(folder) / 'stages.db'}")
        database.migrate()
        store, _ = timed(lambda: store_log(database, org.log, source="demo", at=org.now))
        database.dispose()
    if done.returncode != 0:
        print(f"  FAILED: {done.stderr.strip()[-500:]}")
    line("", "seconds", "events/s", "")
    line("slaapp demo (the command, fresh file)", f"{total:.2f}", rate(events, total), "")
    line("  generate the org (in process)", f"{generate:.2f}", rate(len(org.log), generate), "")
    line("  store and judge it (in process)", f"{store:.2f}", rate(len(org.log), store), "")
    print(f"  {records:,} records, {events:,} events, {clocks:,} clocks stored; "
          f"budget {BUDGET:.0f} s: {total:.2f} s" + ("" if total <= BUDGET else "   OVER BUDGET"))  # fmt: skip
    ok = total <= BUDGET and done.returncode == 0
    return [Summary(f"slaapp demo --days {days} (SQLite)", f"{total:.2f} s", "-", None,
                    f"< {BUDGET:.0f} s", ok)]  # fmt: skip
