"""The `slaapp` command: the desktop app without arguments, headless jobs as subcommands."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from slaapp import __version__

log = logging.getLogger("slaapp")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit code (0 ok, 2 bad input, 1 other failures)."""
    args = list(sys.argv[1:] if argv is None else argv)
    from slaapp.engine.errors import UserError

    parser = build_parser()
    options = parser.parse_args(args)
    try:
        return int(options.handler(options))
    except UserError as exc:
        print(f"slaapp: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception:
        log.exception("slaapp %s failed", options.command)
        print("slaapp: internal error (details above); please report it", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand: each noun module registers its own."""
    from slaapp.cli import (
        alerts,
        clocks,
        demo,
        evaluate,
        export,
        imports,
        insights,
        matrix,
        people,
        service,
        settings,
        sync,
        team,
    )

    parser = argparse.ArgumentParser(
        prog="slaapp", description="Handoff SLA monitor for revenue teams."
    )
    parser.add_argument("--version", action="version", version=f"slaapp {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="database URL (default: $SLAAPP_DB or the embedded SQLite file)"
    )
    common.add_argument("--format", choices=("table", "json", "csv"), default="table")
    common.add_argument("--tz", metavar="ZONE", help="IANA time zone for times without an offset")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for noun in (evaluate, matrix, imports, demo, export, settings, clocks, sync, alerts, insights):
        noun.register(sub, common)
    team.register(sub, common)
    service.register(sub, common)
    people.register(sub, common)
    return parser
