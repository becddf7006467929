"""The `slaapp` command: the desktop app without arguments, headless jobs as subcommands."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from . import __version__
from .engine.clocks import ClockTable, evaluate
from .engine.durations import describe_duration
from .engine.events import EventFileError, read_events
from .engine.instants import InstantError, format_instant, parse_instant, zone
from .engine.matrix_file import MatrixError, load_matrix

CLOCK_FIELDS = (
    "record_id", "handoff", "cycle", "segment", "owner", "started_at", "stopped_at", "due_at",
    "target_seconds", "elapsed_seconds", "remaining_seconds", "pct_elapsed", "status", "quality_ok",
)  # fmt: skip
_TIME_FIELDS = ("started_at", "stopped_at", "due_at")

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


def clock_records(clocks: ClockTable) -> Iterable[dict[str, Any]]:
    """Clock rows with instants as UTC text, in CLOCK_FIELDS order."""
    for row in clocks.rows():
        for name in _TIME_FIELDS:
            if row[name] is not None:
                row[name] = format_instant(row[name])
        yield {name: row[name] for name in CLOCK_FIELDS}


def write_clocks(clocks: ClockTable, fmt: str, out: TextIO) -> None:
    """Print clocks as JSON (`{"as_of", "clocks"}`), CSV, or a readable table."""
    rows = clock_records(clocks)
    if fmt == "json":
        json.dump({"as_of": format_instant(clocks.as_of), "clocks": list(rows)}, out, indent=1)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CLOCK_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: "" if v is None else str(v).lower() if isinstance(v, bool) else v
                    for k, v in row.items()
                }
            )
    else:
        _write_table(list(rows), out, format_instant(clocks.as_of))


def _write_table(rows: list[dict[str, Any]], out: TextIO, as_of: str) -> None:
    columns = (
        "record_id",
        "handoff",
        "cycle",
        "segment",
        "owner",
        "started_at",
        "due_at",
        "status",
        "remaining_seconds",
    )
    header = (
        "record",
        "handoff",
        "#",
        "segment",
        "owner",
        "started (UTC)",
        "due (UTC)",
        "status",
        "remaining",
    )
    cells = [header] + [tuple(_cell(row[c], c) for c in columns) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for line in cells:
        out.write(
            "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
            + "\n"
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    out.write(f"{len(rows)} clocks as of {as_of}" + (f": {summary}" if summary else "") + "\n")


def _cell(value: Any, column: str) -> str:
    if value is None:
        return "-"
    if column == "remaining_seconds":
        return describe_duration(int(value))
    if column.endswith("_at"):
        return str(value).replace("T", " ").rstrip("Z")[:16]
    return str(value)
