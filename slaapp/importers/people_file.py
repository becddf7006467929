"""Reading a people file (CSV or XLSX): who is who, checked whole, every problem with row and column."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaapp.engine.errors import Problem
from slaapp.engine.people import phone_number
from slaapp.importers.event_file import (
    CSV_SUFFIXES,
    MAX_PROBLEMS,
    XLSX_SUFFIXES,
    EventFileError,
    cell_text,
    first_sheet,
    read_bytes,
)
from slaapp.importers.text_files import decode_text, sniff_delimiter

ROLES = ("rep", "team_lead", "manager", "vp", "admin")
FIELDS = (
    "name", "email", "key", "team", "manager", "role", "timezone", "hours", "capacity",
    "out_of_office", "crm_ids", "phone",
)  # fmt: skip
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "sales_agent", "agent", "owner", "full_name", "person"),
    "email": ("email", "e_mail", "email_address", "mail"),
    "key": ("key", "id", "person_key"),
    "team": ("team", "regional_office", "department", "office", "region"),
    "manager": ("manager", "reports_to", "manager_email"),
    "role": ("role", "title_role"),
    "timezone": ("timezone", "time_zone", "tz"),
    "hours": ("hours", "working_hours", "work_hours"),
    "capacity": ("capacity", "max_open", "open_clocks"),
    "out_of_office": ("out_of_office", "ooo", "away", "time_off"),
    "crm_ids": ("crm_ids", "crm_id", "owner_ids"),
    "phone": ("phone", "mobile", "mobile_phone", "phone_number", "cell"),
}
"""Header words (lower case, spaces and dashes as `_`) per field, in order of preference."""
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(
    r"^\s*(?:(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+)?"
    r"(?P<start>\d{1,2}(?::\d{2})?)\s*-\s*(?P<end>\d{1,2}(?::\d{2})?)\s*$"
)


class PeopleFileError(EventFileError):
    """The people file was rejected whole (nothing stored); .problems has row and column."""


@dataclass(frozen=True)
class WorkingHours:
    """Working days (0 = Monday) and the day's start and end as HH:MM."""

    days: tuple[int, ...]
    start: str
    end: str

    def as_json(self) -> dict[str, Any]:
        """As stored: whole hours for the engine, the exact minutes and days beside them."""
        start_h = int(self.start.split(":")[0])
        end_h, end_m = (int(p) for p in self.end.split(":"))
        return {
            "start": start_h, "end": end_h + (1 if end_m else 0), "from": self.start,
            "to": self.end, "days": list(self.days),
        }  # fmt: skip

    def __str__(self) -> str:
        first, last = DAYS[self.days[0]], DAYS[self.days[-1]]
        days = first if first == last else f"{first}-{last}"
        return f"{days} {self.start}-{self.end}"


@dataclass(frozen=True)
class PersonRow:
    """One person as the file gives them; fields left empty are None (kept as stored)."""

    row: int
    key: str
    name: str
    email: str | None = None
    team: str | None = None
    manager: str | None = None
    role: str | None = None
    timezone: str | None = None
    hours: WorkingHours | None = None
    capacity: int | None = None
    out_of_office: tuple[tuple[str, str], ...] | None = None
    crm_ids: tuple[tuple[str, str], ...] = ()
    given: frozenset[str] = field(default_factory=frozenset)
    """The fields the file set for this person (what the import marks as set by hand)."""
    phone: str | None = None
    """A mobile number for SMS alerts, in E.164 (`+14155550123`)."""


@dataclass(frozen=True)
class KnownPerson:
    """A person already in the directory, as the reader needs them to resolve managers."""

    key: str
    name: str
    email: str | None
    manager: str | None


@dataclass(frozen=True)
class PeopleFile:
    name: str
    people: tuple[PersonRow, ...]


