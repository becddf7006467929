"""Every dashboard aggregate of one set of clocks, computed together so they share one sort."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slaapp.engine.metrics import F64, I64, ClockColumns, GroupStats, aggregate, deal_bands
from slaapp.engine.metrics_reps import (
    RepScorecards,
    ResponseDistribution,
    rep_scorecards,
    response_distribution,
)
from slaapp.engine.metrics_time import (
    AdherenceSeries,
    BreachHeat,
    adherence_over_time,
    breach_heat,
    local_seconds,
)

BREAKDOWNS = ("source", "segment", "deal_size", "team")
BREAKDOWN_TITLES = {
    "source": "Lead source",
    "segment": "Segment",
    "deal_size": "Deal size",
    "team": "Team",
}


@dataclass(frozen=True, eq=False)
class Dimension:
    """A code per clock (< 0: none) and the label of each code."""

    codes: I64
    labels: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class DashboardMetrics:
    """The dashboard's aggregates; every group keeps the indices of the clocks behind it."""

    summary: GroupStats  # one group: all clocks
    adherence: AdherenceSeries
    heat: BreachHeat
    responses: ResponseDistribution
    reps: RepScorecards
    breakdowns: dict[str, GroupStats]


def dashboard_metrics(
    columns: ClockColumns,
    *,
    handoff: Dimension,
    segment: Dimension,
    owner: Dimension,
    owner_team: I64,
    team: Dimension,
    source: Dimension,
    amount: F64,
    start: int,
    end: int,
    zone: str,
    step: str = "day",
) -> DashboardMetrics:
    """All aggregates of the dashboard for these clocks (started in [start, end), judged already)."""
    bands, band_labels = deal_bands(amount)
    local = local_seconds(columns.started_at, zone)
    everything = np.zeros(len(columns), dtype=np.int64)
    breakdowns = {
        "source": aggregate(columns, source.codes, source.labels),
        "segment": aggregate(columns, segment.codes, segment.labels),
        "deal_size": aggregate(columns, bands, band_labels),
        "team": aggregate(columns, team.codes, team.labels),
    }
    return DashboardMetrics(
        summary=aggregate(columns, everything, ("All clocks",)),
        adherence=adherence_over_time(
            columns,
            handoff.codes,
            handoff.labels,
            start=start,
            end=end,
            zone=zone,
            step=step,
            local=local,
        ),
        heat=breach_heat(columns, zone, local),
        responses=response_distribution(columns, handoff.codes, handoff.labels),
        reps=rep_scorecards(
            columns,
            owner.codes,
            owner.labels,
            owner_team,
            team.codes,
            team.labels,
            breakdowns["team"],
        ),
        breakdowns=breakdowns,
    )
