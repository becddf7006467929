"""Handlers of the database-backed `slaapp` subcommands (matrix, import, clocks, demo)."""

from __future__ import annotations

import argparse
import functools
import getpass
import json
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import numpy as np

from .clock_output import WRITERS
from .engine.clocks import STATUSES, ClockTable, evaluate
from .engine.events import read_events
from .engine.instants import InstantError, format_instant, parse_instant, zone
from .engine.matrix_file import dump_matrix, load_matrix
from .engine.versions import take_clocks
from .models.database import Database, DatabaseError, open_database
from .models.evaluation import refresh_clocks, stored_clocks
from .models.jobs import load_demo, store_log
from .models.matrices import (
    MatrixConflictError,
    diff,
    history,
    latest_number,
    load_version,
    publish,
    rollback,
)
from .notify.email import check_addresses
from .reports.periods import last_full_week


class CommandError(Exception):
    """Bad input or state a user can fix: printed as is, exit code 2."""


def _now() -> int:
    return int(time.time())


def _instant(text: str, option: str, tz: str | None = None) -> int:
    try:
        return parse_instant(text, zone(tz) if tz else None)
    except InstantError as exc:
        raise CommandError(f"{option}: {exc}") from None


def _database(options: argparse.Namespace) -> Database:
    try:
        return open_database(options.db)
    except DatabaseError as exc:
        raise CommandError(str(exc)) from None


def write_clocks(clocks: ClockTable, fmt: str, out: TextIO) -> None:
    """Print clocks in one of the output formats (json, csv, table)."""
    WRITERS[fmt](clocks, out)


def evaluate_file(options: argparse.Namespace) -> int:
    """`slaapp evaluate`: a matrix file and an event log in, clocks out; no database."""
    if options.tz:
        zone(options.tz)
    as_of = _now() if options.as_of is None else _instant(options.as_of, "--as-of", options.tz)
    matrix = load_matrix(options.matrix)
    result = read_events(options.events, tz=options.tz, skip_bad_rows=options.skip_bad_rows)
    for problem in result.skipped:
        print(f"slaapp: skipped {problem}", file=sys.stderr)
    write_clocks(evaluate(matrix, result.log, as_of), options.format, sys.stdout)
    return 0


Handler = Callable[[argparse.Namespace, Database], int]


