"""People get a mobile number for SMS alerts: `people.phone`, E.164 text, empty for everyone.

The column is nullable and holds `+` and 8 to 15 digits (checked where numbers come in: the
people file, `slaapp people set --phone` and the People screen). On SQLite the table is
rebuilt (batch mode, foreign keys off while it is, see `Database.migrate`); PostgreSQL adds
the column in place, keeping the NOTIFY trigger of revision 0005. Downgrading drops the
numbers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The naming convention of slaapp.models.tables, spelled out so that this revision never
# changes with the models (the SQLite batch rebuild reflects the table and names its keys).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_column("phone")
