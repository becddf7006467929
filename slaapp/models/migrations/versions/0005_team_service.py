"""Team mode: the service heartbeat, logins mapped to people, group roles, audit by database user.

`service_heartbeats` holds one row per running `slaapp service`; `team_logins` maps a
PostgreSQL login to the person it is (row-level security reads it); `team_roles` lists the
group roles `slaapp team init` created. `audit_log.db_user` is the login that wrote an entry:
on PostgreSQL a trigger sets it to `current_user` whatever the client sends, and statement
triggers NOTIFY `slaapp_data` when events, clocks, alerts, matrices or people change, so open
desktops refresh within a second. Entries written before this revision have no `db_user`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NOTIFIED = ("events", "clocks", "alerts", "alert_deliveries", "matrix_versions", "people")

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION slaapp_audit_db_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_user := current_user;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION slaapp_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('slaapp_data', TG_TABLE_NAME);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION slaapp_current_person() RETURNS varchar LANGUAGE sql STABLE AS $$
    SELECT person_key FROM team_logins WHERE db_user = current_user
$$;
"""


def upgrade() -> None:
    op.create_table(
        "service_heartbeats",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("beat_at", sa.BigInteger(), nullable=False),
        sa.Column("stopped_at", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_service_heartbeats")),
    )
    op.create_table(
        "team_logins",
        sa.Column("db_user", sa.String(length=128), nullable=False),
        sa.Column("person_key", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("granted_at", sa.BigInteger(), nullable=False),
        sa.Column("granted_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("db_user", name=op.f("pk_team_logins")),
    )
    with op.batch_alter_table("team_logins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_logins_person_key"), ["person_key"])
    op.create_table(
        "team_roles",
        sa.Column("role", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("role", name=op.f("pk_team_roles")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("db_user", sa.String(length=128), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PG_FUNCTIONS)
    op.execute(
        "CREATE TRIGGER slaapp_audit_db_user BEFORE INSERT OR UPDATE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION slaapp_audit_db_user()"
    )
    for table in NOTIFIED:
        op.execute(
            f"CREATE TRIGGER slaapp_notify_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION slaapp_notify_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in NOTIFIED:
            op.execute(f"DROP TRIGGER IF EXISTS slaapp_notify_{table} ON {table}")
        op.execute("DROP TRIGGER IF EXISTS slaapp_audit_db_user ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS slaapp_notify_change()")
        op.execute("DROP FUNCTION IF EXISTS slaapp_audit_db_user()")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("db_user")
    op.drop_table("team_roles")
    with op.batch_alter_table("team_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_logins_person_key"))
    op.drop_table("team_logins")
    op.drop_table("service_heartbeats")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS slaapp_current_person()")
