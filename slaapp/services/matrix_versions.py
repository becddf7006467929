"""Matrix versions for the CLI: publish a file, export, history with changes, roll back."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from sqlalchemy.orm import Session

from slaapp.engine.matrix import Matrix
from slaapp.engine.matrix_changes import describe_changes
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.matrices import (
    MatrixConflictError,
    VersionInfo,
    clock_starts,
    clocks_under_older_versions,
    diff,
    history,
    latest_number,
    load_version,
    publish,
    rollback,
)

__all__ = [
    "ALL_HISTORY",
    "HistoryReach",
    "MatrixConflictError",
    "Published",
    "VersionChanges",
    "diff",
    "history_reach",
]

ALL_HISTORY = 0
"""The effective-from that applies a version to every stored clock ("apply to history too")."""


@dataclass(frozen=True)
class Published:
    """A version just published, the clocks re-evaluated, and those an older version still judges.

    `replaced` is the provisional version this one replaced for all history, if any.
    """

    version: VersionInfo
    clocks: int
    older_clocks: int = 0
    replaced: int | None = None


@dataclass(frozen=True)
class HistoryReach:
    """What a publish would leave under older versions: for the Publish dialog's count.

    `provisional` is the latest version's number when the app published it on its own (the
    next person's version then replaces it for all history unless given an effective-from).
    """

    latest: int | None
    provisional: int | None
    starts: tuple[int, ...]  # every stored clock's start, sorted
    open_starts: tuple[int, ...]  # the starts of the clocks open now, sorted

    def staying(self, effective_from: int, reevaluate_open: bool) -> int:
        """Stored clocks an older version would still judge if the version took effect then."""
        before = bisect_left(self.starts, effective_from)
        if reevaluate_open:
            before -= bisect_left(self.open_starts, effective_from)
        return before


def history_reach(database: Database) -> HistoryReach:
    """The latest version, whether it is provisional, and the stored clocks' starts."""
    with database.session() as session:
        versions = history(session)
        starts, open_starts = clock_starts(session)
    latest = versions[-1] if versions else None
    return HistoryReach(
        latest.number if latest else None,
        latest.number if latest is not None and latest.provisional else None,
        tuple(starts),
        tuple(open_starts),
    )


def published_result(session: Session, info: VersionInfo, clocks: int) -> Published:
    """The outcome of a publish, once the clocks are re-evaluated."""
    parent = next((v for v in history(session) if v.number == info.parent), None)
    replaced = (
        parent.number
        if parent is not None
        and parent.provisional
        and info.effective_from <= parent.effective_from
        else None
    )
    return Published(info, clocks, clocks_under_older_versions(session, info.number), replaced)


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
    with database.session(immediate=True) as session:
        base = base_version if base_version is not None else latest_number(session)
        info = publish(
            session, matrix, author=author, now=now, base_version=base, note=note,
            effective_from=effective_from, reevaluate_open=reevaluate_open,
        )  # fmt: skip
        return published_result(session, info, refresh_clocks(session, now))


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
    with database.session(immediate=True) as session:
        info = rollback(
            session, number, author=author, now=now, base_version=latest_number(session)
        )
        return published_result(session, info, refresh_clocks(session, now))
