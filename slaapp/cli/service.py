"""`slaapp service`: run the team's always-on worker until SIGTERM (or Ctrl+C)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType

from slaapp.cli.common import SubParsers, with_database
from slaapp.services.database import Database
from slaapp.services.worker import Tick, Worker
from slaapp.services.worker_listen import listen_for_data

log = logging.getLogger(__name__)


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add `service` (`common` holds --db, --format, --tz)."""
    run = sub.add_parser(
        "service",
        parents=[common],
        help="the team's always-on worker: scheduled syncs, alert runs, weekly scorecards",
    )
    run.add_argument("--quiet", action="store_true", help="print nothing but problems")
    run.set_defaults(handler=service)


@with_database
def service(options: argparse.Namespace, database: Database) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    worker = Worker(database, poll_seconds=60 if database.is_sqlite else 300)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping after the current step", signum)
        worker.stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    listener = listen_for_data(database, worker.data_changed)

    def report(tick: Tick) -> None:
        if not started:  # the first pass wrote the heartbeat: desktops now leave the work to us
            started.append(tick.now)
            print(f"slaapp service {worker.name} running on {database.display}", flush=True)
        if options.quiet:
            return
        parts = [f"{r.source}: {r.message}" for r in tick.synced]
        if tick.alerts is not None:
            parts.append(tick.alerts.summary())
        if tick.scorecard is not None:
            parts.append(f"scorecard sent to {', '.join(tick.scorecard.recipients)}")
        if parts:
            print("; ".join(parts), flush=True)

    started: list[int] = []
    try:
        worker.run(report)
    finally:
        if listener is not None:
            listener.stop()
    print("slaapp service stopped", file=sys.stderr, flush=True)
    return 0
