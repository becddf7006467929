"""What every `slaapp` subcommand shares: the user error, --db, instants, output."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias

from slaapp.engine.clocks import ClockTable
from slaapp.engine.errors import UserError
from slaapp.engine.instants import InstantError, parse_instant, zone
from slaapp.engine.matrix import Matrix
from slaapp.reports.clock_output import WRITERS, write_table

if TYPE_CHECKING:  # the database (SQLAlchemy) loads only for commands that use it
    from slaapp.services.database import Database

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler: TypeAlias = "Callable[[argparse.Namespace, Database], int]"


class CommandError(UserError):
    """Bad command-line input or state a user can fix: printed as is, exit code 2."""


def current_time() -> int:
    """Now, in epoch seconds."""
    return int(time.time())


def instant(text: str, option: str, tz: str | None = None) -> int:
    """An ISO 8601 instant given to `option` (naive times in `tz`), as epoch seconds."""
    try:
        return parse_instant(text, zone(tz) if tz else None)
    except InstantError as exc:
        raise CommandError(f"{option}: {exc}") from None


def checked_zone(name: str, option: str = "--tz") -> str:
    """An IANA zone name given to `option`, checked (CommandError if unknown)."""
    try:
        zone(name)
    except InstantError as exc:
        raise CommandError(f"{option}: {exc}") from None
    return name


def add_as_of(parser: argparse.ArgumentParser) -> None:
    """Add `--as-of T` to a command that judges clocks (DESIGN 7)."""
    parser.add_argument(
        "--as-of", dest="as_of", metavar="T",
        help="judge the clocks as of this instant (default: now); a period's clocks are judged "
        "at its end when that is earlier",
    )  # fmt: skip


def as_of(options: argparse.Namespace, tz: str | None = None) -> int:
    """The --as-of instant (naive times in `tz`), else now."""
    text = getattr(options, "as_of", None)
    return current_time() if text is None else instant(text, "--as-of", tz)


def write_clocks(clocks: ClockTable, fmt: str, out: TextIO, matrix: Matrix | None = None) -> None:
    """Print clocks in one of the output formats (json, csv, table: durations in rule terms)."""
    if fmt == "table":
        write_table(clocks, out, matrix)
    else:
        WRITERS[fmt](clocks, out)


def with_database(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """Open (and migrate) the --db database for a handler, and dispose of it afterwards."""

    @functools.wraps(handler)
    def run(options: argparse.Namespace) -> int:
        from slaapp.services.database import DatabaseError, open_database

        try:
            database = open_database(options.db)
        except DatabaseError as exc:
            raise CommandError(str(exc)) from None
        with database:
            return handler(options, database)

    return run


def author(options: argparse.Namespace) -> str:
    """Who runs the command: --author, else the login name."""
    import getpass

    return str(getattr(options, "author", None) or getpass.getuser())


def emit(options: argparse.Namespace, data: Any, text: str) -> None:
    """Print `data` as JSON with --format json, else the readable `text`."""
    if getattr(options, "format", "table") == "json":
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


def print_skipped(skipped: Any) -> None:
    """List the bad rows a --skip-bad-rows read left out, on stderr."""
    for problem in skipped:
        print(f"slaapp: skipped {problem}", file=sys.stderr)
