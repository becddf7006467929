"""The demo revenue org in the database: load it (replacing an earlier one) and remove it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from slaapp.demo.org import generate_demo
from slaapp.demo.people import DOMAIN as DEMO_DOMAIN
from slaapp.models.database import Database
from slaapp.models.directory import upsert_people
from slaapp.models.tables import Person, Record, Team, table_of
from slaapp.services.store import StoreResult, store_log


@dataclass(frozen=True)
class DemoResult:
    people: int
    people_added: int
    records: int
    replaced: int
    store: StoreResult


def load_demo(database: Database, seed: int = 7, days: int = 90) -> DemoResult:
    """Replace the demo org's records with a fresh one (people are upserted)."""
    if days < 1:
        raise ValueError("the demo needs at least 1 day of history")
    org = generate_demo(seed=seed, days=days)
    with database.session() as session:
        added = upsert_people(session, org.people)
        replaced = (
            session.scalar(select(func.count()).select_from(Record).where(Record.source == "demo"))
            or 0
        )
        session.execute(delete(table_of(Record)).where(table_of(Record).c.source == "demo"))
    stored = store_log(
        database, org.log, source="demo", at=org.now,
        kinds={r.id: r.kind for r in org.records}, names={r.id: r.name for r in org.records},
    )  # fmt: skip
    return DemoResult(len(org.people), added, len(org.records), replaced, stored)


@dataclass(frozen=True)
class DemoRemoved:
    records: int
    people: int


def remove_demo(database: Database) -> DemoRemoved:
    """Delete the demo org: its records (with their events, clocks and alerts) and its people."""
    demo_people = Person.email.like(f"%@{DEMO_DOMAIN}")
    with database.session() as session:
        records = session.scalar(
            select(func.count()).select_from(Record).where(Record.source == "demo")
        )
        people = session.scalar(select(func.count()).select_from(Person).where(demo_people))
        session.execute(delete(table_of(Record)).where(table_of(Record).c.source == "demo"))
        session.execute(
            table_of(Person)
            .update()
            .where(table_of(Person).c.email.like(f"%@{DEMO_DOMAIN}"))
            .values(manager_id=None)
        )  # fmt: skip  (the org chart points inside itself)
        session.execute(delete(Person).where(demo_people))
        staffed = select(Person.team_id).where(Person.team_id.is_not(None))
        session.execute(delete(Team).where(Team.id.not_in(staffed)))
    return DemoRemoved(int(records or 0), int(people or 0))
