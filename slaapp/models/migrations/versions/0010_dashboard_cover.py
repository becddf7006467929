"""The dashboard reads a period's clocks from one index: (started_at, status, owner) grows to cover them.

`ix_clocks_started_cover` leads with the columns of the index it replaces (each person's
recent adherence still reads it alone) and carries every column the dashboard reads of a
period's clocks, so a quarter of a million-record org is read in index order without
visiting the table. Both engines rebuild it in place.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COVERED = ["started_at", "status", "owner", "handoff", "segment", "record_id", "target_seconds",
           "elapsed_seconds", "quality_ok", "evaluated_at", "version", "due_at"]  # fmt: skip


def upgrade() -> None:
    op.drop_index("ix_clocks_started_status_owner", table_name="clocks")
    op.create_index("ix_clocks_started_cover", "clocks", COVERED)


def downgrade() -> None:
    op.drop_index("ix_clocks_started_cover", table_name="clocks")
    op.create_index("ix_clocks_started_status_owner", "clocks", ["started_at", "status", "owner"])
