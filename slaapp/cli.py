"""The `slaapp` command: the desktop app without arguments, headless jobs as subcommands."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from . import __version__
from .engine.events import EventFileError
from .engine.instants import InstantError
from .engine.mapping_file import MappingError
from .engine.matrix_file import MatrixError

log = logging.getLogger("slaapp")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0].startswith("--") and args[0] not in ("--help", "--version")):
        from .app import run_app  # Qt is loaded only for the desktop app

        return run_app(args)
    from .commands import CommandError

    parser = _parser()
    options = parser.parse_args(args)
    try:
        return int(options.handler(options))
    except (
        CommandError,
        MatrixError,
        MappingError,
        EventFileError,
        InstantError,
    ) as exc:
        print(f"slaapp: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception:
        log.exception("slaapp %s failed", options.command)
        print("slaapp: internal error (details above); please report it", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    from . import commands as c

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
    ev.set_defaults(handler=c.evaluate_file)

    matrix = sub.add_parser("matrix", help="publish, export and list SLA matrix versions")
    msub = matrix.add_subparsers(dest="matrix_command", required=True, metavar="ACTION")
    pub = msub.add_parser(
        "publish", parents=[common], help="publish a matrix file as the next version"
    )
    pub.add_argument("file", metavar="FILE")
    pub.add_argument("--note", default="", help="why this version (shown in the history)")
    pub.add_argument(
        "--effective-from", metavar="T", help="when the version takes effect (default: now)"
    )
    pub.add_argument(
        "--reevaluate-open", action="store_true", help="judge clocks still open by this version too"
    )
    pub.add_argument(
        "--base-version", type=int, metavar="N", help="fail unless version N is still the latest"
    )
    pub.add_argument("--author", help="who publishes (default: the login name)")
    pub.set_defaults(handler=c.matrix_publish)
    exp = msub.add_parser("export", parents=[common], help="print a version's matrix file")
    exp.add_argument("--version", type=int, metavar="N", help="the version (default: the latest)")
    exp.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    exp.set_defaults(handler=c.matrix_export)
    hist = msub.add_parser("history", parents=[common], help="every version with what changed")
    hist.set_defaults(handler=c.matrix_history)
    back = msub.add_parser("rollback", parents=[common], help="publish an earlier version again")
    back.add_argument("version", type=int, metavar="N")
    back.add_argument("--author", help="who publishes (default: the login name)")
    back.set_defaults(handler=c.matrix_rollback)

    imp = sub.add_parser(
        "import", parents=[common], help="import an event log or a CRM export into the database"
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument(
        "--mapping", metavar="MAP.json", help="mapping of a wide CRM export (one row per record)"
    )
    imp.add_argument(
        "--source", default="import", help="source name the records belong to (default: import)"
    )
    imp.add_argument(
        "--skip-bad-rows", action="store_true", help="store the good rows and list the bad ones"
    )
    imp.set_defaults(handler=c.import_file)

    dem = sub.add_parser(
        "demo", parents=[common], help="fill the database with the demo revenue org"
    )
    dem.add_argument("--seed", type=int, default=7, help="random seed (same seed, same org)")
    dem.add_argument("--days", type=int, default=90, help="days of history (default 90)")
    dem.set_defaults(handler=c.demo)

    xls = sub.add_parser("export", parents=[common], help="write the Excel scorecard of a period")
    xls.add_argument("--from", dest="start", metavar="D", help="first day (YYYY-MM-DD) or instant")
    xls.add_argument(
        "--to", dest="end", metavar="D", help="last day, included (YYYY-MM-DD) or instant"
    )
    xls.add_argument(
        "--last-week", action="store_true", help="Monday to Sunday of last week (for schedulers)"
    )
    xls.add_argument(
        "--out",
        required=True,
        metavar="F.xlsx",
        help="the workbook to write, or a folder for a dated name",
    )
    xls.add_argument("--team", metavar="T", help="only the clocks owned by this team's members")
    xls.add_argument(
        "--mail", metavar="A,B", help="mail the workbook to these addresses (SMTP settings)"
    )
    xls.set_defaults(handler=c.export)

    settings = sub.add_parser("settings", help="settings shared by every desktop of the database")
    ssub = settings.add_subparsers(dest="settings_command", required=True, metavar="WHAT")
    smtp = ssub.add_parser(
        "smtp", parents=[common], help="the mail server for scorecards and escalations"
    )
    smtp.add_argument("--host", required=True)
    smtp.add_argument("--port", type=int, default=587)
    smtp.add_argument(
        "--user", help="login name (the password comes from --password-stdin or the keyring)"
    )
    smtp.add_argument("--sender", help="From address (default: the login name)")
    smtp.add_argument(
        "--no-starttls", action="store_true", help="send without STARTTLS (local relays only)"
    )
    smtp.add_argument("--ca-file", help="CA certificate file to trust for the server")
    smtp.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input into the keyring",
    )
    smtp.set_defaults(handler=c.settings_smtp)
    link = ssub.add_parser(
        "record-url", parents=[common], help="the CRM address of a record, per source"
    )
    link.add_argument("source", help="record source, e.g. hubspot, salesforce, import")
    link.add_argument(
        "template",
        help="address with {external_id}, e.g. https://acme.my.salesforce.com/{external_id}",
    )
    link.set_defaults(handler=c.settings_record_url)
    from .commands_settings import register_settings

    register_settings(ssub, common)

    clk = sub.add_parser("clocks", parents=[common], help="the stored clocks, judged at --as-of")
    clk.add_argument("--as-of", metavar="T", help="judge clocks at this instant (default: now)")
    clk.add_argument("--status", nargs="+", metavar="S", help="only clocks in these statuses")
    clk.set_defaults(handler=c.clocks)

    from . import commands_alerts, commands_insights, commands_sync

    for extra in (commands_sync, commands_alerts, commands_insights):
        extra.register(sub, common)
    return parser
