"""Sync a saved source into the database: one run per source, resumable, with a plain report."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from slaapp.engine.import_summary import ImportSummary
from slaapp.infra.secrets import SecretError, connection_token, default_store
from slaapp.models.database import Database
from slaapp.models.matrices import ensure_matrix, published_matrices
from slaapp.models.tables import SyncRun
from slaapp.sync.connections import get_connection, list_connections
from slaapp.sync.connector import (
    AccountInfo,
    Cancelled,
    Connector,
    Page,
    Progress,
    SourceSuspended,
    SyncControl,
    SyncError,
)
from slaapp.sync.folder import FolderConnector
from slaapp.sync.people import merge_people
from slaapp.sync.sources import ConnectOptions, build_connector, needs_token
from slaapp.sync.store import (
    SourceBusyError,
    claim_run,
    combine,
    commit_page,
    finish_run,
    load_cursor,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    """How a sync ended; `message` in plain words.

    `state`: ok; partial (stored, but some values or files were left out: see message);
    failed; cancelled; suspended (e.g. daily API limit); busy (another sync of the source runs).
    """

    source: str
    state: str
    message: str
    started_at: int
    finished_at: int
    pages: int = 0
    records: int = 0
    events_added: int = 0
    clocks: int = 0
    run_id: int | None = None
    quota: Mapping[str, str] = field(default_factory=dict)
    summaries: tuple[tuple[str, ImportSummary], ...] = ()
    """(file name, import summary) of each file an export-folder source imported."""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


@dataclass
class _Totals:
    pages: int = 0
    records: int = 0
    events: int = 0
    clocks: int = 0
    problems: list[str] = field(default_factory=list)


def _clock() -> int:
    return int(time.time())


def open_connector(
    database: Database, name: str, token: str | None = None, options: ConnectOptions | None = None
) -> Connector:
    """The connector of a saved connection with its token (given, env var or keyring)."""
    connection = get_connection(database, name)
    if token is None and needs_token(connection.kind):
        secret = connection_token(connection.name, connection.kind)
        token = default_store().require(secret, "Connections", connection.endpoint)
    return build_connector(connection, token, options)


def probe_connection(
    database: Database, name: str, token: str | None = None, options: ConnectOptions | None = None
) -> AccountInfo:
    """Probe a saved connection; raises SyncError or SecretError with a plain message."""
    return open_connector(database, name, token, options).validate()


def sync_source(
    database: Database,
    name: str,
    control: SyncControl | None = None,
    now: Callable[[], int] = _clock,
    *,
    token: str | None = None,
    options: ConnectOptions | None = None,
) -> SyncReport:
    """Fetch what changed in source `name` since its cursors and store it, page by page.

    Pages are committed together, `options.commit_records` records at a time: their events,
    the clocks they change and the stream's cursor in one transaction, so a killed sync
    resumes after its last commit. Progress is reported after each commit. Environment failures
    (network, token, rate limits, bad data) end in a report; bugs are logged and raised.
    """
    control = control or SyncControl()
    started = now()
    try:
        connector = open_connector(database, name, token, options)
        run_id, _killed = claim_run(database, name, started)
    except (SyncError, SecretError, LookupError) as exc:
        state = "busy" if isinstance(exc, SourceBusyError) else "failed"
        log.log(
            logging.INFO if state == "busy" else logging.WARNING,
            "sync of %s did not start: %s",
            name,
            _no_paths(_words(exc)),
        )
        return SyncReport(name, state, _words(exc), started, now())
    totals = _Totals()
    try:
        ensure_matrix(database)
        if isinstance(connector, FolderConnector):
            with database.session() as session:
                connector.matrix = published_matrices(session)[-1].matrix
        owners = merge_people(database, name, connector.reference_data().people, now())
        batch = options.commit_records if options is not None else ConnectOptions.commit_records
        for stream in connector.streams():
            if control.cancelled():
                raise Cancelled(f"{name}: sync cancelled")
            cursor = load_cursor(database, name, stream)
            pending = _Batch(database, name, stream, owners, run_id, now, totals, control, batch)
            try:
                for page in connector.fetch_changes(stream, cursor, control):
                    pending.add(page)
                    if control.cancelled():
                        raise Cancelled(f"{name}: sync cancelled")
            except SyncError:  # keep the pages fetched before the failure or the cancel
                pending.flush()
                raise
            pending.flush()
            if control.cancelled():
                raise Cancelled(f"{name}: sync cancelled")
    except Cancelled:
        return _end(database, connector, name, run_id, "cancelled", None, started, totals, now())
    except SourceSuspended as exc:
        return _end(database, connector, name, run_id, "suspended", exc.message, started, totals,
                    now())  # fmt: skip
    except SyncError as exc:
        return _end(
            database, connector, name, run_id, "failed", exc.message, started, totals, now()
        )
    except OperationalError as exc:  # the database went away: an environment error
        log.warning("sync of %s stopped: the database failed: %s", name, exc.orig)
        message = f"{name}: the database stopped answering ({type(exc.orig).__name__}); try again"
        try:
            return _end(
                database, connector, name, run_id, "failed", message, started, totals, now()
            )
        except OperationalError:
            return SyncReport(name, "failed", message, started, now(), totals.pages, totals.records,
                              totals.events, totals.clocks, run_id)  # fmt: skip
    except BaseException:
        log.exception("sync of %s stopped by an internal error", name)
        finish_run(database, name, run_id, "failed", "an internal error stopped the sync; "
                   "see the log file", now())  # fmt: skip
        raise
    if totals.problems:
        shown = "; ".join(totals.problems[:3])
        more = f" (and {len(totals.problems) - 3} more)" if len(totals.problems) > 3 else ""
        error = f"{len(totals.problems)} problems left data out: {shown}{more}"
        return _end(database, connector, name, run_id, "partial", error, started, totals, now())
    return _end(database, connector, name, run_id, "ok", None, started, totals, now())


@dataclass
class _Batch:
    """Fetched pages of one stream waiting to be committed together (`size` records a commit)."""

    database: Database
    name: str
    stream: str
    owners: Mapping[str, str]
    run_id: int
    now: Callable[[], int]
    totals: _Totals
    control: SyncControl
    size: int
    pages: list[Page] = field(default_factory=list)

    def add(self, page: Page) -> None:
        """Take a fetched page, commit when enough waits (a file's log goes on its own), and
        report progress: one report per page, after any commit it caused."""
        if page.log is not None:
            self.flush()
        self.pages.append(page)
        totals = self.totals
        totals.pages += 1
        totals.records += page.records
        totals.problems += page.problems
        if page.log is not None or sum(p.records for p in self.pages) >= self.size:
            self.flush()
        self.control.progress(
            Progress(self.name, self.stream, totals.pages, totals.records, totals.events)
        )

    def flush(self) -> None:
        """Store the waiting pages with the cursor of the last in one transaction."""
        if not self.pages:
            return
        page, count = combine(self.pages), len(self.pages)
        self.pages = []
        result = commit_page(self.database, self.name, self.stream, page, self.owners,
                             self.run_id, self.now(), count)  # fmt: skip
        self.totals.events += result.events_added
        self.totals.clocks += result.clocks


def _words(exc: BaseException | str) -> str:
    return str(exc) or type(exc).__name__


def _no_paths(text: str) -> str:
    """The text for the log: URLs cut to scheme and host (paths and queries may carry secrets)."""
    return re.sub(r"(\w+://[^/\s]+)/\S*", r"\1/...", text)


def _end(
    database: Database,
    connector: Connector,
    name: str,
    run_id: int,
    state: str,
    error: str | None,
    started: int,
    totals: _Totals,
    finished: int,
) -> SyncReport:
    summaries = tuple(connector.summaries) if isinstance(connector, FolderConnector) else ()
    notes = summary_notes(summaries)
    finish_run(database, name, run_id, state, " ".join(x for x in (error, notes) if x) or None,
               finished)  # fmt: skip
    done = f"{totals.records:,} records read, {totals.events:,} new events"
    counts = f"{totals.records:,} records, {totals.events:,} events"
    if state == "ok":
        log.info("sync of %s finished: %s", name, counts)
    elif state == "partial":
        log.warning("sync of %s finished with gaps: %s; %s", name, counts, _no_paths(error or ""))
    elif state == "cancelled":
        log.info("sync of %s cancelled; kept what was stored: %s", name, counts)
    else:
        words = _no_paths(_words(error or state))
        log.warning("sync of %s %s: %s (kept %s)", name, state, words, counts)
    message = {
        "ok": f"Synced: {done}.",
        "partial": f"Synced: {done}. {error}",
        "cancelled": f"Cancelled; kept what was stored: {done}.",
    }.get(state, f"{_words(error or state)} (kept what was stored before: {done}).")
    if notes:
        log.info("sync of %s: %s", name, notes)
        message = f"{message} {notes}"
    quota = dict(getattr(connector, "quota", {}) or {})
    return SyncReport(name, state, message, started, finished, totals.pages, totals.records,
                      totals.events, totals.clocks, run_id, quota, summaries)  # fmt: skip


def summary_notes(summaries: tuple[tuple[str, ImportSummary], ...]) -> str:
    """The import summaries of the files a sync read, for its report and run history
    (files with nothing to report are left out; empty when none has anything)."""
    parts = [f"Import summary of {name}: {'; '.join(s.lines())}." for name, s in summaries
             if not s.clean]  # fmt: skip
    return " ".join(parts)


def sync_all(
    database: Database,
    control: SyncControl | None = None,
    now: Callable[[], int] = _clock,
    *,
    options: ConnectOptions | None = None,
) -> tuple[SyncReport, ...]:
    """Sync every enabled connection in name order; one failing source doesn't stop the rest."""
    control = control or SyncControl()
    reports = []
    for connection in list_connections(database):
        if control.cancelled():
            break
        if connection.enabled:
            reports.append(sync_source(database, connection.name, control, now, options=options))
    return tuple(reports)


@dataclass(frozen=True)
class RunInfo:
    """One sync run of the history, for the Connections screen."""

    id: int
    source: str
    state: str
    started_at: int
    finished_at: int | None
    pages: int
    records: int
    events: int
    error: str | None


def sync_history(
    database: Database, source: str | None = None, limit: int = 20
) -> tuple[RunInfo, ...]:
    """The latest runs, newest first (of one source when given)."""
    with database.session() as session:
        query = select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)
        if source is not None:
            query = query.where(SyncRun.source == source)
        return tuple(
            RunInfo(
                r.id,
                r.source,
                r.state,
                r.started_at,
                r.finished_at,
                r.pages,
                r.records,
                r.events,
                r.error,
            )
            for r in session.scalars(query)
        )
