"""`slaapp evaluate`: a matrix file and an event log in, clocks out; no database."""

from __future__ import annotations

import argparse
import sys

from slaapp.cli.common import SubParsers, current_time, instant, print_skipped, write_clocks
from slaapp.engine.clocks import evaluate
from slaapp.engine.collector import collector_paused
from slaapp.engine.instants import zone
from slaapp.importers.event_file import read_events
from slaapp.importers.matrix_file import load_matrix


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add `evaluate` (`common` holds --db, --format, --tz)."""
    ev = sub.add_parser(
        "evaluate", parents=[common], help="time an event log against a matrix file (stateless)"
    )
    ev.add_argument(
        "--matrix", required=True, metavar="M.json", help="the SLA matrix file (slaapp.matrix/1)"
    )
    ev.add_argument("--events", required=True, metavar="E.csv", help="the event log (CSV or XLSX)")
    ev.add_argument(
        "--as-of", metavar="T", help="judge clocks at this instant (ISO 8601; default: now)"
    )
    ev.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="skip and list bad rows instead of rejecting the file",
    )
    ev.set_defaults(handler=evaluate_file)


def evaluate_file(options: argparse.Namespace) -> int:
    """Read, evaluate and print with the cyclic garbage collector paused: the run makes
    millions of texts, numbers and arrays and no reference cycles to collect."""
    with collector_paused():
        return _evaluate(options)


def _evaluate(options: argparse.Namespace) -> int:
    if options.tz:
        zone(options.tz)
    as_of = (
        current_time() if options.as_of is None else instant(options.as_of, "--as-of", options.tz)
    )
    matrix = load_matrix(options.matrix)
    result = read_events(options.events, tz=options.tz, skip_bad_rows=options.skip_bad_rows)
    print_skipped(result.skipped)
    write_clocks(evaluate(matrix, result.log, as_of), options.format, sys.stdout, matrix)
    return 0
