"""Import into SQLite and incremental re-evaluation, against raw sqlite3 and a full refresh."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from benchmarks import Summary, line, rate, timed
from benchmarks.bench_evaluate_cli import write_csv
from benchmarks.synthetic_log import AS_OF, MATRIX, build_log
from slaapp.engine.eventlog import event_log_from_columns
from slaapp.importers.event_file import read_events
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.ingest import ingest_log
from slaapp.models.matrices import publish
from slaapp.models.tables import Clock, Record

IMPORT_BUDGET = 15.0
INCREMENTAL_BUDGET = 1.0


def import_file(db: Database, path: Path) -> tuple[dict[str, float], int, int]:
    """What `slaapp import FILE` does, timed by stage: read, store, evaluate and store clocks."""
    stages: dict[str, float] = {}
    stages["read CSV"], result = timed(lambda: read_events(path))
    with db.session() as session:
        stages["store records and events"], ingested = timed(
            lambda: ingest_log(session, result.log, source="bench", now=AS_OF)
        )
        loaded = (result.log, list(ingested.record_ids)) if ingested.only_new_records else None
        stages["evaluate and store clocks"], clocks = timed(
            lambda: refresh_clocks(session, AS_OF, ingested.changed_records, loaded)
        )
    return stages, ingested.events_added, clocks


def raw_sqlite(path: Path, log_path: Path) -> float:
    """Baseline: plain sqlite3 executemany of the same records and events, no checks at all."""
    log = read_events(log_path).log
    records = [(i, "bench", r) for i, r in enumerate(log.record.values)]
    events = list(
        zip(
            log.record.codes.tolist(),
            log.event.codes.tolist(),
            log.occurred_at.tolist(),
            strict=True,
        )
    )

    def write() -> None:
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE r (id INTEGER PRIMARY KEY, source TEXT, external_id TEXT, UNIQUE(source, external_id))"
            )
            connection.execute(
                "CREATE TABLE e (id INTEGER PRIMARY KEY, record_id INT, name INT, at INT, UNIQUE(record_id, name, at))"
            )
            connection.executemany("INSERT INTO r VALUES (?, ?, ?)", records)
            connection.executemany("INSERT INTO e (record_id, name, at) VALUES (?, ?, ?)", events)

    seconds, _ = timed(write)
    return seconds


def incremental(db: Database, changed: int = 1_000) -> tuple[float, float, int, int]:
    """1,000 new events on as many records, stored and re-evaluated; and a full refresh."""
    with db.session() as session:
        stored = int(session.scalar(select(func.count()).select_from(Clock)) or 0)
        rows = session.execute(
            select(Clock.record_id, Clock.handoff)
            .where(Clock.is_open)
            .order_by(Clock.record_id)
            .limit(changed)
        ).all()
    matrix = load_matrix(MATRIX)
    with db.session() as session:
        ids = dict(
            session.execute(
                select(Record.id, Record.external_id).where(Record.id.in_([r[0] for r in rows]))
            ).all()
        )
    log = event_log_from_columns(
        [ids[r[0]] for r in rows], [matrix.handoff(r[1]).stop for r in rows], [AS_OF] * len(rows)
    )

    def sync() -> int:
        with db.session() as session:
            result = ingest_log(session, log, source="bench", now=AS_OF)
            return refresh_clocks(session, AS_OF, result.changed_records)

    seconds, clocks = timed(sync)

    def full() -> int:
        with db.session() as session:
            return refresh_clocks(session, AS_OF)

    full_seconds, _ = timed(full)
    return seconds, full_seconds, stored, clocks


def fresh_database(path: Path) -> Database:
    """A migrated SQLite database with the default matrix published."""
    db = Database(f"sqlite:///{path}")
    db.migrate()
    with db.session() as session:
        publish(
            session,
            load_matrix(MATRIX),
            author="bench",
            now=AS_OF,
            base_version=None,
            effective_from=0,
        )
    return db


def run(records: int = 100_000, sync_records: int | None = None) -> list[Summary]:
    """The import at `records`; the sync on a database of `sync_records` (default: the same one)."""
    print(
        f"\n== store: {records:,} records into SQLite (what `slaapp import` does), then a 1,000-event sync"
    )
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "events.csv"
        write_csv(build_log(records), csv_path)
        db = fresh_database(Path(folder) / "slaapp.db")
        stages, events, clocks = import_file(db, csv_path)
        total = sum(stages.values())
        baseline = raw_sqlite(Path(folder) / "raw.db", csv_path)
        line("", "seconds", "events/s", "share")
        for name, seconds in stages.items():
            line(f"  {name}", f"{seconds:.2f}", rate(events, seconds), f"{seconds / total:.0%}")
        line("slaapp import, total", f"{total:.2f}", rate(events, total), "100%")
        line(
            "baseline: raw sqlite3 executemany, no checks",
            f"{baseline:.2f}",
            rate(events, baseline),
            "",
        )
        print(f"  {events:,} events of {records:,} records stored, {clocks:,} clocks evaluated and stored; "
              f"budget {IMPORT_BUDGET:.0f} s: {total:.2f} s" + ("" if total <= IMPORT_BUDGET else "   OVER BUDGET"))  # fmt: skip
        if sync_records is not None:
            db.dispose()
            write_csv(build_log(sync_records), csv_path)
            db = fresh_database(Path(folder) / "large.db")
            import_file(db, csv_path)
        sync, full, stored, changed = incremental(db)
        line("", "seconds", "", "")
        line(f"sync of 1,000 events, {stored:,} stored clocks", f"{sync:.3f}", "", "")
        line(
            "baseline: full re-evaluation of every record", f"{full:.3f}", "", f"{full / sync:.0f}x"
        )
        print(f"  {changed:,} clocks of the changed records re-evaluated; budget {INCREMENTAL_BUDGET:.0f} s "
              f"with 1,000,000 stored clocks (`--all` runs that size): {sync:.3f} s")  # fmt: skip
        db.dispose()
    return [
        Summary(f"import {records // 1000}k records (SQLite)", f"{total:.2f} s", f"{baseline:.2f} s", baseline / total,
                f"< {IMPORT_BUDGET:.0f} s", total <= IMPORT_BUDGET),
        Summary(f"1,000-event sync, {stored // 1000}k clocks", f"{sync:.3f} s", f"{full:.2f} s", full / sync,
                f"< {INCREMENTAL_BUDGET:.0f} s", sync <= INCREMENTAL_BUDGET),
    ]  # fmt: skip
