"""The `slaapp sync` subcommands: sync sources, and add, list, test and remove connections."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from slaapp.cli.common import CommandError, SubParsers, current_time, emit, with_database
from slaapp.engine.instants import format_instant
from slaapp.infra.secrets import (
    ENV_PREFIX,
    SecretError,
    connection_token,
    default_store,
    refresh_token,
)
from slaapp.services.database import Database
from slaapp.sync.connections import (
    Connection,
    ConnectionSettingError,
    get_connection,
    keep_token,
    list_connections,
    remove_connection,
    save_connection,
)
from slaapp.sync.connector import Progress, SyncControl, SyncError
from slaapp.sync.service import probe_connection, sync_all, sync_history, sync_source
from slaapp.sync.sources import SourceKind, kind_names, source_kind, source_kinds


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add the `sync` subcommands to the parser (`common` holds --db, --format, --tz)."""
    sync = sub.add_parser("sync", parents=[common], help="sync CRM sources and export folders")
    sync.add_argument(
        "--source", metavar="NAME", default="all", help="one connection, or all (default)"
    )
    sync.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    sync.set_defaults(handler=sync_run)
    commands = sync.add_subparsers(dest="sync_command", metavar="{add,list,test,remove,history}")

    add = commands.add_parser("add", parents=[common], help="add or change a connection")
    add.add_argument("name", help="a short name, e.g. hubspot or sales-exports")
    add.add_argument("--kind", choices=kind_names(), required=True)
    add.add_argument("--url", help=_url_help())
    add.add_argument("--folder", help="the folder CRM exports are saved to (kind folder)")
    add.add_argument(
        "--every",
        type=int,
        default=60,
        metavar="MIN",
        help="sync every MIN minutes in the app (0: manual)",
    )
    add.add_argument(
        "--mapping", metavar="FILE", help="a mapping JSON file (default: the built-in mapping)"
    )
    add.add_argument("--timezone", help="IANA zone of times without an offset in export files")
    add.add_argument("--disabled", action="store_true", help="keep it out of `sync --source all`")
    add.add_argument(
        "--token-stdin", action="store_true", help="read the access token from standard input"
    )
    add.add_argument(
        "--client-id",
        help="Salesforce: the connected app's consumer key, so sessions renew with a refresh token",
    )
    add.add_argument(
        "--refresh-token-stdin",
        action="store_true",
        help="Salesforce: read the refresh token from standard input (after the access token "
        "with --token-stdin), or set SLAAPP_SECRET_SYNC_<NAME>_REFRESH",
    )
    add.set_defaults(handler=sync_add)

    ls = commands.add_parser("list", parents=[common], help="connections and their last result")
    ls.set_defaults(handler=sync_list)
    test = commands.add_parser("test", parents=[common], help="check that a connection works")
    test.add_argument("name")
    test.set_defaults(handler=sync_test)
    rm = commands.add_parser("remove", parents=[common], help="forget a connection and its token")
    rm.add_argument("name")
    rm.set_defaults(handler=sync_remove)
    hist = commands.add_parser("history", parents=[common], help="the latest sync runs")
    hist.add_argument("--source", metavar="NAME")
    hist.set_defaults(handler=sync_runs)


def _progress(options: argparse.Namespace) -> SyncControl:
    def show(p: Progress) -> None:
        wait = (
            f", waiting {p.waiting_seconds:.0f} s for the rate limit" if p.waiting_seconds else ""
        )
        sys.stderr.write(f"{p.source} {p.stream}: {p.pages} pages, {p.records:,} records{wait}\n")

    return SyncControl(None if options.quiet or options.format == "json" else show)


@with_database
def sync_run(options: argparse.Namespace, database: Database) -> int:
    control = _progress(options)
    if options.source == "all":
        if not list_connections(database):
            raise CommandError("no connections yet: add one with `slaapp sync add NAME --kind ...`")
        reports = sync_all(database, control)
    else:
        try:
            get_connection(database, options.source)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        reports = (sync_source(database, options.source, control),)
    data = [{**asdict(r), "quota": dict(r.quota)} for r in reports]
    emit(options, data, "\n".join(f"{r.source}: {r.message}" for r in reports))
    return 0 if all(r.state in ("ok", "partial") for r in reports) else 1


def _url_help() -> str:
    urls = [f"{k.title} {k.address}" + (f" (default {k.default_url})" if k.default_url else "")
            for k in source_kinds() if k.address]  # fmt: skip
    return "; ".join(urls) or "the source's address"


def _token(options: argparse.Namespace, kind: SourceKind) -> str | None:
    if not kind.needs_token:
        return None
    if options.token_stdin:
        token = sys.stdin.readline().strip()
    elif sys.stdin.isatty():
        token = getpass.getpass(f"{kind.title} access token (not shown): ").strip()
    else:
        return None
    if not token:
        raise CommandError("the access token is empty")
    return token


