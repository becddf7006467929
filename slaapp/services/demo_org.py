"""The demo revenue org in the database: load it (replacing an earlier one) and remove it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from slaapp.demo.org import generate_demo
from slaapp.demo.people import DOMAIN as DEMO_DOMAIN
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import Database
from slaapp.models.directory import upsert_people
from slaapp.models.tables import Alert, AlertDelivery, Person, Record, Team, table_of
from slaapp.services.live_view import latest_matrix
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
    # Judged by the matrix in effect (the bundled default before any): a believable working day.
    matrix = latest_matrix(database) or load_matrix(DEFAULT_MATRIX)
    org = generate_demo(seed=seed, days=days, matrix=matrix)
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
        # Pattern alerts (a team or a person, no record) about the demo's people go with them.
        handles = [h for row in session.execute(select(Person.key, Person.email).where(demo_people))
                   for h in row if h]  # fmt: skip
        to_demo = select(AlertDelivery.alert_id).where(
            AlertDelivery.recipient_key.in_(handles)
            | AlertDelivery.address.like(f"%@{DEMO_DOMAIN}")
        )
        session.execute(
            delete(table_of(Alert)).where(
                table_of(Alert).c.record_id.is_(None)
                & (table_of(Alert).c.owner.in_(handles) | table_of(Alert).c.id.in_(to_demo))
            )
        )
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
