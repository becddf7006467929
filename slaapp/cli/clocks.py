"""`slaapp clocks`: the stored clocks judged at --as-of, as JSON, CSV or a table."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from slaapp.cli.common import (
    CommandError,
    SubParsers,
    current_time,
    instant,
    with_database,
    write_clocks,
)
from slaapp.engine.clocks import OPEN_STATUSES, STATUSES
from slaapp.engine.versions import take_clocks
from slaapp.reports.spans import period_zone
from slaapp.services.clock_reads import clocks_at
from slaapp.services.database import Database
from slaapp.services.live_view import latest_matrix


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add `clocks` (`common` holds --db, --format, --tz)."""
    clk = sub.add_parser("clocks", parents=[common], help="the stored clocks, judged at --as-of")
    clk.add_argument("--as-of", metavar="T", help="judge clocks at this instant (default: now)")
    clk.add_argument("--status", nargs="+", metavar="S", help="only clocks in these statuses")
    clk.set_defaults(handler=clocks)


@with_database
def clocks(options: argparse.Namespace, database: Database) -> int:
    try:  # a time without an offset (or a date) is read in --tz, else the business zone
        zone = options.tz or (period_zone(database) if options.as_of else None)
        as_of = current_time() if options.as_of is None else instant(options.as_of, "--as-of", zone)
        unknown = sorted(set(options.status or ()) - set(STATUSES))
        if unknown:
            raise CommandError(
                f"--status: unknown status {', '.join(unknown)} (use {', '.join(STATUSES)})"
            )
        wanted = {STATUSES.index(s) for s in options.status or STATUSES}
        table = clocks_at(database, as_of, open_only=wanted <= set(OPEN_STATUSES))
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    if options.status:
        codes = np.array([STATUSES.index(s) for s in options.status], dtype=np.int8)
        table = take_clocks(table, np.flatnonzero(np.isin(table.status, codes)))
    matrix = latest_matrix(database) if options.format == "table" else None
    write_clocks(table, options.format, sys.stdout, matrix)
    return 0
