"""CRM owners into the people directory, keeping what the directory already knows about them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from slaapp.engine.people import PersonInfo
from slaapp.models.database import Database
from slaapp.models.directory import upsert_people
from slaapp.models.tables import Person, Team
from slaapp.sync.store import owner_map, save_owner_map


def directory_key(source: str, person: PersonInfo) -> str:
    """The key a new CRM person gets in the directory: the email, else source:id."""
    return (person.email or "").strip().lower() or f"{source}:{person.key}"


def merge_people(
    database: Database, source: str, people: Sequence[PersonInfo], now: int
) -> dict[str, str]:
    """Add CRM owners to the directory and return CRM owner id -> directory key.

    People already in the directory (same key, CRM owner id or email) keep their team, role,
    time zone, hours, capacity and out-of-office; the CRM updates their name and manager
    unless a person set those by hand.
    """
    if not people:
        return owner_map(database, source)
    previous = owner_map(database, source)
    with database.session() as session:
        stored = {p.key: p for p in session.scalars(select(Person))}
        by_email = {p.email.lower(): p for p in stored.values() if p.email}
        by_crm = {
            owner: p for p in stored.values()
            for crm, owner in (p.crm_ids or {}).items() if crm in source.lower()
        }  # fmt: skip
        teams = {t.id: t.name for t in session.scalars(select(Team))}
        mapping: dict[str, str] = {}
        for person in people:
            known = (
                stored.get(previous.get(person.key, ""))
                or by_crm.get(person.key)
                or (by_email.get(person.email.lower()) if person.email else None)
            )
            mapping[person.key] = known.key if known else directory_key(source, person)
        infos: list[PersonInfo] = []
        for person in people:
            key = mapping[person.key]
            manager = mapping.get(person.manager or "") or None
            row = stored.get(key)
            if row is None:
                infos.append(PersonInfo(
                    key=key, name=person.name, email=person.email, team=person.team,
                    role=person.role, manager=manager, timezone=person.timezone,
                    hours=person.hours, capacity=person.capacity,
                ))  # fmt: skip
                continue
            hours, by_hand = row.working_hours or {}, set(row.hand_set or ())
            if "manager" in by_hand:
                manager = None
            infos.append(PersonInfo(
                key=key, name=row.name if "name" in by_hand else person.name or row.name,
                email=row.email, team=teams.get(row.team_id or -1, person.team), role=row.role,
                manager=manager or _manager_key(row, stored), timezone=row.timezone,
                hours=(int(hours.get("start", person.hours[0])), int(hours.get("end", person.hours[1]))),
                capacity=row.capacity, out_of_office=tuple(tuple(s) for s in row.out_of_office or ()),
            ))  # fmt: skip
        upsert_people(session, infos)
        rows = {p.key: p for p in session.scalars(select(Person))}
        for person in people:
            row = rows.get(mapping[person.key])
            if row is not None and (mapping[person.key] not in stored or not person.active):
                row.active = person.active
    save_owner_map(database, source, mapping, now)
    return mapping


def _manager_key(row: Person, stored: dict[str, Person]) -> str | None:
    if row.manager_id is None:
        return None
    return next((p.key for p in stored.values() if p.id == row.manager_id), None)
