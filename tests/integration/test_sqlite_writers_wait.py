"""SQLite writers wait their turn: simultaneous publishes and alert runs all complete."""

from __future__ import annotations

import threading

from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import Database
from slaapp.services.matrix_versions import publish_matrix, version_history

NOW = 1_796_000_000


def test_simultaneous_publishes_on_sqlite_both_land(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'slaapp.db'}"
    databases = [Database(url) for _ in range(4)]
    databases[0].migrate()
    matrix = load_matrix(DEFAULT_MATRIX)
    barrier = threading.Barrier(len(databases))
    errors: list[BaseException] = []

    def publish(database: Database, n: int) -> None:
        try:
            barrier.wait()
            publish_matrix(database, matrix, author=f"manager {n}", now=NOW + n)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(db, n)) for n, db in enumerate(databases)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [v.version.number for v in version_history(databases[0])] == [1, 2, 3, 4]
    for database in databases:
        database.dispose()


def test_the_loser_of_a_simultaneous_publish_learns_who_won(db_url) -> None:
    from slaapp.models.matrices import MatrixConflictError

    first, second = Database(db_url), Database(db_url)
    first.migrate()
    matrix = load_matrix(DEFAULT_MATRIX)
    publish_matrix(first, matrix, author="setup", now=NOW)
    barrier = threading.Barrier(2)
    outcomes: list[BaseException | None] = []

    def publish(database: Database, who: str) -> None:
        try:
            barrier.wait()
            publish_matrix(database, matrix, author=who, now=NOW + 60, base_version=1)
            outcomes.append(None)
        except BaseException as exc:  # reported below
            outcomes.append(exc)

    threads = [
        threading.Thread(target=publish, args=(db, w))
        for db, w in ((first, "ana"), (second, "ben"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [lost] = [o for o in outcomes if o is not None]
    assert isinstance(lost, MatrixConflictError), repr(lost)
    assert "version 2 was published by" in str(lost) and ("ana" in str(lost) or "ben" in str(lost))
    first.dispose()
    second.dispose()


def test_simultaneous_imports_on_sqlite_all_land(tmp_path) -> None:
    from slaapp.engine.eventlog import EventRow, event_log
    from slaapp.services.store import store_log

    url = f"sqlite:///{tmp_path / 'slaapp.db'}"
    databases = [Database(url) for _ in range(4)]
    databases[0].migrate()
    publish_matrix(databases[0], load_matrix(DEFAULT_MATRIX), author="setup", now=NOW)
    barrier = threading.Barrier(len(databases))
    errors: list[BaseException] = []

    def store(database: Database, n: int) -> None:
        rows = [EventRow(f"L-{n}-{i}", "mql", NOW - 3600 + i, None, {}) for i in range(200)]
        try:
            barrier.wait()
            store_log(database, event_log(rows), source=f"file{n}", at=NOW)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(db, n)) for n, db in enumerate(databases)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    from sqlalchemy import func, select

    from slaapp.models.tables import Record

    with databases[0].session() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 800
    for database in databases:
        database.dispose()
