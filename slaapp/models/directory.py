"""The people directory: teams, people, managers; upserted by key so re-loading changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.engine.people import PersonInfo
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
        person.team_id = teams[entry.team].id
        person.role = entry.role
        person.timezone = entry.timezone
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
            )
        )
    return tuple(found)
