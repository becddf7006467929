"""The people directory: teams, people, managers; upserted by key so re-loading changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.engine.errors import BadInputError, NotFoundError, Problem
from slaapp.engine.people import PersonInfo, phone_number
from slaapp.importers.people_file import KnownPerson, PersonRow, WorkingHours
from slaapp.models.matrices import audit
from slaapp.models.tables import Person, Team


def owner_directory(session: Session) -> dict[str, tuple[str, str | None]]:
    """Person key and email -> (name, team): owners appear either way, as CRMs give them."""
    teams = {t.id: t.name for t in session.scalars(select(Team))}
    found: dict[str, tuple[str, str | None]] = {}
    for person in session.scalars(select(Person)):
        entry = (person.name, teams.get(person.team_id) if person.team_id is not None else None)
        found[person.key] = entry
        if person.email:
            found[person.email] = entry
    return found


def upsert_people(session: Session, people: Sequence[PersonInfo]) -> int:
    """Create or update teams and people; returns how many people were new."""
    teams = {t.name: t for t in session.scalars(select(Team))}
    for name in dict.fromkeys(p.team for p in people):
        if name not in teams:
            teams[name] = Team(name=name, function=name)
            session.add(teams[name])
    session.flush()
    known = {p.key: p for p in session.scalars(select(Person))}
    added = 0
    for entry in people:
        person = known.get(entry.key)
        if person is None:
            person = known[entry.key] = Person(key=entry.key)
            session.add(person)
            added += 1
        person.name = entry.name
        person.email = entry.email
        if entry.phone is not None:  # a directory without numbers keeps the ones set by hand
            person.phone = entry.phone
        person.team_id = teams[entry.team].id
        person.role = entry.role
        person.timezone = entry.timezone
        stored = person.working_hours or {}
        if (stored.get("start"), stored.get("end")) != entry.hours:  # keep days and minutes
            person.working_hours = {"start": entry.hours[0], "end": entry.hours[1]}
        person.out_of_office = [list(span) for span in entry.out_of_office]
        person.capacity = entry.capacity
    session.flush()
    for entry in people:
        manager = known.get(entry.manager) if entry.manager else None
        known[entry.key].manager_id = manager.id if manager is not None else None
    for team in teams.values():
        leads = [p for p in people if p.team == team.name and p.role == "manager"]
        if leads:
            team.lead_key = leads[0].key
    return added


def load_people(session: Session) -> tuple[PersonInfo, ...]:
    """The directory as PersonInfo values, by key (team by name, manager by key)."""
    teams = {t.id: t.name for t in session.scalars(select(Team))}
    people = list(session.scalars(select(Person).order_by(Person.key)))
    keys = {p.id: p.key for p in people}
    found: list[PersonInfo] = []
    for person in people:
        hours = person.working_hours or {}
        found.append(
            PersonInfo(
                key=person.key,
                name=person.name,
                email=person.email,
                team=teams.get(person.team_id or -1, ""),
                role=person.role,
                manager=keys.get(person.manager_id or -1),
                timezone=person.timezone or "UTC",
                hours=(int(hours.get("start", 9)), int(hours.get("end", 17))),
                capacity=person.capacity,
                out_of_office=tuple(
                    (str(span[0]), str(span[1])) for span in person.out_of_office or ()
                ),
                active=person.active,
                phone=person.phone,
            )
        )
    return tuple(found)


# --- the people screen, the people file and hand edits -----------------------------------

EDITABLE = (
    "name",
    "email",
    "phone",
    "team",
    "manager",
    "role",
    "timezone",
    "hours",
    "capacity",
    "out_of_office",
)
"""Fields a person can set by hand; a CRM sync never overwrites one that was."""


@dataclass(frozen=True)
class PersonEntry:
    """One person of the directory as the People screen and `people list` show them."""

    key: str
    name: str
    email: str | None
    team: str
    manager: str | None
    manager_name: str
    role: str
    timezone: str
    hours: str
    capacity: int
    out_of_office: tuple[tuple[str, str], ...]
    crm_ids: tuple[tuple[str, str], ...]
    hand_set: tuple[str, ...]
    active: bool
    phone: str | None = None
    """A mobile number in E.164 for SMS alerts."""


@dataclass(frozen=True)
class RowChange:
    """What importing one row of a people file does: add, update (which fields) or nothing."""

    row: int
    key: str
    name: str
    action: str
    fields: tuple[str, ...]


def hours_text(hours: dict[str, Any] | None) -> str:
    """Working hours as written in a people file: `mon-fri 09:00-17:00`."""
    found = hours or {}
    start = str(found.get("from") or f"{int(found.get('start', 9)):02d}:00")
    end = str(found.get("to") or f"{int(found.get('end', 17)):02d}:00")
    days = [int(d) for d in found.get("days") or range(5)]
    return str(WorkingHours(tuple(days), start, end))


def known_people(session: Session) -> list[KnownPerson]:
    """The directory as the people-file reader resolves managers against it."""
    people = list(session.scalars(select(Person)))
    keys = {p.id: p.key for p in people}
    return [KnownPerson(p.key, p.name, p.email, keys.get(p.manager_id or -1)) for p in people]


def list_people(session: Session) -> tuple[PersonEntry, ...]:
    teams = {t.id: t.name for t in session.scalars(select(Team))}
    people = list(session.scalars(select(Person).order_by(Person.name, Person.key)))
    by_id = {p.id: p for p in people}
    return tuple(
        PersonEntry(
            key=p.key,
            name=p.name,
            email=p.email,
            team=teams.get(p.team_id or -1, ""),
            manager=by_id[p.manager_id].key if p.manager_id in by_id else None,
            manager_name=by_id[p.manager_id].name if p.manager_id in by_id else "",
            role=p.role,
            timezone=p.timezone or "UTC",
            hours=hours_text(p.working_hours),
            capacity=p.capacity,
            out_of_office=tuple((str(a), str(b)) for a, b in p.out_of_office or ()),
            crm_ids=tuple(sorted((str(k), str(v)) for k, v in (p.crm_ids or {}).items())),
            hand_set=tuple(str(f) for f in p.hand_set or ()),
            active=p.active,
            phone=p.phone,
        )
        for p in people
    )


def _values(row: PersonRow) -> dict[str, Any]:
    """The stored value of each field the row gives (manager as key, hours as JSON)."""
    found: dict[str, Any] = {"name": row.name}
    for name in row.given:
        value = getattr(row, name)
        if name == "hours":
            value = value.as_json()
        elif name == "out_of_office":
            value = [list(span) for span in value]
        found[name] = value
    return found


def _current(person: Person, teams: dict[int, str], keys: dict[int, str]) -> dict[str, Any]:
    return {
        "name": person.name, "email": person.email, "phone": person.phone,
        "team": teams.get(person.team_id or -1),
        "manager": keys.get(person.manager_id or -1), "role": person.role,
        "timezone": person.timezone, "hours": person.working_hours,
        "capacity": person.capacity, "out_of_office": person.out_of_office,
    }  # fmt: skip


def plan_people(session: Session, rows: Sequence[PersonRow]) -> list[RowChange]:
    """What importing `rows` would change, without changing anything (the preview)."""
    people = list(session.scalars(select(Person)))
    teams = {t.id: t.name for t in session.scalars(select(Team))}
    keys = {p.id: p.key for p in people}
    by_key = {p.key: p for p in people}
    by_email = {p.email.lower(): p for p in people if p.email}
    changes = []
    for row in rows:
        person = by_key.get(row.key) or (by_email.get(row.email) if row.email else None)
        if person is None:
            changes.append(
                RowChange(row.row, row.key, row.name, "add", tuple(sorted(_values(row))))
            )
            continue
        now = _current(person, teams, keys)
        differs = tuple(sorted(f for f, v in _values(row).items() if now.get(f) != v))
        hand = set(row.given) - set(person.hand_set or ())
        action = "update" if differs or hand or _new_ids(person, row) else "same"
        changes.append(RowChange(row.row, person.key, row.name, action, differs))
    return changes


def _new_ids(person: Person, row: PersonRow) -> bool:
    return any((person.crm_ids or {}).get(crm) != owner for crm, owner in row.crm_ids)


def apply_people(
    session: Session, rows: Sequence[PersonRow], actor: str, now: int
) -> list[RowChange]:
    """Upsert the rows by key or email; fields a row gives become set by hand; audited."""
    changes = plan_people(session, rows)
    teams = {t.name: t for t in session.scalars(select(Team))}
    people = {p.key: p for p in session.scalars(select(Person))}
    for row, change in zip(rows, changes, strict=True):
        if change.action == "same":
            continue
        person = people.get(change.key)
        if person is None:
            person = people[change.key] = Person(
                key=change.key,
                name=row.name,
                working_hours={"start": 9, "end": 17},
                out_of_office=[],
                hand_set=[],
                crm_ids={},
            )
            session.add(person)
        _assign(session, person, {f: v for f, v in _values(row).items() if f != "manager"}, teams)
        person.hand_set = sorted(set(person.hand_set or ()) | set(row.given))
        person.crm_ids = {**(person.crm_ids or {}), **dict(row.crm_ids)}
    session.flush()
    stored_as = {row.key: change.key for row, change in zip(rows, changes, strict=True)}
    for row, change in zip(rows, changes, strict=True):
        if "manager" in row.given:
            manager = stored_as.get(str(row.manager), str(row.manager))
            people[change.key].manager_id = people[manager].id
        if change.action != "same":
            audit(
                session,
                actor,
                f"person {'added' if change.action == 'add' else 'updated'}",
                "person",
                change.key,
                now,
                fields=list(change.fields),
                source="people file",
            )
    session.flush()
    return changes


def _assign(
    session: Session, person: Person, values: dict[str, Any], teams: dict[str, Team]
) -> None:
    for name, value in values.items():
        if name == "team":
            if value and value not in teams:
                teams[value] = Team(name=value, function=value)
                session.add(teams[value])
                session.flush()
            person.team_id = teams[value].id if value else None
        elif name == "hours":
            person.working_hours = value
        else:
            setattr(person, name, value)


def set_person(
    session: Session, key: str, values: dict[str, Any], actor: str, now: int
) -> PersonEntry:
    """Set fields of one person by hand (manager by key); remembered as set by hand; audited."""
    person = session.scalar(select(Person).where(Person.key == key))
    if person is None:
        raise NotFoundError(f"no person with the key {key!r}; see `slaapp people list`")
    if "phone" in values:  # E.164 or nothing, whatever the caller typed
        values = {**values, "phone": _phone(values["phone"])}
    teams = {t.name: t for t in session.scalars(select(Team))}
    keys = {p.id: p.key for p in session.scalars(select(Person))}
    before = _current(person, {t.id: n for n, t in teams.items()}, keys)
    if "manager" in values:
        manager = values["manager"]
        boss = session.scalar(select(Person).where(Person.key == manager)) if manager else None
        if manager and boss is None:
            raise NotFoundError(f"no person with the key {manager!r} to be the manager")
        _refuse_loop(session, person, boss)
        person.manager_id = boss.id if boss is not None else None
    _assign(session, person, {f: v for f, v in values.items() if f != "manager"}, teams)
    person.hand_set = sorted(set(person.hand_set or ()) | set(values))
    session.flush()
    changed = {
        f: [_plain(before.get(f)), _plain(v)] for f, v in values.items() if before.get(f) != v
    }
    audit(session, actor, "person updated", "person", key, now, changes=changed, source="by hand")
    return next(p for p in list_people(session) if p.key == key)


def _phone(value: Any) -> str | None:
    """A typed mobile number as stored: E.164, or None when empty; BadInputError names it."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return phone_number(text)
    except ValueError as exc:
        error = BadInputError(f"phone: {exc}")
        error.problems = (Problem(str(exc), column="phone", found=text),)
        raise error from None


def _plain(value: Any) -> Any:
    return (
        value
        if isinstance(value, str | int | float | bool | list | dict) or value is None
        else str(value)
    )


def _refuse_loop(session: Session, person: Person, boss: Person | None) -> None:
    managers = {p.id: (p.key, p.manager_id) for p in session.scalars(select(Person))}
    chain, current = [person.key], boss.id if boss is not None else None
    while current is not None and current in managers:
        key, current = managers[current]
        chain.append(key)
        if key == person.key:
            raise BadInputError("manager loop: " + " -> ".join(chain))
