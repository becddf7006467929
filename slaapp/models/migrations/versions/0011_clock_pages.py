"""Closed clocks kept per UTC day in packed pages, and triggers that mark a day changed.

`clock_days` holds a generation per UTC day of clock start instants: triggers add one to a
day whenever a clock that started that day is inserted, updated or deleted, or its record's
name, external id or attributes change (its label, source and amount). `clock_pages` holds
the day's closed clocks packed (models/clock_pages.py) with the generation they were read
at: a page whose generation is not the day's is never used. Existing days start at 1, with
no page. On PostgreSQL the triggers run once per statement (transition tables) and as the
schema owner, so every login that may write clocks keeps the days current. The triggers'
SQL lives in models/clock_days.py: a later SQLite table rebuild drops a table's triggers, and
`Database.migrate` puts them back from there.

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


def downgrade() -> None:
    drop_triggers(op.get_bind())
    op.drop_table("clock_pages")
    op.drop_table("clock_days")
