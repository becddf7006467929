"""Each UTC day's clocks kept in a packed page, triggers that mark a day changed, two idle indexes gone.

`clock_days` holds a generation per UTC day of clock start instants: triggers add one to a
day whenever a clock that started that day is inserted, updated or deleted, or its record's
name, external id or attributes change (its label, source and amount); on PostgreSQL once
per statement (transition tables), as the schema owner so every login that may write clocks
keeps the days current, and a TRUNCATE raises every day. `clock_pages` holds the day's
clocks packed (models/clock_pages.py) with the generation they were read at: a page whose
generation is not the day's is never used. Existing days start at 1, with no page. The
triggers' SQL lives in models/clock_days.py: a later SQLite table rebuild drops a table's
triggers, and `Database.migrate` puts them back from there. The (handoff, started_at) and
(owner, started_at) indexes on clocks go: no query reads them since the covering index of
0010, and every clock written kept them up.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slaapp.models.clock_days import create_triggers, day_of, drop_triggers

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _day_key() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "clock_days",
        sa.Column("day", _day_key(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_clock_days")),
    )
    op.create_table(
        "clock_pages",
        sa.Column("day", _day_key(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_clock_pages")),
    )
    if op.get_bind().dialect.name == "postgresql":  # packed already: TOAST would only slow it
        op.execute("ALTER TABLE clock_pages ALTER COLUMN payload SET STORAGE EXTERNAL")
    op.execute(
        f"INSERT INTO clock_days (day, generation) SELECT DISTINCT {day_of('started_at')}, 1"
        " FROM clocks"
    )
    create_triggers(op.get_bind())
    # No query reads clocks by (handoff, started_at) or (owner, started_at) any more (periods
    # read the covering index of 0010, open clocks their own): every write kept them up.
    op.drop_index("ix_clocks_handoff_started", table_name="clocks")
    op.drop_index("ix_clocks_owner_started", table_name="clocks")


def downgrade() -> None:
    op.create_index("ix_clocks_owner_started", "clocks", ["owner", "started_at"])
    op.create_index("ix_clocks_handoff_started", "clocks", ["handoff", "started_at"])
    drop_triggers(op.get_bind())
    op.drop_table("clock_pages")
    op.drop_table("clock_days")
