"""Fixtures of the GUI tests: an empty migrated SQLite database and a job runner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from slaapp.services.database import Database, open_database
from slaapp.views.common.jobs import JobRunner


@pytest.fixture
def database(tmp_path) -> Iterator[Database]:
    """A fresh SQLite file migrated to the newest schema; tests that need data override it."""
    db = open_database(f"sqlite:///{tmp_path / 'gui.db'}")
    yield db
    db.dispose()


@pytest.fixture
def jobs(qtbot) -> Iterator[JobRunner]:
    """A job runner, left idle and shut down after the test."""
    runner = JobRunner()
    yield runner
    qtbot.waitUntil(lambda: not runner.running)
    runner.shutdown()
