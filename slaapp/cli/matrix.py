"""`slaapp matrix publish|export|history|rollback`: the versions of the SLA matrix."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from slaapp.cli.common import (
    CommandError,
    SubParsers,
    author,
    current_time,
    emit,
    instant,
    with_database,
)
from slaapp.engine.errors import BadInputError
from slaapp.engine.instants import format_instant
from slaapp.engine.matrix_document import dump_matrix
from slaapp.importers.matrix_file import load_matrix
from slaapp.infra.output_files import is_json, write_atomically
from slaapp.services.database import Database
from slaapp.services.matrix_versions import (
    ALL_HISTORY,
    MatrixConflictError,
    Published,
    matrix_version,
    publish_matrix,
    roll_back_to,
    version_history,
)


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add the `matrix` subcommands (`common` holds --db, --format, --tz)."""
    matrix = sub.add_parser("matrix", help="publish, export and list SLA matrix versions")
    msub = matrix.add_subparsers(dest="matrix_command", required=True, metavar="ACTION")
    pub = msub.add_parser(
        "publish", parents=[common], help="publish a matrix file as the next version"
    )
    pub.add_argument("file", metavar="FILE")
    pub.add_argument("--note", default="", help="why this version (shown in the history)")
    pub.add_argument(
        "--effective-from",
        metavar="T",
        help="when the version takes effect: an instant, or `all` for all history (default: now; "
        "after the provisional default: all history)",
    )
    pub.add_argument(
        "--reevaluate-open", action="store_true", help="judge clocks still open by this version too"
    )
    pub.add_argument(
        "--base-version", type=int, metavar="N", help="fail unless version N is still the latest"
    )
    pub.add_argument("--author", help="who publishes (default: the login name)")
    pub.set_defaults(handler=matrix_publish)
    exp = msub.add_parser("export", parents=[common], help="print a version's matrix file")
    exp.add_argument("--version", type=int, metavar="N", help="the version (default: the latest)")
    exp.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    exp.set_defaults(handler=matrix_export)
    hist = msub.add_parser("history", parents=[common], help="every version with what changed")
    hist.set_defaults(handler=matrix_history)
    back = msub.add_parser("rollback", parents=[common], help="publish an earlier version again")
    back.add_argument("version", type=int, metavar="N")
    back.add_argument("--author", help="who publishes (default: the login name)")
    back.set_defaults(handler=matrix_rollback)


def _effective_from(text: str | None, tz: str | None) -> int | None:
    """--effective-from: None (default), ALL_HISTORY for `all`, else the instant."""
    if text is None:
        return None
    if text.strip().lower() == "all":
        return ALL_HISTORY
    return instant(text, "--effective-from", tz)


def publish_words(result: Published) -> str:
    """What a publish did, and how to include the clocks an older version still judges."""
    info = result.version
    text = (
        f"published matrix version {info.number} (effective {format_instant(info.effective_from)})"
    )
    if result.replaced is not None:
        text += f"; it replaces the provisional default (version {result.replaced}) for all history"
    text += f"; {result.clocks:,} clocks re-evaluated"
    if result.older_clocks:
        text += (
            f"\n{result.older_clocks:,} existing clocks stay under an older version (they started "
            f"before {format_instant(info.effective_from)}); to judge them by this version too, "
            "publish with --effective-from all (or an earlier instant), or --reevaluate-open "
            "for the clocks still open"
        )
    return text


@with_database
def matrix_publish(options: argparse.Namespace, database: Database) -> int:
    matrix = load_matrix(options.file)
    effective = _effective_from(options.effective_from, options.tz)
    try:
        result = publish_matrix(
            database, matrix, author=author(options), now=current_time(), note=options.note or "",
            base_version=options.base_version, effective_from=effective,
            reevaluate_open=options.reevaluate_open,
        )  # fmt: skip
    except MatrixConflictError as exc:
        raise CommandError(f"not published: {exc}") from None
    info = result.version
    emit(
        options,
        {
            "version": info.number,
            "effective_from": format_instant(info.effective_from),
            "clocks": result.clocks,
            "older_clocks": result.older_clocks,
            "replaced_provisional": result.replaced,
            "include_older": (
                "publish with --effective-from all, or --reevaluate-open for open clocks"
                if result.older_clocks
                else None
            ),
        },
        publish_words(result),
    )
    return 0


@with_database
def matrix_export(options: argparse.Namespace, database: Database) -> int:
    try:
        matrix = matrix_version(database, options.version)
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    text = dump_matrix(matrix)
    if options.out:
        try:
            write_atomically(Path(options.out), text.encode("utf-8"), "a matrix (JSON)", is_json)
        except BadInputError as exc:
            raise CommandError(f"--out: {exc}") from None
    else:
        sys.stdout.write(text)
    return 0


@with_database
def matrix_history(options: argparse.Namespace, database: Database) -> int:
    entries: list[dict[str, Any]] = [
        {
            "version": entry.version.number,
            "author": entry.version.author,
            "published_at": format_instant(entry.version.published_at),
            "effective_from": format_instant(entry.version.effective_from),
            "note": entry.version.note,
            "reevaluate_open": entry.version.reevaluate_open,
            "provisional": entry.version.provisional,
            "changes": list(entry.changes),
        }
        for entry in version_history(database)
    ]
    lines = []
    for entry in reversed(entries):
        lines.append(
            f"version {entry['version']}  {entry['published_at']}  by {entry['author']}"
            f"  effective {entry['effective_from']}"
            + (f"  — {entry['note']}" if entry["note"] else "")
            + ("  (provisional: the app's default)" if entry["provisional"] else "")
        )
        lines += [f"    {change}" for change in entry["changes"]]
    emit(options, {"versions": entries}, "\n".join(lines) or "no matrix has been published yet")
    return 0


@with_database
def matrix_rollback(options: argparse.Namespace, database: Database) -> int:
    try:
        result = roll_back_to(database, options.version, author=author(options), now=current_time())
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    emit(
        options,
        {"version": result.version.number, "older_clocks": result.older_clocks},
        f"published version {result.version.number} = version {options.version}; "
        f"{result.clocks:,} clocks re-evaluated"
        + (
            f"; {result.older_clocks:,} existing clocks stay under an older version"
            if result.older_clocks
            else ""
        ),
    )
    return 0
