"""The people directory: import a people file (with a preview), list people, set fields by hand."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slaapp.engine.errors import BadInputError, Problem
from slaapp.importers.people_file import (
    ROLES,
    parse_capacity,
    parse_hours,
    parse_out_of_office,
    read_people,
    valid_zone,
)
from slaapp.models.database import Database
from slaapp.models.directory import (
    EDITABLE,
    PersonEntry,
    RowChange,
    apply_people,
    known_people,
    list_people,
    plan_people,
    set_person,
)

__all__ = [
    "EDITABLE", "PeopleImport", "PersonEntry", "RowChange", "import_people", "people",
    "set_person_fields",
]  # fmt: skip


@dataclass(frozen=True)
class PeopleImport:
    """What an import did (or, as a preview, would do) row by row; `stored` says which."""

    file: str
    changes: tuple[RowChange, ...]
    stored: bool

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        verb = "" if self.stored else "would be "
        return (
            f"{self.count('add')} {verb}added, {self.count('update')} {verb}updated, "
            f"{self.count('same')} unchanged"
        )


def import_people(
    database: Database,
    path: str | os.PathLike[str],
    *,
    actor: str,
    now: int,
    preview: bool = False,
    add_managers: bool = False,
) -> PeopleImport:
    """Read a people file whole and upsert it by key or email (PeopleFileError: nothing stored)."""
    with database.session() as session:
        found = read_people(path, known_people(session), add_managers=add_managers)
        if preview:
            changes = plan_people(session, found.people)
        else:
            changes = apply_people(session, found.people, actor, now)
    return PeopleImport(found.name, tuple(changes), not preview)


def people(database: Database) -> tuple[PersonEntry, ...]:
    """Everyone in the directory, by name."""
    with database.session() as session:
        return list_people(session)


def set_person_fields(
    database: Database, key: str, fields: Mapping[str, str], *, actor: str, now: int
) -> PersonEntry:
    """Set fields of one person from text as typed (manager: a name, email or key; empty
    clears); each becomes set by hand, so CRM syncs keep it. BadInputError names the field."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise BadInputError(f"cannot set {', '.join(unknown)}; fields: {', '.join(EDITABLE)}")
    with database.session() as session:
        lookup = _manager_lookup(session)
        values = {name: _parse(lookup, name, text.strip()) for name, text in fields.items()}
        return set_person(session, key, values, actor, now)


def _manager_lookup(session: Session) -> dict[str, str]:
    """Key, email and name (lower case) -> key, for naming a manager."""
    found: dict[str, str] = {}
    known = known_people(session)
    for person in known:
        found.setdefault(person.name.lower(), person.key)
        if person.email:
            found[person.email.lower()] = person.key
    for person in known:
        found[person.key.lower()] = person.key
    return found


def _parse(lookup: Mapping[str, str], name: str, text: str) -> Any:
    def bad(message: str) -> BadInputError:
        error = BadInputError(f"{name}: {message} (found {text!r})")
        error.problems = (Problem(message, column=name, found=text),)
        return error

    try:
        if name == "manager":
            if text and text.lower() not in lookup:
                raise bad("no person with this name, email or key")
            return lookup[text.lower()] if text else None
        if name == "role":
            if text.lower() not in ROLES:
                raise bad(f"expected one of: {', '.join(ROLES)}")
            return text.lower()
        if name == "timezone":
            if not valid_zone(text):
                raise bad("not an IANA time zone (like America/New_York)")
            return text
        if name == "hours":
            return parse_hours(text).as_json()
        if name == "capacity":
            return parse_capacity(text)
        if name == "out_of_office":
            return [list(span) for span in parse_out_of_office(text)]
        if name == "name" and not text:
            raise bad("a person needs a name")
        if name == "email":
            return text.lower() or None
    except ValueError as exc:
        if isinstance(exc, BadInputError):
            raise
        raise bad(str(exc)) from None
    return text
