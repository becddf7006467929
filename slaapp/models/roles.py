"""PostgreSQL roles of team mode: group roles, grants, row-level security, logins, the current role."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from slaapp.engine.errors import BadInputError, NotFoundError
from slaapp.models.settings import ALERTS, MATRIX_DRAFT, ROUND_ROBIN
from slaapp.models.tables import Base, Person, TeamLogin, TeamRole

LEVELS = ("viewer", "rep", "manager", "admin")
RANK = {level: rank for rank, level in enumerate(LEVELS, start=1)}
DEFAULT_PREFIX = "slaapp_"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

REP_COLUMNS = {
    "alerts": ("acknowledged_at", "acknowledged_by", "snoozed_until"),
    "alert_clock_states": ("acknowledged_at", "snoozed_until", "fired_at"),
    "alert_deliveries": ("state", "sent_at", "attempts", "last_error", "not_before"),
}
"""What a rep may change: acknowledge and snooze alerts, claim their own desktop deliveries."""
MANAGER_TABLES = (
    "people", "teams", "matrix_versions", "alert_actions", "records", "events", "clocks",
    "alerts", "alert_clock_states", "alert_deliveries", "settings", "clock_pages",
)  # fmt: skip
"""Tables a manager writes: people, matrix publishes (clocks re-evaluated), reassignments,
the dashboard's pages of closed clocks."""
MANAGER_SETTINGS = (MATRIX_DRAFT.key + "%", ROUND_ROBIN.key, ALERTS.key)
"""The settings rows a manager may write (drafts, the reassignment pointer, alert defaults)."""

ADDRESSED = """
CREATE OR REPLACE FUNCTION slaapp_addressed(alert integer, alert_owner varchar)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM people p WHERE p.key = slaapp_current_person()
                   AND alert_owner IN (p.key, p.email, p.name))
        OR EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = alert
                   AND d.recipient_key = slaapp_current_person())
$$
"""


class RoleError(BadInputError):
    """A role or login name that PostgreSQL cannot take, or team mode on SQLite."""


@dataclass(frozen=True)
class Login:
    """Who the session's database login is: its name, level and person (None: not mapped)."""

    db_user: str | None
    level: str
    person_key: str | None
    team_mode: bool


def _name(value: str, what: str) -> str:
    if not _NAME.match(value):
        raise RoleError(
            f"{what} {value!r}: use lower-case letters, digits and _ (at most 63, not a digit first)"
        )
    return value


def _require_postgres(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        raise RoleError("team roles need a PostgreSQL database; SQLite is single-user")


def group_roles(prefix: str = DEFAULT_PREFIX) -> dict[str, str]:
    """Level -> group role name (`slaapp_viewer`, ...)."""
    return {level: _name(prefix + level, "role") for level in LEVELS}


def _role_exists(session: Session, role: str) -> bool:
    found = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    return found.first() is not None


APPEND_ONLY = (
    "CREATE OR REPLACE FUNCTION slaapp_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only: entries are never changed or "
    "removed' USING ERRCODE = 'insufficient_privilege'; END $$",
    "DROP TRIGGER IF EXISTS slaapp_audit_append_only ON audit_log",
    "CREATE TRIGGER slaapp_audit_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION slaapp_audit_append_only()",
    "DROP TRIGGER IF EXISTS slaapp_audit_no_truncate ON audit_log",
    "CREATE TRIGGER slaapp_audit_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION slaapp_audit_append_only()",
)
"""In team mode the audit log only grows, whoever is connected (the owner included)."""


def _writable() -> list[str]:
    """The tables an admin writes: all but the audit log, which everyone only appends to."""
    return [name for name in sorted(Base.metadata.tables) if name != "audit_log"]


def init_roles(session: Session, prefix: str = DEFAULT_PREFIX) -> dict[str, str]:
    """Create the group roles, their grants and the row-level security policies (idempotent)."""
    _require_postgres(session)
    roles = group_roles(prefix)
    viewer, rep, manager, admin = (roles[level] for level in LEVELS)
    for _level, role in roles.items():
        if not _role_exists(session, role):
            session.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
    for member, group in ((rep, viewer), (manager, rep), (admin, manager)):
        session.execute(text(f'GRANT "{group}" TO "{member}"'))
    tables = [*sorted(Base.metadata.tables), "alembic_version"]
    run = [
        f'GRANT USAGE ON SCHEMA public TO "{viewer}"',
        f'GRANT SELECT ON {", ".join(tables)} TO "{viewer}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{rep}"',
        f'GRANT INSERT ON audit_log TO "{rep}"',
        f'GRANT INSERT, UPDATE, DELETE ON {", ".join(MANAGER_TABLES)} TO "{manager}"',
        f'GRANT INSERT, UPDATE, DELETE ON {", ".join(_writable())} TO "{admin}"',
        f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM "{viewer}", "{rep}", "{manager}", "{admin}"',
        ADDRESSED,
        *APPEND_ONLY,
    ]
    run += [
        f'GRANT UPDATE ({", ".join(columns)}) ON {table} TO "{rep}"'
        for table, columns in REP_COLUMNS.items()
    ]
    mine = "slaapp_addressed(alerts.id, alerts.owner)"
    checks = {
        "alerts": mine,
        "alert_clock_states": (
            "EXISTS (SELECT 1 FROM alerts WHERE alerts.record_id = alert_clock_states.record_id"
            " AND alerts.handoff = alert_clock_states.handoff"
            f" AND alerts.cycle = alert_clock_states.cycle AND {mine})"
        ),
        "alert_deliveries": "recipient_key = slaapp_current_person()",
    }
    drafts = " OR ".join(f"key LIKE '{pattern}'" for pattern in MANAGER_SETTINGS)
    for table in (*checks, "settings"):
        run += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS slaapp_read ON {table}",
            f'CREATE POLICY slaapp_read ON {table} FOR SELECT TO "{viewer}" USING (true)',
            f"DROP POLICY IF EXISTS slaapp_admin ON {table}",
            f'CREATE POLICY slaapp_admin ON {table} TO "{admin}" USING (true) WITH CHECK (true)',
            f"DROP POLICY IF EXISTS slaapp_manage ON {table}",
            f"DROP POLICY IF EXISTS slaapp_own ON {table}",
        ]
        if table == "settings":
            run.append(
                f'CREATE POLICY slaapp_manage ON settings TO "{manager}" '
                f"USING ({drafts}) WITH CHECK ({drafts})"
            )
            continue
        run += [
            f'CREATE POLICY slaapp_manage ON {table} TO "{manager}" USING (true) WITH CHECK (true)',
            f'CREATE POLICY slaapp_own ON {table} FOR UPDATE TO "{rep}" '
            f"USING (true) WITH CHECK ({checks[table]})",
        ]
    for statement in run:
        session.execute(text(statement))
    session.execute(delete(TeamRole))
    session.add_all(TeamRole(role=roles[level], level=level, rank=RANK[level]) for level in LEVELS)
    return roles


