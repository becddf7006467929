"""Named settings stored in the database as JSON (shared by every desktop of a team database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from slaapp.models.tables import Setting


def get_setting(session: Session, key: str) -> dict[str, Any] | None:
    row = session.get(Setting, key)
    return dict(row.value) if row is not None else None


RECORD_URL_SETTING = "crm.record_url"


def record_links(session: Session) -> dict[str, str]:
    """The CRM address template of each record source (`{external_id}` marks the record)."""
    return {str(k): str(v) for k, v in (get_setting(session, RECORD_URL_SETTING) or {}).items()}


def record_link(links: dict[str, str], source: str, external_id: str) -> str | None:
    """A record's CRM address, when its source has a template."""
    template = links.get(source)
    return template.format(external_id=external_id) if template else None


def put_setting(session: Session, key: str, value: dict[str, Any], now: int) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
