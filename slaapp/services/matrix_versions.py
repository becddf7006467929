"""Matrix versions for the CLI: publish a file, export, history with changes, roll back."""

from __future__ import annotations

from dataclasses import dataclass

from slaapp.engine.matrix import Matrix
from slaapp.engine.matrix_changes import describe_changes
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.matrices import (
    MatrixConflictError,
    VersionInfo,
    diff,
    history,
    latest_number,
    load_version,
    publish,
    rollback,
)

__all__ = ["MatrixConflictError", "Published", "VersionChanges", "diff"]


@dataclass(frozen=True)
class Published:
    """A version just published and the clocks re-evaluated with it."""

    version: VersionInfo
    clocks: int


@dataclass(frozen=True)
class VersionChanges:
    """One version of the history with what it changed from the one before."""

    version: VersionInfo
    changes: tuple[str, ...]


def publish_matrix(
    database: Database,
    matrix: Matrix,
    *,
    author: str,
    now: int,
    note: str = "",
    base_version: int | None = None,
    effective_from: int | None = None,
    reevaluate_open: bool = False,
) -> Published:
    """Publish `matrix` as the next version (MatrixConflictError unless `base_version` is latest)."""
    with database.session() as session:
        base = base_version if base_version is not None else latest_number(session)
        info = publish(
            session, matrix, author=author, now=now, base_version=base, note=note,
            effective_from=effective_from, reevaluate_open=reevaluate_open,
        )  # fmt: skip
        return Published(info, refresh_clocks(session, now))


def matrix_version(database: Database, number: int | None = None) -> Matrix:
    """The matrix of version `number` (default: the latest); LookupError if there is none."""
    with database.session() as session:
        return load_version(session, number)[1]


def version_history(database: Database) -> list[VersionChanges]:
    """Every version, oldest first, with its changes from the version before."""
    entries: list[VersionChanges] = []
    with database.session() as session:
        previous: Matrix | None = None
        for info in history(session):
            _, matrix = load_version(session, info.number)
            changes = (
                describe_changes(previous, matrix)
                if previous is not None
                else ["First version: covers all history"]
            )
            previous = matrix
            entries.append(VersionChanges(info, tuple(changes)))
    return entries


def roll_back_to(database: Database, number: int, *, author: str, now: int) -> Published:
    """Publish version `number` again as the newest version; LookupError if it does not exist."""
    with database.session() as session:
        info = rollback(
            session, number, author=author, now=now, base_version=latest_number(session)
        )
        return Published(info, refresh_clocks(session, now))
