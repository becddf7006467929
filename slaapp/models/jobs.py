"""Whole operations shared by the CLI and the app: store a log, load the demo org, live clocks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, select

from ..engine.clocks import ClockTable
from ..engine.demo import generate_demo
from ..engine.demo_people import DOMAIN as DEMO_DOMAIN
from ..engine.eventlog import EventLog
from ..engine.matrix import Matrix
from ..engine.matrix_file import load_matrix
from .database import Database
from .directory import owner_directory, upsert_people
from .evaluation import refresh_clocks, stored_clocks
from .ingest import IngestResult, ingest_log
from .matrices import load_version, publish
from .tables import Event, Person, Record, Team, table_of

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
DEFAULT_MATRIX = RESOURCES / "matrices" / "revenue-default.json"


@dataclass(frozen=True)
class StoreResult:
    """What storing a log did: the ingestion counts and the clocks re-evaluated."""

    ingested: IngestResult
    clocks: int


@dataclass(frozen=True)
class DemoResult:
    people: int
    people_added: int
    records: int
    replaced: int
    store: StoreResult


@dataclass(frozen=True, eq=False)
class LiveClocks:
    """Every clock of the database judged now, with the names users know, for the live table."""

    clocks: ClockTable
    names: dict[str, str]
    records: int
    events: int
    as_of: int
    matrix: Matrix | None = None  # the latest version, to explain due times
    record_ids: np.ndarray | None = None  # database id per record code of clocks.records
    people: dict[str, str] = field(default_factory=dict)  # person key or email -> name
    owner_teams: dict[str, str] = field(default_factory=dict)  # person key or email -> team


def now() -> int:
    return int(time.time())


def ensure_matrix(database: Database, author: str = "slaapp") -> bool:
    """Publish the bundled default matrix as version 1 when none exists; True if it did."""
    with database.session() as session:
        try:
            load_version(session)
            return False
        except LookupError:
            publish(
                session, load_matrix(DEFAULT_MATRIX), author=author, now=now(), base_version=None,
                note="Default revenue matrix", effective_from=0,
            )  # fmt: skip
            return True


def store_log(
    database: Database,
    log: EventLog,
    *,
    source: str,
    at: int,
    kinds: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> StoreResult:
    """Ingest a log and re-evaluate the records it changed, in one transaction."""
    ensure_matrix(database)
    with database.session() as session:
        ingested = ingest_log(session, log, source=source, now=at, kinds=kinds, names=names)
        loaded = (log, list(ingested.record_ids)) if ingested.only_new_records else None
        clocks = refresh_clocks(session, at, ingested.changed_records, loaded)
    return StoreResult(ingested, clocks)


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


def live_clocks(database: Database, at: int) -> LiveClocks | None:
    """All clocks judged at `at`; None while the database holds no records yet."""
    with database.session() as session:
        records = int(session.scalar(select(func.count()).select_from(Record)) or 0)
        if records == 0:
            return None
        events = int(session.scalar(select(func.count()).select_from(Event)) or 0)
        try:
            result = stored_clocks(session, at)
        except LookupError:  # no matrix published yet
            return None
        directory = owner_directory(session)
    people = {handle: name for handle, (name, _) in directory.items()}
    owner_teams = {handle: team for handle, (_, team) in directory.items() if team}
    names: dict[str, str] = {}
    for version in result.matrices:
        names |= {s.key: s.name for s in version.matrix.segments}
        names |= {h.key: h.name for h in version.matrix.handoffs}
    return LiveClocks(
        result.clocks, names, records, events, at, result.matrices[-1].matrix, result.record_ids,
        people, owner_teams,
    )  # fmt: skip


def team_names(database: Database) -> list[str]:
    """The directory's teams, for scope pickers."""
    with database.session() as session:
        return sorted(session.scalars(select(Team.name)).all())
