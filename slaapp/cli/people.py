"""The `slaapp people` subcommands: import a people file, list the directory, set fields by hand."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from slaapp.cli.common import SubParsers, author, current_time, emit, with_database
from slaapp.services.database import Database
from slaapp.services.people import (
    PeopleImport,
    PersonEntry,
    import_people,
    people,
    set_person_fields,
)

FIELD_OPTIONS = (
    ("--name", "name", "the person's name"),
    ("--email", "email", "email address"),
    ("--phone", "phone", "mobile number for SMS alerts, like +14155550123 (empty: none)"),
    ("--team", "team", "team name (empty: no team)"),
    ("--manager", "manager", "manager's name, email or key (empty: none)"),
    ("--role", "role", "rep, team_lead, manager, vp or admin"),
    ("--timezone", "timezone", "IANA time zone, like America/New_York"),
    ("--hours", "hours", "working hours, like 'mon-fri 09:00-17:00'"),
    ("--capacity", "capacity", "open clocks the person can carry"),
    ("--out-of-office", "out_of_office", "from..to dates, several separated by ';' (empty: none)"),
)


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add the `people` subcommands (`common` holds --db, --format, --tz)."""
    noun = sub.add_parser("people", help="the people directory")
    psub = noun.add_subparsers(dest="people_command", required=True, metavar="WHAT")
    imp = psub.add_parser("import", parents=[common], help="load a people file (CSV or XLSX)")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--preview", action="store_true", help="show what would change, store nothing")
    imp.add_argument(
        "--add-managers", action="store_true",
        help="add managers the file names but has no row for (instead of rejecting the file)",
    )  # fmt: skip
    imp.add_argument("--author", help="who is importing (default: the login name)")
    imp.set_defaults(handler=people_import)
    lst = psub.add_parser("list", parents=[common], help="everyone in the directory")
    lst.set_defaults(handler=people_list)
    put = psub.add_parser("set", parents=[common], help="set fields of one person by hand")
    put.add_argument("key", metavar="KEY")
    for flag, dest, text in FIELD_OPTIONS:
        put.add_argument(flag, dest=f"field_{dest}", metavar="VALUE", help=text)
    put.add_argument("--author", help="who is editing (default: the login name)")
    put.set_defaults(handler=people_set)


@with_database
def people_import(options: argparse.Namespace, database: Database) -> int:
    result = import_people(
        database, options.file, actor=author(options), now=current_time(),
        preview=options.preview, add_managers=options.add_managers,
    )  # fmt: skip
    emit(options, _import_json(result), _import_text(result))
    return 0


@with_database
def people_list(options: argparse.Namespace, database: Database) -> int:
    found = people(database)
    if options.format == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(
            ["key", "name", "email", "team", "manager", "role", "timezone", "hours", "capacity",
             "phone"]
        )  # fmt: skip
        for p in found:
            writer.writerow(
                [
                    p.key,
                    p.name,
                    p.email or "",
                    p.team,
                    p.manager or "",
                    p.role,
                    p.timezone,
                    p.hours,
                    p.capacity,
                    p.phone or "",
                ]
            )
        return 0
    lines = [f"{len(found)} people"]
    lines.extend(
        f"{p.key:<24} {p.name:<24} {p.role:<9} {p.team or '-':<20} manager {p.manager or '-'}"
        for p in found
    )
    emit(options, [_person_json(p) for p in found], "\n".join(lines))
    return 0


@with_database
def people_set(options: argparse.Namespace, database: Database) -> int:
    fields = {
        dest: value for _, dest, _ in FIELD_OPTIONS
        if (value := getattr(options, f"field_{dest}")) is not None
    }  # fmt: skip
    if not fields:
        from slaapp.cli.common import CommandError

        raise CommandError(
            "nothing to set; give at least one of " + ", ".join(f for f, _, _ in FIELD_OPTIONS)
        )
    entry = set_person_fields(
        database, options.key, fields, actor=author(options), now=current_time()
    )
    emit(options, _person_json(entry), f"{entry.key}: set {', '.join(sorted(fields))}")
    return 0


def _import_json(result: PeopleImport) -> dict[str, Any]:
    return {
        "file": result.file, "stored": result.stored,
        "added": result.count("add"), "updated": result.count("update"),
        "unchanged": result.count("same"),
        "rows": [
            {"row": c.row, "key": c.key, "name": c.name, "action": c.action, "fields": list(c.fields)}
            for c in result.changes
        ],
    }  # fmt: skip


def _import_text(result: PeopleImport) -> str:
    lines = [
        f"{result.file}: {result.summary()}"
        + ("" if result.stored else " (preview: nothing stored)")
    ]
    lines.extend(
        f"  row {c.row}: {c.action} {c.key}"
        + (f" ({', '.join(c.fields)})" if c.fields and c.action == "update" else "")
        for c in result.changes
        if c.action != "same"
    )
    return "\n".join(lines)


def _person_json(p: PersonEntry) -> dict[str, Any]:
    return {
        "key": p.key, "name": p.name, "email": p.email, "phone": p.phone, "team": p.team,
        "manager": p.manager,
        "role": p.role, "timezone": p.timezone, "hours": p.hours, "capacity": p.capacity,
        "out_of_office": [f"{a}..{b}" for a, b in p.out_of_office],
        "crm_ids": dict(p.crm_ids), "set_by_hand": list(p.hand_set), "active": p.active,
    }  # fmt: skip
