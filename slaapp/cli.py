"""The `slaapp` command: the desktop app without arguments, headless jobs as subcommands."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from . import __version__
from .clock_output import WRITERS
from .engine.clocks import ClockTable, evaluate
from .engine.events import EventFileError, read_events
from .engine.instants import InstantError, parse_instant, zone
from .engine.matrix_file import MatrixError, load_matrix

log = logging.getLogger("slaapp")


class UsageError(Exception):
    """Bad input from the user: printed as is, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0].startswith("--") and args[0] not in ("--help", "--version")):
        from .app import run_app  # Qt is loaded only for the desktop app

        return run_app(args)
    parser = _parser()
    options = parser.parse_args(args)
    try:
        return int(options.handler(options))
    except (UsageError, MatrixError, EventFileError, InstantError) as exc:
        print(f"slaapp: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception:
        log.exception("slaapp %s failed", options.command)
        print("slaapp: internal error (details above); please report it", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slaapp", description="Handoff SLA monitor for revenue teams."
    )
    parser.add_argument("--version", action="version", version=f"slaapp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ev = commands.add_parser(
        "evaluate", help="time every handoff of an event log against a matrix (stateless)"
    )
    ev.add_argument(
        "--matrix", required=True, metavar="M.json", help="the SLA matrix file (slaapp.matrix/1)"
    )
    ev.add_argument("--events", required=True, metavar="E.csv", help="the event log (CSV or XLSX)")
    ev.add_argument(
        "--as-of", metavar="T", help="judge clocks at this instant (ISO 8601; default: now)"
    )
    ev.add_argument("--tz", metavar="ZONE", help="IANA time zone for times without an offset")
    ev.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="skip and list bad rows instead of rejecting the file",
    )
    ev.add_argument("--format", choices=("json", "csv", "table"), default="table")
    ev.set_defaults(handler=_evaluate)
    return parser


def _as_of(text: str | None, tz: str | None) -> int:
    if text is None:
        return int(time.time())
    try:
        return parse_instant(text, zone(tz) if tz else None)
    except InstantError as exc:
        raise UsageError(f"--as-of: {exc}") from None


def _evaluate(options: argparse.Namespace) -> int:
    if options.tz:
        zone(options.tz)
    as_of = _as_of(options.as_of, options.tz)
    matrix = load_matrix(options.matrix)
    result = read_events(options.events, tz=options.tz, skip_bad_rows=options.skip_bad_rows)
    for problem in result.skipped:
        print(f"slaapp: skipped {problem}", file=sys.stderr)
    clocks = evaluate(matrix, result.log, as_of)
    write_clocks(clocks, options.format, sys.stdout)
    return 0


def write_clocks(clocks: ClockTable, fmt: str, out: TextIO) -> None:
    """Print clocks in one of the output formats (json, csv, table)."""
    WRITERS[fmt](clocks, out)