def with_database(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """Open (and migrate) the --db database for a handler, and dispose of it afterwards."""

    @functools.wraps(handler)
    def run(options: argparse.Namespace) -> int:
        with _database(options) as database:
            return handler(options, database)

    return run


def _author(options: argparse.Namespace) -> str:
    return str(getattr(options, "author", None) or getpass.getuser())


def _emit(options: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(options, "format", "table") == "json":
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


# ----- matrix ---------------------------------------------------------------------------
@with_database
def matrix_publish(options: argparse.Namespace, database: Database) -> int:
    matrix = load_matrix(options.file)
    now = _now()
    effective = (
        None
        if options.effective_from is None
        else _instant(options.effective_from, "--effective-from", options.tz)
    )
    with database.session() as session:
        base = options.base_version if options.base_version is not None else latest_number(session)
        try:
            info = publish(
                session, matrix, author=_author(options), now=now, base_version=base, note=options.note or "",
                effective_from=effective, reevaluate_open=options.reevaluate_open,
            )  # fmt: skip
        except MatrixConflictError as exc:
            raise CommandError(f"not published: {exc}") from None
        clocks = refresh_clocks(session, now)
    _emit(
        options,
        {
            "version": info.number,
            "effective_from": format_instant(info.effective_from),
            "clocks": clocks,
        },
        f"published matrix version {info.number} (effective {format_instant(info.effective_from)}); "
        f"{clocks:,} clocks re-evaluated",
    )
    return 0


@with_database
def matrix_export(options: argparse.Namespace, database: Database) -> int:
    with database.session() as session:
        try:
            _, matrix = load_version(session, options.version)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
    text = dump_matrix(matrix)
    if options.out:
        Path(options.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


@with_database
def matrix_history(options: argparse.Namespace, database: Database) -> int:
    entries: list[dict[str, Any]] = []
    with database.session() as session:
        versions = history(session)
        previous = None
        for info in versions:
            _, matrix = load_version(session, info.number)
            changes = diff(previous, matrix) if previous is not None else ["first version"]
            previous = matrix
            entries.append(
                {
                    "version": info.number,
                    "author": info.author,
                    "published_at": format_instant(info.published_at),
                    "effective_from": format_instant(info.effective_from),
                    "note": info.note,
                    "reevaluate_open": info.reevaluate_open,
                    "changes": changes,
                }
            )
    lines = []
    for entry in reversed(entries):
        lines.append(
            f"version {entry['version']}  {entry['published_at']}  by {entry['author']}"
            f"  effective {entry['effective_from']}"
            + (f"  — {entry['note']}" if entry["note"] else "")
        )
        lines += [f"    {change}" for change in entry["changes"]]
    _emit(options, {"versions": entries}, "\n".join(lines) or "no matrix has been published yet")
    return 0


@with_database
def matrix_rollback(options: argparse.Namespace, database: Database) -> int:
    now = _now()
    with database.session() as session:
        try:
            info = rollback(
                session,
                options.version,
                author=_author(options),
                now=now,
                base_version=latest_number(session),
            )
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        clocks = refresh_clocks(session, now)
    _emit(
        options,
        {"version": info.number},
        f"published version {info.number} = version {options.version}; {clocks:,} clocks re-evaluated",
    )
    return 0


# ----- import and clocks -----------------------------------------------------------------
@with_database
def import_file(options: argparse.Namespace, database: Database) -> int:
    if options.mapping:
        from .engine.wide_import import load_mapping, read_wide

        result: Any = read_wide(
            options.file,
            load_mapping(options.mapping),
            tz=options.tz,
            skip_bad_rows=options.skip_bad_rows,
        )
    else:
        result = read_events(options.file, tz=options.tz, skip_bad_rows=options.skip_bad_rows)
    for problem in result.skipped:
        print(f"slaapp: skipped {problem}", file=sys.stderr)
    stored = store_log(database, result.log, source=options.source, at=_now())
    ingested, clocks = stored.ingested, stored.clocks
    _emit(
        options,
        {
            "events_added": ingested.events_added,
            "events_updated": ingested.events_updated,
            "events_unchanged": ingested.events_unchanged,
            "records_added": ingested.records_added,
            "skipped_rows": len(result.skipped),
            "clocks_evaluated": clocks,
        },
        f"{Path(options.file).name}: {ingested.summary()}; {clocks:,} clocks re-evaluated"
        + (f"; {len(result.skipped)} bad rows skipped" if result.skipped else ""),
    )
    return 0


@with_database
def clocks(options: argparse.Namespace, database: Database) -> int:
    as_of = _now() if options.as_of is None else _instant(options.as_of, "--as-of", options.tz)
    with database.session() as session:
        try:
            result = stored_clocks(session, as_of)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
    table = result.clocks
    if options.status:
        unknown = sorted(set(options.status) - set(STATUSES))
        if unknown:
            raise CommandError(
                f"--status: unknown status {', '.join(unknown)} (use {', '.join(STATUSES)})"
            )
        codes = np.array([STATUSES.index(s) for s in options.status], dtype=np.int8)
        table = take_clocks(table, np.flatnonzero(np.isin(table.status, codes)))
    write_clocks(table, options.format, sys.stdout)
    return 0


@with_database
def demo(options: argparse.Namespace, database: Database) -> int:
    try:
        result = load_demo(database, seed=options.seed, days=options.days)
    except ValueError as exc:
        raise CommandError(f"--days: {exc}") from None
    _emit(
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


def _period_bound(text: str, option: str, zone_name: str, next_day: bool) -> int:
    """A date (local midnight in `zone_name`; the day after for --to) or an ISO instant."""
    from .reports.export import day_bounds

    try:
        day = date.fromisoformat(text)
    except ValueError:
        return _instant(text, option, zone_name)
    return day_bounds(day, day, zone_name)[1 if next_day else 0]


@with_database
def export(options: argparse.Namespace, database: Database) -> int:
    from .reports.export import export_scorecard, period_zone

    try:
        zone_name = period_zone(database, options.tz)
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    if options.last_week:
        if options.start or options.end:
            raise CommandError("--last-week: give either --last-week or --from and --to")
        first, last = last_full_week(datetime.now(ZoneInfo(zone_name)).date())
        start, end = (
            _period_bound(first.isoformat(), "", zone_name, False),
            _period_bound(last.isoformat(), "", zone_name, True),
        )
    elif options.start and options.end:
        start = _period_bound(options.start, "--from", zone_name, next_day=False)
        end = _period_bound(options.end, "--to", zone_name, next_day=True)
    else:
        raise CommandError("give the period: --from D --to D, or --last-week")
    out = Path(options.out)
    if out.is_dir():
        out = (
            out
            / f"slaapp-scorecard-{datetime.fromtimestamp(start, ZoneInfo(zone_name)).date().isoformat()}.xlsx"
        )
    mailed: list[str] = []
    if options.mail:
        try:
            mailed = check_addresses(options.mail.split(","))
        except ValueError as exc:
            raise CommandError(f"--mail: {exc}") from None
    try:
        result = export_scorecard(
            database, out, start=start, end=end, now=_now(), team=options.team
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if mailed:
        from .deliveries import DeliveryError, mail_workbook

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
    figures = result.data.summary
    _emit(
        options,
        {
            "out": str(result.path),
            "clocks": figures.clocks,
            "adherence": figures.adherence,
            "breaches": len(result.data.breaches),
            "mailed": mailed,
        },
        result.summary() + (f"; mailed to {', '.join(mailed)}" if mailed else ""),
    )
    return 0


@with_database
def settings_smtp(options: argparse.Namespace, database: Database) -> int:
    from .deliveries import save_smtp_settings
    from .notify.email import PASSWORD_SECRET, SmtpSettings
    from .notify.secrets import SecretStore

    if not 0 < options.port < 65536:
        raise CommandError(f"--port: {options.port} is not a TCP port")
    config = SmtpSettings(
        options.host,
        options.port,
        options.user or "",
        options.sender or "",
        not options.no_starttls,
        options.ca_file or "",
    )
    save_smtp_settings(database, config, _now())
    kept = ""
    if options.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not SecretStore().set(PASSWORD_SECRET, password):
            kept = "; no system keyring here, so the password was NOT saved: set SLAAPP_SECRET_SMTP_PASSWORD for headless runs"
    _emit(
        options,
        config.to_dict(),
        f"SMTP settings saved: {config.host}:{config.port}, sender {config.sender or config.username}{kept}",
    )
    return 0


@with_database
def settings_record_url(options: argparse.Namespace, database: Database) -> int:
    from .models.settings import RECORD_URL_SETTING, get_setting, put_setting

    if "{external_id}" not in options.template or not options.template.startswith(
        ("http://", "https://")
    ):
        raise CommandError("the template must be an http(s) address containing {external_id}")
    with database.session() as session:
        links = get_setting(session, RECORD_URL_SETTING) or {}
        links[options.source] = options.template
        put_setting(session, RECORD_URL_SETTING, links, _now())
    _emit(options, links, f"records from {options.source} link to {options.template}")
    return 0
