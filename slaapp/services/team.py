"""Team mode: set up roles, grant and revoke logins, and what the current login may do."""

from __future__ import annotations

from dataclasses import dataclass

from slaapp.models.database import Database
from slaapp.models.roles import (
    DEFAULT_PREFIX,
    LEVELS,
    RANK,
    current_login,
    grant_login,
    init_roles,
    revoke_login,
)

NEEDS = {
    "acknowledge": ("rep", "acknowledge or snooze alerts"),
    "publish_matrix": ("manager", "publish matrix versions"),
    "edit_matrix_draft": ("manager", "edit matrix drafts"),
    "edit_people": ("manager", "edit people"),
    "approve_reassignment": ("manager", "approve or decline reassignments"),
    "run_alerts": ("manager", "fire alerts and send email, Slack or webhooks"),
    "sync": ("admin", "sync CRM connections"),
    "send_scorecards": ("admin", "send the weekly scorecard"),
    "edit_settings": ("admin", "change settings"),
    "edit_channels": ("admin", "change alert channels"),
    "edit_connections": ("admin", "add or change CRM connections"),
    "manage_roles": ("admin", "grant or revoke roles"),
}
"""Each action a screen offers: the least role that may do it, and the words for it."""


@dataclass(frozen=True)
class Access:
    """The current login's role and person; `reason(action)` is None when it may act."""

    level: str
    db_user: str | None = None
    person_key: str | None = None
    team_mode: bool = False

    def may(self, action: str) -> bool:
        return self.reason(action) is None

    def reason(self, action: str) -> str | None:
        """One line saying why this login may not do `action`, or None when it may."""
        need, words = NEEDS[action]
        if RANK[self.level] >= RANK[need]:
            return None
        who = f"{self.db_user} ({self.level})" if self.db_user else self.level
        return f"Your database login {who} may not {words}; a slaapp admin can grant {need}."


SINGLE_USER = Access("admin")
"""SQLite and databases without team roles: one user who may do everything."""


def current_access(database: Database) -> Access:
    """What the database login of `database` may do (SQLite: everything)."""
    if database.is_sqlite:
        return SINGLE_USER
    with database.session() as session:
        login = current_login(session)
    return Access(login.level, login.db_user, login.person_key, login.team_mode)


def set_up_roles(database: Database, prefix: str = DEFAULT_PREFIX) -> dict[str, str]:
    """`slaapp team init`: the group roles, grants and row-level security; level -> role."""
    with database.session() as session:
        return init_roles(session, prefix)


@dataclass(frozen=True)
class Granted:
    """A login given to a person."""

    db_user: str
    person_key: str
    level: str


def grant(
    database: Database,
    who: str,
    level: str,
    password: str | None,
    *,
    now: int,
    by: str,
    login: str | None = None,
) -> Granted:
    """`slaapp team grant PERSON ROLE`: create or adjust the person's login."""
    with database.session() as session:
        row = grant_login(session, who, level, password, now=now, by=by, login=login)
        return Granted(row.db_user, row.person_key, row.role)


def revoke(database: Database, who: str) -> str:
    """`slaapp team revoke PERSON`: the login loses its role and may no longer log in."""
    with database.session() as session:
        return revoke_login(session, who)


__all__ = ["LEVELS", "NEEDS", "Access", "Granted", "current_access", "grant", "revoke"]
