"""The `slaapp` command: the desktop app without arguments, headless jobs as subcommands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from slaapp import __version__

COMMANDS = {
    "evaluate": "evaluate", "matrix": "matrix", "import": "imports", "demo": "demo",
    "export": "export", "settings": "settings", "clocks": "clocks", "sync": "sync",
    "alerts": "alerts", "insights": "insights", "team": "team", "service": "service",
    "people": "people",
}  # fmt: skip
"""Each subcommand and the module under slaapp.cli that registers it, in the order of --help.
A run imports only its own command's module (`slaapp evaluate` never loads the database)."""

STATELESS = frozenset({"evaluate"})
"""Commands that read their files, compute and print, and nothing else. They multiply no
matrices, so their process gives OpenBLAS one thread (unless OPENBLAS_NUM_THREADS is set):
else the worker threads numpy starts spin idle on the other cores for most of a short run
(about 0.1 s of CPU on the 100,000-clock benchmark). They hold nothing to finalize, so the
process entry points freeze the collector as they return (see `slaapp.__main__`)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit code (0 ok, 2 bad input, 1 other failures)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in STATELESS and "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # read once, when numpy loads
    from slaapp.engine.collector import collector_paused  # imports nothing: numpy not yet
    from slaapp.engine.errors import UserError

    with collector_paused():  # importing a command's modules makes thousands of objects
        parser = build_parser(args[0] if args and args[0] in COMMANDS else None)
    options = parser.parse_args(args)
    try:
        return int(options.handler(options))
    except UserError as exc:
        print(f"slaapp: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception:
        import logging  # only a failing run needs it

        logging.getLogger("slaapp").exception("slaapp %s failed", options.command)
        print("slaapp: internal error (details above); please report it", file=sys.stderr)
        return 1


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of `command` alone: each noun module registers its own."""
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
    modules = COMMANDS.values() if command is None else [COMMANDS[command]]
    for name in dict.fromkeys(modules):
        importlib.import_module(f"slaapp.cli.{name}").register(sub, common)
    return parser
