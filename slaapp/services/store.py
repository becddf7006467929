"""Storing an event log and judging the stored clocks, for the CLI, the app and the syncs."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import select

from slaapp.engine.clocks import ClockTable
from slaapp.engine.eventlog import EventLog
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks, stored_clocks
from slaapp.models.ingest import IngestResult, ingest_log
from slaapp.models.matrices import ensure_matrix
from slaapp.models.tables import Team

__all__ = ["StoreResult", "ensure_matrix", "judged_clocks", "now", "store_log", "team_names"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreResult:
    """What storing a log did: the ingestion counts and the clocks re-evaluated."""

    ingested: IngestResult
    clocks: int


def now() -> int:
    return int(time.time())


def store_log(
    database: Database,
    log: EventLog,
    *,
    source: str,
    at: int,
    kinds: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> StoreResult:
    """Ingest a log and re-evaluate the records it changed, in one transaction."""
    ensure_matrix(database)
    with database.session() as session:
        ingested = ingest_log(session, log, source=source, now=at, kinds=kinds, names=names)
        loaded = (log, list(ingested.record_ids)) if ingested.only_new_records else None
        clocks = refresh_clocks(session, at, ingested.changed_records, loaded)
    logger.info(
        "import of %s events stored: %s records added, %s updated; %s events added, %s updated, "
        "%s unchanged; %s clocks judged again",
        source, f"{ingested.records_added:,}", f"{ingested.records_updated:,}",
        f"{ingested.events_added:,}", f"{ingested.events_updated:,}",
        f"{ingested.events_unchanged:,}", f"{clocks:,}",
    )  # fmt: skip
    return StoreResult(ingested, clocks)


def team_names(database: Database) -> list[str]:
    """The directory's teams, for scope pickers."""
    with database.session() as session:
        return sorted(session.scalars(select(Team.name)).all())


def judged_clocks(database: Database, as_of: int) -> ClockTable:
    """Every stored clock judged at `as_of`; LookupError before any matrix is published."""
    with database.session() as session:
        return stored_clocks(session, as_of).clocks
