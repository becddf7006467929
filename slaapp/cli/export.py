"""`slaapp export`: the Excel scorecard of a period, written to a file and optionally mailed."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slaapp.cli.common import (
    CommandError,
    SubParsers,
    add_as_of,
    as_of,
    checked_zone,
    current_time,
    emit,
    instant,
    with_database,
)
from slaapp.engine.errors import BadInputError
from slaapp.engine.instants import format_instant
from slaapp.infra.output_files import check_output, is_xlsx
from slaapp.notify.email import check_addresses
from slaapp.reports.periods import last_full_week, local_day
from slaapp.services.database import Database

if TYPE_CHECKING:
    from slaapp.reports.export import ExportResult


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add `export` (`common` holds --db, --format, --tz)."""
    xls = sub.add_parser("export", parents=[common], help="write the Excel scorecard of a period")
    xls.add_argument("--from", dest="start", metavar="D", help="first day (YYYY-MM-DD) or instant")
    xls.add_argument(
        "--to", dest="end", metavar="D", help="last day, included (YYYY-MM-DD) or instant"
    )
    xls.add_argument(
        "--last-week", action="store_true", help="Monday to Sunday of last week (for schedulers)"
    )
    add_as_of(xls)
    xls.add_argument(
        "--out",
        required=True,
        metavar="F.xlsx",
        help="the workbook to write, or a folder for a dated name",
    )
    xls.add_argument(
        "--team",
        metavar="T",
        help="only one team: a team of the matrix (its handoffs' clocks) or of the directory "
        "(the clocks its members own)",
    )
    xls.add_argument(
        "--mail", metavar="A,B", help="mail the workbook to these addresses (SMTP settings)"
    )
    xls.set_defaults(handler=export)


def _period_bound(text: str, option: str, zone_name: str, next_day: bool) -> int:
    """A date (local midnight in `zone_name`; the day after for --to) or an ISO instant."""
    from slaapp.reports.export import day_bounds

    try:
        day = date.fromisoformat(text)
    except ValueError:
        return instant(text, option, zone_name)
    return day_bounds(day, day, zone_name)[1 if next_day else 0]


def _period(options: argparse.Namespace, zone_name: str, today: date) -> tuple[int, int]:
    """[start, end) of --from/--to or --last-week, in local days of `zone_name`."""
    if options.last_week:
        if options.start or options.end:
            raise CommandError("--last-week: give either --last-week or --from and --to")
        first, last = last_full_week(today)
        return (
            _period_bound(first.isoformat(), "", zone_name, False),
            _period_bound(last.isoformat(), "", zone_name, True),
        )
    if options.start and options.end:
        start = _period_bound(options.start, "--from", zone_name, next_day=False)
        end = _period_bound(options.end, "--to", zone_name, next_day=True)
        if end <= start:
            raise CommandError(
                "the period must end after it starts: --to must not be before --from"
            )
        return start, end
    raise CommandError("give the period: --from D --to D, or --last-week")


@with_database
def export(options: argparse.Namespace, database: Database) -> int:
    from slaapp.reports.export import export_scorecard, period_zone

    try:
        zone_name = checked_zone(period_zone(database, options.tz))
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    judged = as_of(options, zone_name)
    start, end = _period(options, zone_name, datetime.now(ZoneInfo(zone_name)).date())
    out = Path(options.out)
    if out.is_dir():
        out = out / f"slaapp-scorecard-{local_day(start, zone_name).isoformat()}.xlsx"
    try:
        check_output(out, "an Excel workbook", is_xlsx)
    except BadInputError as exc:
        raise CommandError(f"--out: {exc}") from None
    mailed: list[str] = []
    if options.mail:
        try:
            mailed = check_addresses(options.mail.split(","))
        except ValueError as exc:
            raise CommandError(f"--mail: {exc}") from None
    try:
        result = export_scorecard(
            database, out, start=start, end=end, now=current_time(), team=options.team,
            zone=zone_name, as_of=judged,
        )  # fmt: skip
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if mailed:
        from slaapp.services.scorecard_delivery import DeliveryError, mail_workbook

        try:
            mail_workbook(
                database,
                result.path,
                mailed,
                f"SLA scorecard: {result.data.scope}",
                result.summary(),
            )
        except DeliveryError as exc:
            print(
                f"slaapp: the scorecard was written to {result.path} but not mailed: {exc}",
                file=sys.stderr,
            )
            return 1
    data = result.data
    figures = data.summary
    found: dict[str, Any] = {
        "out": str(result.path),
        "period": {
            "from": local_day(start, zone_name).isoformat(),
            "to": local_day(end - 1, zone_name).isoformat(),
            "zone": zone_name,
        },
        "as_of": format_instant(judged),
        "judged_at": format_instant(data.judged_at if data.judged_at is not None else judged),
        "scope": data.scope,
        "clocks": figures.clocks,
        "adherence": figures.adherence,
        "breaches": len(data.breaches),
        "breached_value": figures.revenue_at_stake,
        "mailed": mailed,
        "note": result.empty or None,
    }
    text = data_summary(result) + (f"; mailed to {', '.join(mailed)}" if mailed else "")
    emit(options, found, text)
    return 0


def data_summary(result: ExportResult) -> str:
    """The summary line, and where the data lies (with the options to use) if it was empty."""
    line = result.summary().split("\n", 1)[0]
    return f"{line}\n{result.empty}" if result.empty else line
