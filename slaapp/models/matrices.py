"""Matrix versions: publish with optimistic locking, history, readable diffs, roll back, audit."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slaapp.engine.errors import NotFoundError, UserError
from slaapp.engine.instants import format_instant
from slaapp.engine.matrix import Matrix
from slaapp.engine.matrix_document import matrix_from_document, matrix_to_document
from slaapp.engine.versions import PublishedMatrix
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import Database
from slaapp.models.tables import AuditEntry, Clock, MatrixVersion

APP_AUTHOR = "slaapp"
"""The author of the versions the app publishes on its own (provisional ones)."""


class MatrixConflictError(UserError):
    """Someone published a newer version than the one the edit started from."""


@dataclass(frozen=True)
class VersionInfo:
    """One published version, as lists and dialogs show it."""

    number: int
    author: str
    published_at: int
    effective_from: int
    note: str
    parent: int | None
    reevaluate_open: bool
    signoffs: tuple[str, ...] = ()
    provisional: bool = False  # published by the app itself, replaced by a person's first version


def _info(row: MatrixVersion) -> VersionInfo:
    return VersionInfo(
        row.number,
        row.author,
        row.published_at,
        row.effective_from,
        row.note,
        row.parent_number,
        row.reevaluate_open,
        tuple(str(name) for name in row.signoffs or ()),
        bool(row.provisional),
    )


def audit(
    session: Session, actor: str, action: str, entity: str, key: str, at: int, **detail: Any
) -> None:
    """Record who did what to which entity."""
    session.add(
        AuditEntry(at=at, actor=actor, action=action, entity=entity, entity_key=key, detail=detail)
    )


def latest_number(session: Session) -> int | None:
    number: int | None = session.scalar(select(func.max(MatrixVersion.number)))
    return number


PUBLISH_LOCK = 0x51A_0001
"""The PostgreSQL advisory lock publishes take turns on."""


def publish(
    session: Session,
    matrix: Matrix,
    *,
    author: str,
    now: int,
    base_version: int | None,
    note: str = "",
    effective_from: int | None = None,
    reevaluate_open: bool = False,
    signoffs: Sequence[str] = (),
    provisional: bool = False,
) -> VersionInfo:
    """Publish `matrix` as the next version, if `base_version` is still the latest one.

    `signoffs` names the team leads who agreed to this version. A `provisional` version is
    one the app publishes on its own; the first person's version after it takes effect
    from the provisional version's effective-from (all history) unless `effective_from`
    is given.

    Raises MatrixConflictError, naming who published what and when, when someone else
    published after `base_version`; nothing is written then. On PostgreSQL publishes take
    turns (a transaction lock), so the loser of a race learns who won, not a key error.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK})
    latest = session.scalar(select(MatrixVersion).order_by(MatrixVersion.number.desc()).limit(1))
    current = latest.number if latest is not None else None
    if base_version != current and latest is None:
        raise MatrixConflictError(
            f"there is no version {base_version} yet: nothing has been published, so publish "
            "without a base version"
        )
    if base_version != current:
        assert latest is not None
        raise MatrixConflictError(
            f"version {latest.number} was published by {latest.author} at "
            f"{format_instant(latest.published_at)} after the version this edit started from "
            f"({base_version if base_version is not None else 'none'}); "
            "review their changes, then publish on top of version "
            f"{latest.number}"
        )
    number = (current or 0) + 1
    if effective_from is None and not provisional and latest is not None and latest.provisional:
        effective_from = latest.effective_from
    row = MatrixVersion(
        number=number,
        document=json.dumps(matrix_to_document(matrix), ensure_ascii=False, sort_keys=False),
        author=author,
        published_at=now,
        effective_from=now if effective_from is None else effective_from,
        note=note,
        parent_number=current,
        reevaluate_open=reevaluate_open,
        signoffs=list(signoffs),
        provisional=provisional,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise MatrixConflictError(
            f"someone else published version {number} at the same moment; reload and publish again"
        ) from None
    changes = (
        diff(load_version(session, current)[1], matrix)
        if current is not None
        else ["first version"]
    )
    audit(
        session, author, "publish", "matrix", str(number), now,
        note=note, effective_from=row.effective_from, reevaluate_open=reevaluate_open, changes=changes,
        signoffs=list(signoffs), provisional=provisional,
    )  # fmt: skip
    return _info(row)


def history(session: Session) -> list[VersionInfo]:
    rows = session.scalars(select(MatrixVersion).order_by(MatrixVersion.number)).all()
    return [_info(row) for row in rows]


def load_version(session: Session, number: int | None = None) -> tuple[VersionInfo, Matrix]:
    """A version (the latest when number is None) and its matrix; LookupError if missing."""
    query = select(MatrixVersion)
    query = (
        query.where(MatrixVersion.number == number)
        if number is not None
        else query.order_by(MatrixVersion.number.desc())
    )
    row = session.scalars(query.limit(1)).first()
    if row is None:
        raise NotFoundError(
            "no matrix has been published yet"
            if number is None
            else f"there is no matrix version {number}"
        )
    return _info(row), matrix_from_document(
        json.loads(row.document), f"matrix version {row.number}"
    )


_PARSED: dict[
    tuple[int, str], Matrix
] = {}  # parsed versions, so their calendars' tables are reused


def in_force(rows: Sequence[MatrixVersion]) -> list[MatrixVersion]:
    """The versions that still judge some clock, oldest first.

    A version is replaced entirely when a later one takes effect at or before its own
    effective-from (e.g. a person's first version after a provisional default, or a
    version applied to all history): at every instant the later one is in force instead.
    """
    kept: list[MatrixVersion] = []
    for row in sorted(rows, key=lambda r: r.number):
        while kept and kept[-1].effective_from >= row.effective_from:
            kept.pop()
        kept.append(row)
    return kept


def published_matrices(session: Session) -> list[PublishedMatrix]:
    """The versions in force for evaluation, oldest first (each document is parsed once)."""
    rows = in_force(session.scalars(select(MatrixVersion).order_by(MatrixVersion.number)).all())
    found = []
    for row in rows:
        key = (row.number, row.document)
        matrix = _PARSED.get(key)
        if matrix is None:
            matrix = matrix_from_document(json.loads(row.document), f"matrix version {row.number}")
            _PARSED[key] = matrix
        found.append(PublishedMatrix(row.number, matrix, row.effective_from, row.reevaluate_open))
    return found


def rollback(
    session: Session, to_number: int, *, author: str, now: int, base_version: int | None
) -> VersionInfo:
    """Publish an old version's matrix again as a new version (history is never rewritten)."""
    _, matrix = load_version(session, to_number)
    return publish(
        session,
        matrix,
        author=author,
        now=now,
        base_version=base_version,
        note=f"Roll back to version {to_number}",
    )


# ----- readable differences ---------------------------------------------------------------
def diff(old: Matrix, new: Matrix) -> list[str]:
    """Lines like `handoffs[first_contact].rules.enterprise.target: "1h" -> "30m"`."""
    lines: list[str] = []
    _walk(matrix_to_document(old), matrix_to_document(new), "", lines)
    return lines


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    if all(isinstance(i, dict) and isinstance(i.get("key"), str) for i in items):
        return {i["key"]: i for i in items}
    return None


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _walk(old: Any, new: Any, path: str, lines: list[str], keyed: bool = False) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            where = f"{path}[{key}]" if keyed else f"{path}.{key}" if path else key
            if key not in new:
                lines.append(f"{where}: removed")
            elif key not in old:
                lines.append(f"{where}: added {_show(new[key])}")
            else:
                _walk(old[key], new[key], where, lines)
        return
    if isinstance(old, list) and isinstance(new, list):
        old_keyed, new_keyed = _keyed(old), _keyed(new)
        if old_keyed is not None and new_keyed is not None:
            _walk(old_keyed, new_keyed, path, lines, keyed=True)
            if list(old_keyed) != list(new_keyed) and set(old_keyed) == set(new_keyed):
                lines.append(f"{path}: order {', '.join(old_keyed)} -> {', '.join(new_keyed)}")
            return
    lines.append(f"{path}: {_show(old)} -> {_show(new)}")


def ensure_matrix(database: Database, author: str = APP_AUTHOR) -> bool:
    """Publish the bundled default matrix as provisional version 1 when none exists; True if it did.

    The first version a person publishes after it replaces it for all history.
    """
    with database.session() as session:
        try:
            load_version(session)
            return False
        except LookupError:
            publish(
                session, load_matrix(DEFAULT_MATRIX), author=author, now=int(time.time()), base_version=None,
                note="Default revenue matrix", effective_from=0, provisional=True,
            )  # fmt: skip
            return True


def clocks_under_older_versions(session: Session, number: int) -> int:
    """How many stored clocks are judged by a version older than `number`."""
    found: int = session.scalar(select(func.count()).where(Clock.version < number)) or 0
    return found


def clock_starts(session: Session) -> tuple[list[int], list[int]]:
    """The start instants of every stored clock, and of the open ones, both sorted."""
    rows = session.execute(select(Clock.started_at, Clock.is_open).order_by(Clock.started_at))
    every: list[int] = []
    still_open: list[int] = []
    for started, is_open in rows:
        every.append(int(started))
        if is_open:
            still_open.append(int(started))
    return every, still_open
