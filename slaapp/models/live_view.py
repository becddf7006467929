"""The live table's data: every clock judged now, with breach risk from a predictor refitted hourly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from ..engine.insights.frame import matrix_zone
from ..engine.insights.predict import BreachModel, breach_risk, describe_quality, fit_breach_model
from .database import Database
from .jobs import LiveClocks, live_clocks
from .tables import SyncRun

REFIT_SECONDS = 3600


@dataclass(frozen=True)
class SourceState:
    """The latest sync run of one source: running, ok, partial, failed, suspended, ..."""

    source: str
    state: str
    at: int


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
    if live is None or live.matrix is None:
        return LiveView(live, sources=sources)
    if model is None or at - fitted_at >= REFIT_SECONDS:
        try:
            model = fit_breach_model(live.clocks, live.matrix, matrix_zone(live.matrix))
        except ValueError:  # too little decided history yet
            return LiveView(live, sources=sources)
        fitted_at = at
    return LiveView(live, breach_risk(model, live.clocks), model, fitted_at, sources)
