"""Provisional matrix versions: the ones the app published on its own, until a person replaces them.

`matrix_versions.provisional` is true for a version slaapp published by itself (the bundled
default, when data arrived before any matrix); the first version a person publishes after it
takes effect from the provisional version's effective-from, so it covers all history. The
default versions written before this revision (author `slaapp`, note "Default revenue matrix",
effective from 1970) are marked provisional here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matrix_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    versions = sa.table(
        "matrix_versions",
        sa.column("author", sa.String()),
        sa.column("note", sa.Text()),
        sa.column("effective_from", sa.BigInteger()),
        sa.column("provisional", sa.Boolean()),
    )
    op.execute(
        versions.update()
        .where(
            versions.c.author == "slaapp",
            versions.c.note == "Default revenue matrix",
            versions.c.effective_from == 0,
        )
        .values(provisional=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("matrix_versions", schema=None) as batch_op:
        batch_op.drop_column("provisional")
