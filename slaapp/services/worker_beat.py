"""The service's heartbeat row: written while `slaapp service` runs; desktops ask if one is alive."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from sqlalchemy import select

from slaapp import __version__
from slaapp.models.database import Database
from slaapp.models.tables import ServiceHeartbeat

BEAT_SECONDS = 30
"""How often a running service writes its heartbeat."""
STALE_AFTER = 3 * BEAT_SECONDS
"""A heartbeat older than this belongs to a service that died (desktops take over)."""


@dataclass(frozen=True)
class LiveService:
    """A service whose heartbeat is fresh."""

    name: str
    host: str
    pid: int
    started_at: int
    beat_at: int

    def words(self) -> str:
        """One line for a status bar."""
        return (
            f"The slaapp service on {self.host} runs the syncs and sends email, Slack and "
            "webhook alerts; this desktop shows its own toasts"
        )


def instance_name() -> str:
    """This process as a heartbeat row: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(database: Database, name: str, now: int, started_at: int) -> None:
    """Write (or refresh) this service's heartbeat."""
    with database.session() as session:
        row = session.get(ServiceHeartbeat, name)
        if row is None:
            host, _, pid = name.rpartition(":")
            row = ServiceHeartbeat(name=name, host=host or name, pid=int(pid or 0))
            session.add(row)
        row.started_at, row.beat_at, row.stopped_at = started_at, now, None
        row.version = __version__


def stop_beating(database: Database, name: str, now: int) -> None:
    """Mark this service stopped: desktops take over at once instead of after STALE_AFTER."""
    with database.session() as session:
        row = session.get(ServiceHeartbeat, name)
        if row is not None:
            row.stopped_at = now


def live_service(database: Database, now: int) -> LiveService | None:
    """The running service with the freshest heartbeat, or None when none is alive at `now`."""
    with database.session() as session:
        row = session.scalar(
            select(ServiceHeartbeat)
            .where(
                ServiceHeartbeat.stopped_at.is_(None),
                ServiceHeartbeat.beat_at >= now - STALE_AFTER,
            )
            .order_by(ServiceHeartbeat.beat_at.desc())
            .limit(1)
        )
        if row is None:
            return None
        return LiveService(row.name, row.host, row.pid, row.started_at, row.beat_at)


def service_alive(database: Database, now: int) -> bool:
    """True while a `slaapp service` beats on this database: desktops neither sync nor send."""
    return live_service(database, now) is not None
