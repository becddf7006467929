"""`slaapp demo`: fill the database with the demo revenue org."""

from __future__ import annotations

import argparse

from slaapp.cli.common import CommandError, SubParsers, emit, with_database
from slaapp.services.database import Database
from slaapp.services.demo_org import load_demo


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add `demo` (`common` holds --db, --format, --tz)."""
    dem = sub.add_parser(
        "demo", parents=[common], help="fill the database with the demo revenue org"
    )
    dem.add_argument("--seed", type=int, default=7, help="random seed (same seed, same org)")
    dem.add_argument("--days", type=int, default=90, help="days of history (default 90)")
    dem.set_defaults(handler=demo)


@with_database
def demo(options: argparse.Namespace, database: Database) -> int:
    if options.days < 1:
        raise CommandError(f"--days: the demo needs at least 1 day of history, not {options.days}")
    result = load_demo(database, seed=options.seed, days=options.days)
    emit(
        options,
        {
            "people": result.people,
            "people_added": result.people_added,
            "records": result.records,
            "events_added": result.store.ingested.events_added,
            "clocks": result.store.clocks,
        },
        f"demo org (seed {options.seed}, {options.days} days): {result.people} people, {result.records:,} records"
        + (f" (replacing {result.replaced:,} earlier demo records)" if result.replaced else "")
        + f", {result.store.ingested.events_added:,} events added; {result.store.clocks:,} clocks evaluated",
    )
    return 0
