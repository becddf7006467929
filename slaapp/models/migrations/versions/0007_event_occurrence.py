"""Same-instant events stay separate: `events.occurrence` joins the import key.

Two rows of one record with the same event at the same instant (one written
`12:05:37-05:00`, one `17:05:37Z`) are two events, as `slaapp evaluate` reads them; the
import numbers them 1, 2, ... in input order, and the unique key becomes (record_id, name,
occurred_at, occurrence). Every event stored before this revision was unique on (record_id,
name, occurred_at), so it is occurrence 1. On SQLite the table is rebuilt (batch mode, foreign
keys off while it is, see `Database.migrate`); PostgreSQL alters it in place, keeping the
NOTIFY trigger of revision 0005.

Downgrading deletes the second and later occurrences: the old key cannot hold them (the
import before this revision merged them into the first).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_KEY = "uq_events_record_id_name_occurred_at"
NEW_KEY = "uq_events_record_id_name_occurred_at_occurrence"
# The naming convention of slaapp.models.tables, spelled out so that this revision never
# changes with the models: on SQLite the batch rebuild reflects the table, and a unique
# constraint created without a name gets the name the models would have given it.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(
            sa.Column("occurrence", sa.SmallInteger(), nullable=False, server_default="1")
        )
        batch_op.drop_constraint(OLD_KEY, type_="unique")
        batch_op.create_unique_constraint(
            NEW_KEY, ["record_id", "name", "occurred_at", "occurrence"]
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM events WHERE occurrence > 1"))
    with op.batch_alter_table("events", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(NEW_KEY, type_="unique")
        batch_op.create_unique_constraint(OLD_KEY, ["record_id", "name", "occurred_at"])
        batch_op.drop_column("occurrence")
