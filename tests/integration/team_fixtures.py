"""A PostgreSQL database in team mode for a test: group roles and logins with a unique prefix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from slaapp.models.database import Database
from slaapp.models.tables import Person
from slaapp.services.team import grant, set_up_roles
from tests.integration.conftest import PG_URL, _reset_postgres

PASSWORD = "s3cret-for-tests"


@dataclass
class Team:
    """The owner's database, the prefix of this run's roles, and a login per granted person."""

    owner: Database
    prefix: str
    logins: dict[str, str] = field(default_factory=dict)
    opened: list[Database] = field(default_factory=list)

    def grant(self, person: str, level: str) -> str:
        login = f"{self.prefix}{person}"
        grant(self.owner, person, level, PASSWORD, now=1, by="test", login=login)
        self.logins[person] = login
        return login

    def url(self, person: str) -> str:
        return (
            make_url(PG_URL)
            .set(username=self.logins[person], password=PASSWORD)
            .render_as_string(hide_password=False)
        )

    def as_person(self, person: str) -> Database:
        database = Database(self.url(person))
        self.opened.append(database)
        return database


def add_people(database: Database, *people: tuple[str, str]) -> None:
    with database.session() as session:
        session.add_all(Person(key=key, name=key.title(), email=f"{key}@example.com", role=role)
                        for key, role in people)  # fmt: skip


@pytest.fixture(name="team")
def team_fixture() -> Iterator[Team]:
    try:
        _reset_postgres(PG_URL)
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable ({type(exc).__name__}); set SLAAPP_TEST_PG")
    owner = Database(PG_URL)
    owner.migrate()
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    made = Team(owner, prefix)
    set_up_roles(owner, prefix)
    yield made
    for database in made.opened:
        database.dispose()
    _drop_roles(owner, prefix)
    owner.dispose()


def _drop_roles(owner: Database, prefix: str) -> None:
    with owner.engine.connect() as connection:
        connection.execute(text("COMMIT"))
        names = connection.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p ORDER BY rolname DESC"),
            {"p": prefix.replace("_", r"\_") + "%"},
        ).scalars()
        for name in list(names):
            connection.execute(text(f'DROP OWNED BY "{name}"'))
            connection.execute(text(f'DROP ROLE "{name}"'))
        connection.commit()
