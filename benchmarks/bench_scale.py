"""A 1,000,000-record org: live refresh, alert run, dashboard and `slaapp clocks` against a full re-evaluation."""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
from sqlalchemy import delete

from benchmarks import Summary, best_of, line, timed
from benchmarks.bench_pg_import import empty_postgres
from benchmarks.synthetic_log import AS_OF, MATRIX, build_log
from slaapp.engine.clocks import OPEN_STATUSES, evaluate
from slaapp.engine.eventlog import Column, EventLog
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import Database
from slaapp.models.evaluation import StoredClocks, stored_clocks
from slaapp.models.matrices import publish
from slaapp.models.tables import ClockPage
from slaapp.notify import alerting
from slaapp.services.clock_reads import clocks_at
from slaapp.services.dashboard import DashboardFilter, load_dashboard
from slaapp.services.live_view import live_view
from slaapp.services.store import store_log

QUICK = False
"""Building the org takes minutes: `python -m benchmarks --all` or `python -m benchmarks.bench_scale`."""
OPEN_SHARE = 0.03
"""Open clocks kept per record (the most recent ones; the others get their stop): 30,000 of
about 2,200,000 clocks for 1,000,000 records, as a working org has."""
BUDGETS = {"live refresh": 1.0, "alert run": 2.0, "dashboard, a quarter": 1.0}
BUDGETS["slaapp clocks --status breached"] = 2.0
NOW = AS_OF + 600


def scale_log(records: int, seed: int = 7) -> EventLog:
    """The synthetic org with all but its most recent open clocks cancelled (or stopped) at a random instant
    since their start (OPEN_SHARE): a working org's open clocks are the recent ones."""
    log = build_log(records, seed)
    matrix = load_matrix(MATRIX)
    clocks = evaluate(matrix, log, AS_OF)
    open_rows = np.flatnonzero(np.isin(clocks.status, OPEN_STATUSES))
    newest_first = open_rows[np.argsort(-clocks.started_at[open_rows], kind="stable")]
    stale = np.sort(newest_first[int(OPEN_SHARE * records) :])
    rng = np.random.default_rng(seed)
    # A cancel event where the handoff has one: a stop would start the next handoff's clock.
    stops = [(h.cancel or (h.stop,))[0] for h in map(matrix.handoff, clocks.handoff_keys)]
    names = tuple(dict.fromkeys((*log.event.values, *stops)))
    stop_codes = np.array([names.index(s) for s in stops], dtype=np.int32)[clocks.handoff[stale]]
    span = AS_OF - clocks.started_at[stale]
    when = clocks.started_at[stale] + (rng.random(stale.size) * span).astype(np.int64) + 1
    blank = np.full(stale.size, -1, dtype=np.int32)
    return EventLog(
        record=Column(np.concatenate([log.record.codes, clocks.record[stale]]), log.record.values),
        event=Column(np.concatenate([log.event.codes, stop_codes]), names),
        occurred_at=np.concatenate([log.occurred_at, np.minimum(when, AS_OF)]),
        owner=Column(np.concatenate([log.owner.codes, blank]), log.owner.values),
        attributes={
            name: Column(np.concatenate([c.codes, blank]), c.values)
            for name, c in log.attributes.items()
        },
    )


def build_org(url: str, records: int) -> tuple[Database, float, int]:
    """The org stored in a fresh database; (database, seconds to store it, events)."""
    database = Database(url)
    if url.startswith("sqlite:///") and database.revision() is not None:
        return database, 0.0, 0  # a --keep file built by an earlier run
    database.migrate()
    with database.session() as session:
        publish(
            session, load_matrix(MATRIX), author="bench", now=0, base_version=None,
            effective_from=0,
        )  # fmt: skip
    log = scale_log(records)
    seconds, _ = timed(lambda: store_log(database, log, source="crm", at=AS_OF))
    return database, seconds, len(log)


def _full(database: Database, at: int) -> StoredClocks:
    with database.session() as session:
        return stored_clocks(session, at)


def _full_alert_clocks(session: Any, now: int, history: int) -> Any:
    """What alert runs read before: every record's events, every clock judged again."""
    del history
    try:
        return stored_clocks(session, now)
    except LookupError:
        return None


