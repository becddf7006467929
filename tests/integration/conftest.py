"""Databases for the integration tests: a SQLite file, and PostgreSQL when a server is reachable."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from slaapp.models.database import Database
from slaapp.models.tables import Base

PG_URL = os.environ.get(
    "SLAAPP_TEST_PG", "postgresql://postgres:postgres@127.0.0.1:5432/slaapp_test"
)


def _reset_postgres(url: str) -> None:
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'slaapp.db'}"
    try:
        _reset_postgres(PG_URL)
    except Exception as exc:  # no server here: say so instead of failing
        pytest.skip(
            f"PostgreSQL not reachable at {PG_URL.split('@')[-1]} ({type(exc).__name__}); set SLAAPP_TEST_PG"
        )
    return PG_URL


@pytest.fixture
def database(db_url):
    db = Database(db_url)
    db.migrate()
    yield db
    db.dispose()
