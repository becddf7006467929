"""Named settings stored in the database as JSON (shared by every desktop of a team database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .tables import Setting


def get_setting(session: Session, key: str) -> dict[str, Any] | None:
    row = session.get(Setting, key)
    return dict(row.value) if row is not None else None


def put_setting(session: Session, key: str, value: dict[str, Any], now: int) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
