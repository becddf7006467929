"""The ORM tables: directory, records and events, matrix versions, audit, clocks, alerts, sync."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with naming conventions; instants are int64 UTC epoch seconds."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        str: String(255),
    }


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    function: Mapped[str] = mapped_column(default="")
    lead_key: Mapped[str | None]


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    email: Mapped[str | None] = mapped_column(unique=True)
    phone: Mapped[str | None] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(default="rep")
    timezone: Mapped[str] = mapped_column(default="UTC")
    working_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    out_of_office: Mapped[list[Any]] = mapped_column(default=list)
    capacity: Mapped[int] = mapped_column(default=25)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    hand_set: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    crm_ids: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")

    team: Mapped[Team | None] = relationship(lazy="raise")


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str]
    kind: Mapped[str] = mapped_column(String(32), default="lead")
    name: Mapped[str] = mapped_column(default="")
    owner: Mapped[str | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    reevaluate_at: Mapped[int | None] = mapped_column(BigInteger, index=True)
    """The earliest event later than the instant the record's clocks were judged (or NULL)."""


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        # The import key: the nth row of one record's event at one instant (issue 15 item 7).
        UniqueConstraint(
            "record_id",
            "name",
            "occurred_at",
            "occurrence",
            name="uq_events_record_id_name_occurred_at_occurrence",
        ),
        Index("ix_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[int] = mapped_column(BigInteger)
    occurrence: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    """1 for the first row of this record's event at this instant in an import, 2 for the next..."""
    owner: Mapped[str | None]
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    source: Mapped[str] = mapped_column(String(64))
    raw: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[int] = mapped_column(BigInteger)


class MatrixVersion(Base):
    __tablename__ = "matrix_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    document: Mapped[str] = mapped_column(Text)
    author: Mapped[str]
    published_at: Mapped[int] = mapped_column(BigInteger)
    effective_from: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    parent_number: Mapped[int | None]
    reevaluate_open: Mapped[bool] = mapped_column(Boolean, default=False)
    signoffs: Mapped[list[Any]] = mapped_column(default=list)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[int] = mapped_column(BigInteger, index=True)
    actor: Mapped[str]
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    db_user: Mapped[str | None] = mapped_column(String(128))
    """The database login that wrote the entry (PostgreSQL sets it itself; None on SQLite)."""


CLOCKS_COVERED = ("started_at", "status", "owner", "handoff", "segment", "record_id",
                  "target_seconds", "elapsed_seconds", "quality_ok", "evaluated_at", "version",
                  "due_at")  # fmt: skip
"""The columns the dashboard reads of a period's clocks: one index holds them all (0010)."""


class Clock(Base):
    __tablename__ = "clocks"
    __table_args__ = (
        UniqueConstraint("record_id", "handoff", "cycle"),
        Index("ix_clocks_open_due", "is_open", "due_at"),
        Index("ix_clocks_stopped_at", "stopped_at"),
        Index("ix_clocks_evaluated_at", "evaluated_at"),
        Index("ix_clocks_started_cover", *CLOCKS_COVERED),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    handoff: Mapped[str] = mapped_column(String(64))
    cycle: Mapped[int]
    version: Mapped[int]
    segment: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(default="")
    owner: Mapped[str | None]
    started_at: Mapped[int] = mapped_column(BigInteger)
    stopped_at: Mapped[int | None] = mapped_column(BigInteger)
    due_at: Mapped[int | None] = mapped_column(BigInteger)
    target_seconds: Mapped[int] = mapped_column(BigInteger)
    elapsed_seconds: Mapped[int] = mapped_column(BigInteger)
    paused_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    pct_elapsed: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    is_open: Mapped[bool] = mapped_column(Boolean)
    quality_ok: Mapped[bool | None] = mapped_column(Boolean)
    evaluated_at: Mapped[int] = mapped_column(BigInteger)


class ClockDay(Base):
    """A UTC day of clock start instants and its generation, which triggers (migration 0011)
    raise whenever a clock started that day, or its record's label or attributes, change."""

    __tablename__ = "clock_days"

    day: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    generation: Mapped[int] = mapped_column(BigInteger)


class ClockPage(Base):
    """The closed clocks of one UTC day packed (models/clock_pages.py), read at `generation`."""

    __tablename__ = "clock_pages"

    day: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    generation: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class AlertClockState(Base):
    """How far up its ladder a clock has fired, keyed by clock identity (clock rows are rewritten)."""

    __tablename__ = "alert_clock_states"
    __table_args__ = (UniqueConstraint("record_id", "handoff", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    handoff: Mapped[str] = mapped_column(String(64))
    cycle: Mapped[int]
    step: Mapped[str] = mapped_column(String(32))
    step_at: Mapped[float] = mapped_column(Float)
    fired_at: Mapped[int] = mapped_column(BigInteger)
    reminders: Mapped[int] = mapped_column(default=0)
    acknowledged_at: Mapped[int | None] = mapped_column(BigInteger)
    snoozed_until: Mapped[int | None] = mapped_column(BigInteger)


class Alert(Base):
    """One fired step (or pattern notice); `dedup_key` makes a second firing impossible."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_fired_at", "fired_at"),
        Index("ix_alerts_record_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(unique=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    handoff: Mapped[str] = mapped_column(String(64), default="")
    cycle: Mapped[int | None]
    step: Mapped[str] = mapped_column(String(32))
    step_at: Mapped[float] = mapped_column(Float, default=0.0)
    severity: Mapped[str] = mapped_column(String(16))
    reminder: Mapped[int] = mapped_column(default=0)
    fired_at: Mapped[int] = mapped_column(BigInteger)
    owner: Mapped[str | None]
    team: Mapped[str] = mapped_column(default="")
    title: Mapped[str] = mapped_column(Text)
    lines: Mapped[list[Any]] = mapped_column(default=list)
    link: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_by: Mapped[str | None]
    snoozed_until: Mapped[int | None] = mapped_column(BigInteger)


class AlertDelivery(Base):
    """One alert to one recipient over one channel: waiting, sent or failed (retried with backoff)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", "recipient_key"),
        Index("ix_alert_deliveries_state_not_before", "state", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    recipient_key: Mapped[str]
    recipient_name: Mapped[str] = mapped_column(default="")
    address: Mapped[str | None]
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    not_before: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[int | None] = mapped_column(BigInteger)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)


class AlertAction(Base):
    """An escalation action on a record (a reassignment): proposed, applied, declined or failed."""

    __tablename__ = "alert_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    from_owner: Mapped[str | None]
    to_owner: Mapped[str | None]
    policy: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)
    decided_at: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[str | None]


class SyncCursor(Base):
    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("source", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    stream: Mapped[str] = mapped_column(String(64))
    watermark: Mapped[int | None] = mapped_column(BigInteger)
    seen_ids: Mapped[list[Any]] = mapped_column(default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    pages: Mapped[int] = mapped_column(default=0)
    records: Mapped[int] = mapped_column(default=0)
    events: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    """A setting's JSON value and the version of its shape (declared in models/settings.py)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[int] = mapped_column(BigInteger)


class ServiceHeartbeat(Base):
    """One running `slaapp service`: desktops leave syncs and sends to it while it beats."""

    __tablename__ = "service_heartbeats"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(default="")
    pid: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[int] = mapped_column(BigInteger)
    beat_at: Mapped[int] = mapped_column(BigInteger)
    stopped_at: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[str] = mapped_column(String(32), default="")


class TeamLogin(Base):
    """A PostgreSQL login of team mode and the person it is (row-level security reads it)."""

    __tablename__ = "team_logins"

    db_user: Mapped[str] = mapped_column(String(128), primary_key=True)
    person_key: Mapped[str] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[int] = mapped_column(BigInteger)
    granted_by: Mapped[str] = mapped_column(default="")


class TeamRole(Base):
    """The group roles `slaapp team init` created, with their rank (viewer 1 .. admin 4)."""

    __tablename__ = "team_roles"

    role: Mapped[str] = mapped_column(String(128), primary_key=True)
    level: Mapped[str] = mapped_column(String(32))
    rank: Mapped[int]


def table_of(entity: type[Base]) -> Table:
    """The Core table of a mapped class, for bulk statements that skip the ORM."""
    return cast(Table, entity.__table__)