def _person(session: Session, who: str) -> Person:
    person = session.scalar(
        select(Person).where((Person.key == who) | (Person.email == who) | (Person.name == who))
    )
    if person is None:
        raise NotFoundError(f"no person {who!r} in the directory (give a key, email or name)")
    return person


def _levels(session: Session) -> dict[str, str]:
    found = {row.level: row.role for row in session.scalars(select(TeamRole))}
    if not found:
        raise RoleError("team roles are not set up here yet: run `slaapp team init` first")
    return found


def login_name(person_key: str) -> str:
    """The login a person gets by default: their key in lower case, other characters as _."""
    return re.sub(r"[^a-z0-9_]", "_", person_key.lower())[:63].lstrip("0123456789") or "person"


def grant_login(
    session: Session,
    who: str,
    level: str,
    password: str | None,
    *,
    now: int,
    by: str,
    login: str | None = None,
) -> TeamLogin:
    """Create or adjust a person's login: its group role (only that one) and its password."""
    _require_postgres(session)
    if level not in RANK:
        raise RoleError(f"role {level!r}: expected one of {', '.join(LEVELS)}")
    person = _person(session, who)
    groups = _levels(session)
    existing = session.scalar(select(TeamLogin).where(TeamLogin.person_key == person.key))
    user = _name(login or (existing.db_user if existing else login_name(person.key)), "login")
    verb = "ALTER" if _role_exists(session, user) else "CREATE"
    if verb == "CREATE" and not password:
        raise RoleError(f"a new login {user!r} needs a password (give it on stdin)")
    quoted = ""
    if password:
        quoted = " PASSWORD " + str(
            session.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar()
        )
    extra = " CREATEROLE" if level == "admin" else " NOCREATEROLE"
    session.execute(text(f'{verb} ROLE "{user}" LOGIN{extra}{quoted}'))
    for other in groups.values():
        session.execute(text(f'REVOKE "{other}" FROM "{user}"'))
    session.execute(text(f'GRANT "{groups[level]}" TO "{user}"'))
    if level == "admin":
        for group in groups.values():
            session.execute(text(f'GRANT "{group}" TO "{user}" WITH ADMIN OPTION'))
    row = session.get(TeamLogin, user) or TeamLogin(db_user=user)
    row.person_key, row.role, row.granted_at, row.granted_by = person.key, level, now, by
    session.add(row)
    return row


def revoke_login(session: Session, who: str) -> str:
    """Take a person's login away: no group role, no login; the audit keeps its name."""
    _require_postgres(session)
    groups = _levels(session)
    row = session.get(TeamLogin, who)
    if row is None:
        person = _person(session, who)
        row = session.scalar(select(TeamLogin).where(TeamLogin.person_key == person.key))
    if row is None:
        raise NotFoundError(f"{who!r} has no team login")
    user = row.db_user
    if _role_exists(session, user):
        for group in groups.values():
            session.execute(text(f'REVOKE "{group}" FROM "{user}"'))
        session.execute(text(f'ALTER ROLE "{user}" NOLOGIN'))
    session.delete(row)
    return user


def current_login(session: Session) -> Login:
    """The session's login and what it may do: SQLite, a superuser or the owner are admins."""
    if session.get_bind().dialect.name != "postgresql":
        return Login(None, "admin", None, False)
    user, superuser, owner = session.execute(
        text(
            "SELECT current_user, rolsuper, pg_has_role(current_user, "
            "(SELECT tableowner FROM pg_tables WHERE tablename = 'team_roles' LIMIT 1), 'USAGE') "
            "FROM pg_roles WHERE rolname = current_user"
        )
    ).one()
    person = session.scalar(select(TeamLogin.person_key).where(TeamLogin.db_user == user))
    groups = list(session.scalars(select(TeamRole)))
    if superuser or owner or not groups:
        return Login(str(user), "admin", person, bool(groups))
    held = [
        g.rank
        for g in groups
        if session.execute(
            text("SELECT pg_has_role(current_user, :r, 'USAGE')"), {"r": g.role}
        ).scalar()
    ]
    level = LEVELS[max(held) - 1] if held else "viewer"
    return Login(str(user), level, person, True)