def _forget_pages(database: Database) -> None:
    """No kept page (a --keep file holds an earlier run's): the first open reads every day."""
    with database.session() as session:
        session.execute(delete(ClockPage))


def measure(database: Database, label: str, records: int) -> list[Summary]:
    """Each figure beside today's full re-evaluation (every event read, every clock judged)."""
    figures: dict[str, tuple[float, float]] = {}
    full, result = timed(lambda: _full(database, NOW))
    print(f"  full re-evaluation of every record: {full:.2f} s ({len(result.clocks):,} clocks)")
    del result
    gc.collect()

    first, view = timed(lambda: live_view(database, NOW))
    refresh, _ = best_of(3, lambda: live_view(database, NOW + 60, view.model, view.fitted_at))
    print(f"  live view, first (breach model fitted): {first:.2f} s")
    figures["live refresh"] = (refresh, full)

    first_run, fired = timed(lambda: alerting.run_alerts(database, NOW))
    print(f"  alert run, first (fires {len(fired.fired):,} alerts): {first_run:.2f} s")
    steady, _ = best_of(3, lambda: alerting.run_alerts(database, NOW + 120))
    with mock.patch.object(alerting, "_clocks_now", _full_alert_clocks):
        before, _ = timed(lambda: alerting.run_alerts(database, NOW + 180))
    figures["alert run"] = (steady, before)

    end = datetime.fromtimestamp(NOW, UTC).date()
    quarter = DashboardFilter(first=end - timedelta(days=90), last=end)
    _forget_pages(database)
    cold, _ = timed(lambda: load_dashboard(database, quarter, NOW))
    print(f"  dashboard, a quarter, first open (every day's page read and packed): {cold:.2f} s")
    dash, _ = best_of(3, lambda: load_dashboard(database, quarter, NOW))
    figures["dashboard, a quarter"] = (dash, full)

    breached, table = best_of(3, lambda: clocks_at(database, NOW, open_only=True))
    figures["slaapp clocks --status breached"] = (breached, full)
    print(f"  open clocks now: {len(table):,}")

    summaries = []
    print(f"\n  {'':<42}{'slaapp':>15}  {'full re-eval':>15}  {'ratio':>15}  {'budget':>15}")
    for name, (ours, baseline) in figures.items():
        budget = BUDGETS[name]
        line(f"{name} ({label})", f"{ours:.3f} s", f"{baseline:.2f} s",
             f"{baseline / ours:.0f}x", f"< {budget:g} s")  # fmt: skip
        summaries.append(
            Summary(
                f"{name}, {records:,}-record org ({label})",
                f"{ours:.3f} s",
                f"{baseline:.2f} s",
                baseline / ours,
                f"< {budget:g} s",
                ours < budget,
            )
        )
    return summaries


def run(
    records: int = 1_000_000, pg_url: str | None = None, keep: Path | None = None
) -> list[Summary]:
    summaries = []
    targets: list[tuple[str, Callable[[Path], str]]] = [
        ("SQLite", lambda folder: f"sqlite:///{keep or folder / 'scale.db'}")
    ]
    if pg_url:
        targets.append(("PostgreSQL", lambda folder: pg_url))
    for label, url_of in targets:
        print(f"\n== {records:,}-record org on {label}")
        with tempfile.TemporaryDirectory() as folder:
            url = url_of(Path(folder))
            if label == "PostgreSQL":
                empty_postgres(url)
            database, seconds, events = build_org(url, records)
            print(f"  stored {events:,} events in {seconds:.1f} s")
            try:
                summaries += measure(database, label, records)
            finally:
                database.dispose()
    return summaries


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scale", description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--pg", metavar="URL", default=os.environ.get("SLAAPP_BENCH_PG"),
        help="also on this PostgreSQL database (emptied first; default $SLAAPP_BENCH_PG)",
    )  # fmt: skip
    parser.add_argument(
        "--keep", metavar="FILE", type=Path,
        help="build the SQLite org into FILE and keep it; reuse it when it exists",
    )  # fmt: skip
    options = parser.parse_args(argv)
    run(options.records, options.pg, options.keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