def read_people(
    path: str | os.PathLike[str],
    directory: Sequence[KnownPerson] = (),
    *,
    add_managers: bool = False,
) -> PeopleFile:
    """Read and check a people file against the directory; PeopleFileError lists every problem.

    With `add_managers`, a manager named in the file who is neither a row nor in the
    directory becomes a new person (role manager, the team of their reports when they
    share one) instead of an error.
    """
    name = os.fspath(path)
    file = Path(name)
    if not file.is_file():
        raise PeopleFileError(
            name, [Problem("file not found" if not file.exists() else "not a file")]
        )
    try:
        header, rows = _table(name, file)
    except EventFileError as exc:
        raise PeopleFileError(name, exc.problems) from None
    columns, problems = _columns(header)
    if problems:
        raise PeopleFileError(name, problems)
    people: list[PersonRow] = []
    managers: dict[int, tuple[str, str]] = {}
    for rowno, cells in rows:
        found, issues = _person(rowno, cells, columns)
        problems.extend(issues)
        if found is not None:
            people.append(found[0])
            if found[1]:
                managers[rowno] = (found[1], columns["manager"][1])
    people, issues = _resolve(people, managers, directory, add_managers)
    problems.extend(issues)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        total = len(problems)
        if total > MAX_PROBLEMS:
            more = total - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], Problem(f"... and {more} more problems")]
        raise PeopleFileError(name, problems, total)
    return PeopleFile(name, tuple(people))


# --- reading the table -------------------------------------------------------------------


def _table(name: str, file: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    suffix = file.suffix.lower()
    if suffix in CSV_SUFFIXES:
        try:
            text, _encoding = decode_text(read_bytes(name, file))
        except ValueError as exc:
            raise PeopleFileError(name, [Problem(str(exc))]) from None
        try:
            found = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))
        except csv.Error as exc:
            raise PeopleFileError(name, [Problem(f"not readable as CSV: {exc}")]) from None
        return _split(name, [(i + 1, row) for i, row in enumerate(found)])
    if suffix in XLSX_SUFFIXES:
        with first_sheet(name, file) as sheet:
            values = [
                (i + 1, [cell_text(v) for v in row])
                for i, row in enumerate(sheet.iter_rows(values_only=True))
            ]
        return _split(name, values)
    raise PeopleFileError(
        name, [Problem("cannot read this kind of file; save it as .csv or .xlsx")]
    )


