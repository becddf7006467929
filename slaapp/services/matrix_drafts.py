"""The matrix editor's unit of work: load the state, keep a draft per person, publish, roll back."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.engine.matrix_changes import describe_changes
from slaapp.engine.matrix_document import matrix_from_document, matrix_to_document
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.matrices import (
    VersionInfo,
    audit,
    history,
    latest_number,
    load_version,
    publish,
    rollback,
)
from slaapp.models.settings import MATRIX_DRAFT, clear_setting, get_setting, put_setting
from slaapp.models.tables import Event, Person, Team
from slaapp.services.matrix_versions import HistoryReach, history_reach, published_result
from slaapp.services.store import ensure_matrix

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VersionEntry:
    """A published version with what changed and who signed it off."""

    info: VersionInfo
    changes: tuple[str, ...]
    document: str


@dataclass(frozen=True)
class SignOff:
    """A team lead who can sign off the matrix."""

    key: str
    name: str
    team: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.team})"


@dataclass(frozen=True, eq=False)
class MatrixState:
    """What the editor needs: the latest version, this person's draft, history and choices."""

    latest: VersionInfo
    published: dict[str, Any]
    draft: dict[str, Any] | None
    draft_base: int | None
    versions: tuple[VersionEntry, ...]
    leads: tuple[SignOff, ...]
    teams: tuple[str, ...]
    events: tuple[str, ...]
    reach: HistoryReach | None = None  # the stored clocks' starts, for the Publish dialog


@dataclass(frozen=True)
class PublishResult:
    """A version just published: clocks re-evaluated, those an older version still judges, and
    the provisional version it replaced for all history (if any)."""

    info: VersionInfo
    clocks: int
    older_clocks: int = 0
    replaced: int | None = None

    @property
    def words(self) -> str:
        """`Published version 2 (replaces the provisional default for all history); ...`."""
        text = f"Published version {self.info.number}"
        if self.replaced is not None:
            text += f" (replaces the provisional default, version {self.replaced}, for all history)"
        text += f"; {self.clocks:,} clocks re-evaluated"
        if self.older_clocks:
            text += (
                f"; {self.older_clocks:,} existing clocks stay under an older version "
                "(publish with “Apply to history too” to include them)"
            )
        return text


def _result(session: Session, info: VersionInfo, clocks: int) -> PublishResult:
    found = published_result(session, info, clocks)
    return PublishResult(info, clocks, found.older_clocks, found.replaced)


def matrix_state(database: Database, user: str) -> MatrixState:
    """The latest version (the default matrix is published first if none exists) and the rest."""
    ensure_matrix(database)
    with database.session() as session:
        latest, matrix = load_version(session)
        saved = get_setting(session, MATRIX_DRAFT.named(user))
        versions = []
        previous = None
        for info in history(session):  # oldest first: each version against the one before
            version = load_version(session, info.number)[1]
            changes = (
                describe_changes(previous, version)
                if previous is not None
                else ["First version: covers all history"]
            )
            previous = version
            document = json.dumps(matrix_to_document(version))
            versions.append(VersionEntry(info, tuple(changes), document))
        leads = session.execute(
            select(Person.key, Person.name, Team.name)
            .join(Team, Person.team_id == Team.id)
            .where(Person.role.in_(("team_lead", "manager", "vp")), Person.active.is_(True))
            .order_by(Team.name, Person.name)
        ).all()
        teams = session.scalars(select(Team.name).order_by(Team.name)).all()
        events = session.scalars(select(Event.name).distinct().order_by(Event.name)).all()
    reach = history_reach(database)
    return MatrixState(
        latest=latest,
        published=matrix_to_document(matrix),
        draft=saved.get("document") if saved else None,
        draft_base=saved.get("base") if saved else None,
        versions=tuple(reversed(versions)),
        leads=tuple(SignOff(k, n, t) for k, n, t in leads),
        teams=tuple(teams),
        events=tuple(events),
        reach=reach,
    )


def save_draft(
    database: Database, user: str, document: dict[str, Any], base: int, now: int
) -> None:
    """Keep `user`'s unpublished draft (any state, even invalid) and the version it started from."""
    with database.session() as session:
        put_setting(session, MATRIX_DRAFT.named(user), {"document": document, "base": base}, now)


def discard_draft(database: Database, user: str, now: int) -> None:
    with database.session() as session:
        clear_setting(session, MATRIX_DRAFT.named(user))


def publish_draft(
    database: Database,
    document: dict[str, Any],
    *,
    author: str,
    now: int,
    base_version: int,
    note: str,
    effective_from: int | None,
    reevaluate_open: bool,
    signoffs: tuple[str, ...],
) -> PublishResult:
    """Publish a draft (MatrixError if invalid, MatrixConflictError if stale), then re-evaluate."""
    matrix = matrix_from_document(document, "draft")
    with database.session(immediate=True) as session:
        info = publish(
            session, matrix, author=author, now=now, base_version=base_version, note=note,
            effective_from=effective_from, reevaluate_open=reevaluate_open, signoffs=signoffs,
        )  # fmt: skip
        clear_setting(session, MATRIX_DRAFT.named(author))
        result = _result(session, info, refresh_clocks(session, now))
    log.info("Matrix version %s published by %s: %s", info.number, author, note or "no note")
    return result


def roll_back(
    database: Database,
    number: int,
    *,
    author: str,
    now: int,
    note: str = "",
    signoffs: tuple[str, ...] = (),
) -> PublishResult:
    """Publish version `number` again as the newest version (with a note and sign-offs like a
    publish), then re-evaluate."""
    with database.session(immediate=True) as session:
        if not note and not signoffs:
            info = rollback(
                session, number, author=author, now=now, base_version=latest_number(session)
            )
        else:
            info = publish(
                session, load_version(session, number)[1], author=author, now=now,
                base_version=latest_number(session), signoffs=signoffs,
                note=f"Roll back to version {number}" + (f": {note}" if note else ""),
            )  # fmt: skip
        result = _result(session, info, refresh_clocks(session, now))
    log.info("Matrix rolled back to version %s by %s as version %s", number, author, info.number)
    return result


def record_matrix_export(database: Database, user: str, what: str, now: int) -> None:
    """Audit an export of the matrix (file, PDF or PNG) for the agreement meeting."""
    with database.session() as session:
        audit(session, user, "export", "matrix", what, now)
