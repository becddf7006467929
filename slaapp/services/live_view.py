"""The live table's data: open clocks judged now and recent history, with breach risk from a predictor refitted hourly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from slaapp.engine.clocks import ClockTable
from slaapp.engine.display_time import resolve_zone
from slaapp.engine.insights.frame import matrix_zone
from slaapp.engine.insights.predict import (
    BreachModel,
    breach_risk,
    describe_quality,
    fit_breach_model,
)
from slaapp.engine.matrix import Matrix
from slaapp.models.current_clocks import current_clocks
from slaapp.models.database import Database
from slaapp.models.directory import owner_directory
from slaapp.models.matrices import load_version
from slaapp.models.settings import CONNECTIONS, setting_or_default
from slaapp.models.tables import Event, Record, SyncRun
from slaapp.services.display import chosen_zone

REFIT_SECONDS = 3600
HISTORY_SECONDS = 7 * 86400
"""Closed clocks the live view holds: those stopped in the last 7 days (the Met / Missed
filters, the breach model's recent outcomes); older history is summed in SQL."""
ADHERENCE_SECONDS = 30 * 86400
"""The window of each person's adherence on the "my clocks" card."""


@dataclass(frozen=True, eq=False)
class LiveClocks:
    """Every open clock judged now and the clocks closed in the last 30 days, with the names
    users know, for the live table (older history stays in the database, judged once)."""

    clocks: ClockTable
    names: dict[str, str]
    records: int
    events: int
    as_of: int
    matrix: Matrix | None = None  # the latest version, to explain due times
    record_ids: np.ndarray | None = None  # database id per record code of clocks.records
    people: dict[str, str] = field(default_factory=dict)  # person key or email -> name
    owner_teams: dict[str, str] = field(default_factory=dict)  # person key or email -> team
    zone: str = "UTC"  # the display time zone every screen shows times in
    external_ids: tuple[str, ...] = ()  # the CRM's own id per record code of clocks.records
    sources: tuple[str, ...] = ()  # where each record code came from: hubspot, import, demo...
    adherence: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """(met, met + missed) per owner over the clocks started in the last 30 days."""


def live_clocks(database: Database, at: int) -> LiveClocks | None:
    """Open clocks judged at `at` and those closed in the last 30 days; None while the database
    holds no records yet."""
    with database.session() as session:
        records = int(session.scalar(select(func.count()).select_from(Record)) or 0)
        if records == 0:
            return None
        events = int(session.scalar(select(func.count()).select_from(Event)) or 0)
        try:
            result = current_clocks(session, at, since=at - HISTORY_SECONDS)
        except LookupError:  # no matrix published yet
            return None
        directory = owner_directory(session)
        chosen = chosen_zone(session)
        adherence = _adherence(session, at - ADHERENCE_SECONDS)
    people = {handle: name for handle, (name, _) in directory.items()}
    owner_teams = {handle: team for handle, (_, team) in directory.items() if team}
    names: dict[str, str] = {}
    for version in result.matrices:
        names |= {s.key: s.name for s in version.matrix.segments}
        names |= {h.key: h.name for h in version.matrix.handoffs}
    return LiveClocks(
        result.clocks, names, records, events, at, result.matrices[-1].matrix, result.record_ids,
        people, owner_teams, resolve_zone(chosen, result.matrices[-1].matrix.display_zone),
        tuple(e for _, e in result.origins), tuple(s for s, _ in result.origins), adherence,
    )  # fmt: skip


def _adherence(session: Session, since: int) -> dict[str, tuple[int, int]]:
    """(met, met + missed) per owner of the clocks started since `since` (DESIGN 7a), read from
    the (started_at, status, owner) index alone (SQLite's planner is told so)."""
    hint = (
        " INDEXED BY ix_clocks_started_cover" if session.get_bind().dialect.name == "sqlite" else ""
    )
    rows = session.execute(
        text(
            f"SELECT owner, status, count(*) FROM clocks{hint} WHERE started_at >= :since "
            "AND status IN ('met', 'missed') GROUP BY owner, status"
        ),
        {"since": since},
    )
    found: dict[str, tuple[int, int]] = {}
    for owner, status, count in rows:
        if owner is None:
            continue
        met, judged = found.get(owner, (0, 0))
        found[owner] = (met + (count if status == "met" else 0), judged + count)
    return found


def latest_matrix(database: Database) -> Matrix | None:
    """The latest published matrix (to say durations in each rule's terms); None before any."""
    with database.session() as session:
        try:
            return load_version(session)[1]
        except LookupError:
            return None


@dataclass(frozen=True)
class SourceState:
    """The latest sync run of one source: running, ok, partial, failed, suspended, ..."""

    source: str
    state: str
    at: int


def connection_names(database: Database) -> tuple[str, ...]:
    """The names of the saved connections (a connection added but never synced counts)."""
    with database.session() as session:
        doc = setting_or_default(session, CONNECTIONS)
    return tuple(str(c.get("name", "")) for c in doc["connections"] if c.get("name"))


def source_states(database: Database) -> tuple[SourceState, ...]:
    with database.session() as session:
        rows = session.execute(
            select(SyncRun.source, SyncRun.state, SyncRun.started_at, SyncRun.finished_at)
            .order_by(SyncRun.id.desc())
            .limit(200)
        ).all()
    latest: dict[str, SourceState] = {}
    for source, state, started, finished in rows:
        latest.setdefault(source, SourceState(source, state, finished or started))
    return tuple(sorted(latest.values(), key=lambda s: s.source))


@dataclass(frozen=True, eq=False)
class LiveView:
    """Clocks for the live table; `risk` per clock (nan when closed) while history allows a model."""

    live: LiveClocks | None
    risk: np.ndarray | None = None
    model: BreachModel | None = None
    fitted_at: int = 0
    sources: tuple[SourceState, ...] = ()
    connections: tuple[str, ...] = ()  # saved CRM connections and folders, synced or not

    def sync_words(self, clock: Callable[[int], str]) -> str:
        """`hubspot synced 14:00 · salesforce not synced yet`, or `No CRM connected`."""
        words = {"ok": "synced", "running": "syncing", "partial": "synced with gaps"}
        parts = [f"{s.source} {words.get(s.state, s.state)} {clock(s.at)}" for s in self.sources]
        synced = {s.source for s in self.sources}
        parts += [f"{name} not synced yet" for name in self.connections if name not in synced]
        return " · ".join(parts) if parts else "No CRM connected"

    @property
    def risk_note(self) -> str:
        if self.model is None:
            return ""
        return (
            "Probability of breaching, from the elapsed share, the owner's open load and their "
            f"past speed at this weekday and hour. {describe_quality(self.model.quality)}"
        )


def live_view(
    database: Database, at: int, model: BreachModel | None = None, fitted_at: int = 0
) -> LiveView:
    """Judge every clock at `at`; refit the breach model when it is missing or an hour old."""
    live = live_clocks(database, at)
    sources = source_states(database)
    connections = connection_names(database)
    if live is None or live.matrix is None:
        return LiveView(live, sources=sources, connections=connections)
    if model is None or at - fitted_at >= REFIT_SECONDS:
        try:
            model = fit_breach_model(live.clocks, live.matrix, matrix_zone(live.matrix))
        except ValueError:  # too little decided history yet
            return LiveView(live, sources=sources, connections=connections)
        fitted_at = at
    return LiveView(live, breach_risk(model, live.clocks), model, fitted_at, sources, connections)