def _refresh(options: argparse.Namespace, kind: SourceKind) -> str | None:
    """The refresh token from standard input (--refresh-token-stdin), else None."""
    if not getattr(options, "refresh_token_stdin", False):
        return None
    if not kind.refresh_token:
        raise CommandError(f"--refresh-token-stdin: {kind.title} connections take no refresh token")
    token = sys.stdin.readline().strip()
    if not token:
        raise CommandError("the refresh token is empty")
    return token


def _mapping(options: argparse.Namespace, kind: SourceKind) -> dict[str, Any]:
    if not options.mapping:
        return {}  # the built-in mapping (HubSpot deal stages follow the account's pipelines)
    try:
        loaded: dict[str, Any] = json.loads(Path(options.mapping).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"{options.mapping}: {exc}") from None
    try:
        kind.check_mapping(loaded, options.mapping)
    except ValueError as exc:  # MappingError is a ValueError too
        raise CommandError(f"{options.mapping}: {exc}") from None
    return loaded


@with_database
def sync_add(options: argparse.Namespace, database: Database) -> int:
    kind = source_kind(options.kind)
    if kind is None:  # argparse checks the choice; this keeps a caller's Namespace honest
        raise CommandError(f"kind {options.kind!r}: choose one of {', '.join(kind_names())}")
    url = options.url or kind.default_url
    extra = {"timezone": options.timezone} if options.timezone else {}
    if getattr(options, "client_id", None):
        if not kind.refresh_token:
            raise CommandError(f"--client-id: {kind.title} connections take no client id")
        extra["client_id"] = options.client_id
    connection = Connection(
        options.name, kind.name, url=url, folder=options.folder or "", schedule_minutes=options.every,
        enabled=not options.disabled, mapping=_mapping(options, kind), options=extra,
    )  # fmt: skip
    token = _token(options, kind)
    renew = _refresh(options, kind)
    try:
        save_connection(database, connection, current_time())
    except ConnectionSettingError as exc:
        raise CommandError(str(exc)) from None
    where = ""
    secret = connection_token(connection.name, kind.name)
    if token is not None:
        where = f" ({keep_token(secret, token, connection.endpoint)})"
    elif kind.needs_token:
        where = f" (no token given: run again with --token-stdin, or set {secret.env})"
    if renew is not None:
        where += f" (refresh token: {keep_token(refresh_token(connection.name), renew)})"
    link = kind.record_url_of(connection)
    hint = (
        f"\nrecord links: slaapp settings record-url {connection.name!r} {link!r}" if link else ""
    )
    emit(options, connection.to_document(), f"connection {connection.name} saved{where}{hint}")
    return 0


def _last(database: Database, name: str) -> str:
    runs = sync_history(database, name, limit=1)
    if not runs:
        return "never synced"
    run = runs[0]
    when = format_instant(run.finished_at or run.started_at)
    return f"{run.state} at {when}" + (f": {run.error}" if run.error else "")


@with_database
def sync_list(options: argparse.Namespace, database: Database) -> int:
    connections = list_connections(database)
    data = [{**c.to_document(), "last_result": _last(database, c.name)} for c in connections]
    lines = [f"{c.name:<20} {c.kind:<10} {'every ' + str(c.schedule_minutes) + ' min' if c.schedule_minutes else 'manual':<15}"
             f" {'enabled' if c.enabled else 'disabled':<9} {_last(database, c.name)}" for c in connections]  # fmt: skip
    if not default_store().works():
        lines.append(f"no system keyring: tokens come from {ENV_PREFIX}SYNC_<CONNECTION NAME>")
    emit(options, data, "\n".join(lines) or "no connections yet: add one with `slaapp sync add`")
    return 0


@with_database
def sync_test(options: argparse.Namespace, database: Database) -> int:
    try:
        info = probe_connection(database, options.name)
    except (SyncError, SecretError, LookupError) as exc:
        raise CommandError(str(exc)) from None
    emit(
        options,
        asdict(info),
        f"{options.name}: connected to {info.account}"
        + (f"; {info.detail}" if info.detail else ""),
    )
    return 0


@with_database
def sync_remove(options: argparse.Namespace, database: Database) -> int:
    try:
        remove_connection(database, options.name, current_time())
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    emit(options, {"removed": options.name}, f"connection {options.name} removed; its records stay")
    return 0


@with_database
def sync_runs(options: argparse.Namespace, database: Database) -> int:
    runs = sync_history(database, options.source, limit=50)
    lines = [f"{r.id:>5} {r.source:<20} {format_instant(r.started_at)} {r.state:<11} {r.records:>8,} records"
             f" {r.events:>8,} events" + (f"  {r.error}" if r.error else "") for r in runs]  # fmt: skip
    emit(options, [asdict(r) for r in runs], "\n".join(lines) or "no sync has run yet")
    return 0
