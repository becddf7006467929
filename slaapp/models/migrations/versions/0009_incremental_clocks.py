"""Closed history is judged once: `records.reevaluate_at` and the indexes reading clocks need.

`records.reevaluate_at` is the earliest stored event of a record later than the instant its
clocks were last judged (NULL when none): a clock can only start or stop at an event, so a
record whose clocks are all closed and whose events all lie before that instant keeps them as
stored. Existing databases get it from their events and stored clocks. Indexes on
`clocks.stopped_at` (recent history), `clocks.evaluated_at` (clocks judged later than an
instant) and (started_at, status, owner) (each person's recent adherence, read from the index
alone) keep those reads off a full scan. Both engines add them in place.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE records SET reevaluate_at = (
    SELECT min(e.occurred_at) FROM events e
    WHERE e.record_id = records.id AND e.occurred_at > coalesce(
        (SELECT max(c.evaluated_at) FROM clocks c WHERE c.record_id = records.id),
        (SELECT max(c.evaluated_at) FROM clocks c)
    )
)
"""


def upgrade() -> None:
    op.add_column("records", sa.Column("reevaluate_at", sa.BigInteger(), nullable=True))
    op.create_index("ix_records_reevaluate_at", "records", ["reevaluate_at"])
    op.create_index("ix_clocks_stopped_at", "clocks", ["stopped_at"])
    op.create_index("ix_clocks_evaluated_at", "clocks", ["evaluated_at"])
    op.create_index("ix_clocks_started_status_owner", "clocks", ["started_at", "status", "owner"])
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index("ix_clocks_started_status_owner", table_name="clocks")
    op.drop_index("ix_clocks_evaluated_at", table_name="clocks")
    op.drop_index("ix_clocks_stopped_at", table_name="clocks")
    op.drop_index("ix_records_reevaluate_at", table_name="records")
    with op.batch_alter_table("records") as batch_op:
        batch_op.drop_column("reevaluate_at")