def _split(
    name: str, rows: Iterable[tuple[int, list[str]]]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    filled = [(n, [c.strip() for c in cells]) for n, cells in rows if any(c.strip() for c in cells)]
    if not filled:
        raise PeopleFileError(name, [Problem("the file is empty; expected a header row with name")])
    return filled[0][1], filled[1:]


def _word(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _columns(header: list[str]) -> tuple[dict[str, tuple[int, str]], list[Problem]]:
    """Field -> (index, header as written); the preferred alias wins when several appear."""
    words = {_word(h): i for i, h in reversed(list(enumerate(header))) if h}
    columns: dict[str, tuple[int, str]] = {}
    for name, aliases in ALIASES.items():
        for alias in aliases:
            if alias in words and words[alias] not in {i for i, _ in columns.values()}:
                columns[name] = (words[alias], header[words[alias]])
                break
    if "name" not in columns:
        known = ", ".join(ALIASES["name"])
        return columns, [Problem(f"no name column; expected one of: {known}", row=1)]
    return columns, []


# --- one row -----------------------------------------------------------------------------


def _person(
    rowno: int, cells: list[str], columns: Mapping[str, tuple[int, str]]
) -> tuple[tuple[PersonRow, str | None] | None, list[Problem]]:
    values = {f: cells[i] if i < len(cells) else "" for f, (i, _) in columns.items()}
    problems: list[Problem] = []

    def bad(what: str, message: str) -> None:
        problems.append(Problem(message, row=rowno, column=columns[what][1], found=values[what]))

    name = values.get("name", "")
    if not name:
        problems.append(Problem("the name is empty", row=rowno, column=columns["name"][1]))
    email = values.get("email", "").lower() or None
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        bad("email", "not an email address")
    role = values.get("role", "").lower().replace(" ", "_") or None
    if role is not None and role not in ROLES:
        bad("role", f"unknown role; expected one of: {', '.join(ROLES)}")
    timezone = values.get("timezone") or None
    if timezone is not None and not valid_zone(timezone):
        bad("timezone", "not an IANA time zone (like America/New_York or Europe/Berlin)")
    hours = capacity = away = None
    if values.get("hours"):
        try:
            hours = parse_hours(values["hours"])
        except ValueError as exc:
            bad("hours", str(exc))
    if values.get("capacity"):
        try:
            capacity = parse_capacity(values["capacity"])
        except ValueError as exc:
            bad("capacity", str(exc))
    if values.get("out_of_office"):
        try:
            away = parse_out_of_office(values["out_of_office"])
        except ValueError as exc:
            bad("out_of_office", str(exc))
    crm_ids: tuple[tuple[str, str], ...] = ()
    if values.get("crm_ids"):
        try:
            crm_ids = parse_crm_ids(values["crm_ids"])
        except ValueError as exc:
            bad("crm_ids", str(exc))
    phone = None
    if values.get("phone"):
        try:
            phone = phone_number(values["phone"])
        except ValueError as exc:
            bad("phone", str(exc))
    if not name:
        return None, problems
    key = values.get("key", "").lower() or derive_key(email, name)
    given = frozenset(f for f in FIELDS if values.get(f) and f not in ("name", "key", "crm_ids"))
    person = PersonRow(
        row=rowno, key=key, name=name, email=email, team=values.get("team") or None,
        role=role, timezone=timezone, hours=hours, capacity=capacity, out_of_office=away,
        crm_ids=crm_ids, given=given, phone=phone,
    )  # fmt: skip
    return (person, values.get("manager") or None), problems


def derive_key(email: str | None, name: str) -> str:
    """The key of a person without one: the email's local part, else the name (ben.carter)."""
    if email:
        return email.split("@", 1)[0].lower()
    return ".".join(re.findall(r"[a-z0-9]+", name.lower())) or name.strip().lower()


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_hours(text: str) -> WorkingHours:
    """`mon-fri 09:00-17:00`, `09:00-17:30` (Monday to Friday) or `mon-sat 8-16`."""
    match = _HOURS.match(text.lower())
    if match is None:
        raise ValueError("working hours look like mon-fri 09:00-17:00")
    first, last = match["first"] or "mon", match["last"] or (match["first"] or "fri")
    if first not in DAYS or last not in DAYS or DAYS.index(last) < DAYS.index(first):
        raise ValueError("days run from one weekday to a later one, like mon-fri")
    start, end = _clock(match["start"]), _clock(match["end"])
    if start is None or end is None or end <= start:
        raise ValueError("the day starts before it ends, both between 00:00 and 24:00")
    return WorkingHours(tuple(range(DAYS.index(first), DAYS.index(last) + 1)), start, end)


def _clock(text: str) -> str | None:
    hour, _, minute = text.partition(":")
    h, m = int(hour), int(minute or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return f"{h:02d}:{m:02d}"


def parse_capacity(text: str) -> int:
    try:
        value = int(float(text))
    except ValueError:
        raise ValueError("capacity is a whole number of open clocks") from None
    if value < 1:
        raise ValueError("capacity is at least 1 open clock")
    return value


def parse_out_of_office(text: str) -> tuple[tuple[str, str], ...]:
    """`2026-12-21..2027-01-02`, several separated by `;` or `,`; a single date is one day."""
    spans = []
    for part in re.split(r"[;,]", text):
        if not part.strip():
            continue
        first, _, last = part.strip().partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last.strip() else start
        except ValueError:
            raise ValueError(
                "out of office is from..to dates, like 2026-12-21..2027-01-02"
            ) from None
        if end < start:
            raise ValueError("out of office ends before it starts")
        spans.append((start.isoformat(), end.isoformat()))
    return tuple(spans)


def parse_crm_ids(text: str) -> tuple[tuple[str, str], ...]:
    """`hubspot:123;salesforce:005...` as (crm, owner id) pairs."""
    pairs = []
    for part in re.split(r"[;,]", text):
        if not part.strip():
            continue
        crm, sep, owner = part.strip().partition(":")
        if not sep or not crm.strip() or not owner.strip():
            raise ValueError("CRM ids look like hubspot:123;salesforce:0055e000001")
        pairs.append((crm.strip().lower(), owner.strip()))
    return tuple(pairs)


# --- managers ----------------------------------------------------------------------------


def _resolve(
    people: list[PersonRow],
    managers: Mapping[int, tuple[str, str]],
    directory: Sequence[KnownPerson],
    add_managers: bool,
) -> tuple[list[PersonRow], list[Problem]]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for person in people:
        for value in (person.key, person.email):
            if value and value in seen:
                problems.append(Problem(
                    f"the same person as row {seen[value]}", row=person.row, found=value
                ))  # fmt: skip
            elif value:
                seen[value] = person.row
    if problems:
        return people, problems
    lookup = _lookup([*directory, *(KnownPerson(p.key, p.name, p.email, None) for p in people)])
    added: dict[str, PersonRow] = {}
    resolved: list[PersonRow] = []
    for person in people:
        if person.row not in managers:
            resolved.append(person)
            continue
        text, column = managers[person.row]
        key = lookup.get(text.lower())
        if key is None and add_managers:
            key = derive_key(text if "@" in text else None, text)
            added.setdefault(key, PersonRow(
                row=person.row, key=key, name=text if "@" not in text else key,
                email=text.lower() if "@" in text else None, role="manager",
                team=person.team, given=frozenset({"role"}),
            ))  # fmt: skip
            lookup[text.lower()] = key
        if key is None:
            problems.append(Problem(
                "unknown manager: not a name, email or key of another row or of the directory "
                "(add a row for them, or import with --add-managers)",
                row=person.row, column=column, found=text,
            ))  # fmt: skip
            continue
        if key == person.key:
            problems.append(
                Problem(
                    "a person cannot be their own manager",
                    row=person.row,
                    column=column,
                    found=text,
                )
            )
            continue
        resolved.append(_with_manager(person, key))
    final = [*resolved, *_team_of_reports(added.values(), resolved)]
    problems.extend(_loops(final, directory, managers))
    return final, problems


def _with_manager(person: PersonRow, key: str) -> PersonRow:
    return replace(person, manager=key, given=person.given | {"manager"})


def _team_of_reports(
    added: Iterable[PersonRow], people: Sequence[PersonRow]
) -> Iterator[PersonRow]:
    for manager in added:
        teams = {p.team for p in people if p.manager == manager.key}
        team = teams.pop() if len(teams) == 1 else None
        yield replace(manager, team=team, given=manager.given | ({"team"} if team else set()))


def _lookup(people: Iterable[KnownPerson]) -> dict[str, str]:
    """Key, email and exact name (lower case) -> key; keys first, names last."""
    found: dict[str, str] = {}
    people = list(people)
    for person in people:
        found.setdefault(person.name.lower(), person.key)
    for person in people:
        if person.email:
            found[person.email.lower()] = person.key
    for person in people:
        found[person.key.lower()] = person.key
    return found


def _loops(
    people: Sequence[PersonRow],
    directory: Sequence[KnownPerson],
    managers: Mapping[int, tuple[str, str]],
) -> list[Problem]:
    """Every row whose chain of managers comes back to them (file rows over the directory)."""
    boss = {p.key: p.manager for p in directory}
    boss.update({p.key: p.manager for p in people if p.manager is not None or p.key not in boss})
    problems = []
    for person in people:
        chain, current = [person.key], boss.get(person.key)
        while current is not None and current not in chain:
            chain.append(current)
            current = boss.get(current)
        if current == person.key:
            column = managers[person.row][1] if person.row in managers else None
            problems.append(Problem(
                "manager loop: " + " -> ".join([*chain, person.key]),
                row=person.row, column=column, found=person.manager or "",
            ))  # fmt: skip
    return problems
