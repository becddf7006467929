"""Settings a manager or admin changes (channels, alert policy, SMTP, connections) go to the audit."""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy.orm import Session

from slaapp.models.matrices import audit
from slaapp.models.settings import Option, get_setting, put_setting


def put_audited(
    session: Session, option: Option, value: dict[str, Any], now: int, actor: str | None = None
) -> tuple[str, ...]:
    """Store a setting and audit the fields that changed (the database user is added by
    PostgreSQL itself in team mode); returns the changed field names."""
    before = get_setting(session, option) or {}
    put_setting(session, option, value, now)
    after = get_setting(session, option) or {}
    changed = tuple(sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)))
    if changed:
        audit(
            session, actor or getpass.getuser(), "setting changed", "setting", option.key, now,
            changes={k: [before.get(k), after.get(k)] for k in changed},
        )  # fmt: skip
    return changed
