"""People remember which fields a person set by hand and their CRM owner ids.

`hand_set` lists the directory fields edited by hand or by a people file (CRM syncs never
overwrite them); `crm_ids` maps a CRM name to that CRM's owner id for the person.
Rows stored before this revision have neither.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hand_set", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("crm_ids", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("crm_ids")
        batch_op.drop_column("hand_set")
