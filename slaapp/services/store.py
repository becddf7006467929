"""Storing an event log and judging the stored clocks, for the CLI, the app and the syncs."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import select

from slaapp.engine.eventlog import EventLog
from slaapp.engine.import_summary import ImportSummary, summarize_import
from slaapp.engine.matrix import Matrix
from slaapp.models.database import Database
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.ingest import IngestResult, ingest_log
from slaapp.models.matrices import ensure_matrix, published_matrices
from slaapp.models.tables import Team

__all__ = [
    "ImportSummary",
    "StoreResult",
    "ensure_matrix",
    "matrix_in_force",
    "now",
    "store_log",
    "team_names",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreResult:
    """What storing a log did: the ingestion counts, the clocks re-evaluated and the import
    summary of the log under the matrix in force (rows without milestones, unused events,
    stops before starts, segment attributes that never arrive)."""

    ingested: IngestResult
    clocks: int
    summary: ImportSummary | None = None


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
    rows: int | None = None,
) -> StoreResult:
    """Ingest a log and re-evaluate the records it changed, in one transaction; summarise it.

    `rows`: the data rows of a wide export the log was read from (bad rows left out), so the
    summary counts the rows without any milestone; None for an event log.
    """
    ensure_matrix(database)
    summary = summarize_import(log, matrix_in_force(database), rows=rows)
    with database.session(immediate=True) as session:  # SQLite: writers wait their turn
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
    if not summary.clean:
        logger.debug("import of %s events: %s", source, "; ".join(summary.lines()))
    return StoreResult(ingested, clocks, summary)


def matrix_in_force(database: Database) -> Matrix:
    """The newest matrix version in force (the one new clocks are judged by)."""
    with database.session() as session:
        return published_matrices(session)[-1].matrix


def team_names(database: Database) -> list[str]:
    """The directory's teams, for scope pickers."""
    with database.session() as session:
        return sorted(session.scalars(select(Team.name)).all())
