"""Rep scorecards against their team, and response-time distributions against the target."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slaapp.engine.metrics import F64, I64, ClockColumns, GroupStats, Members, aggregate, members

SHARE_EDGES = tuple(round(0.1 * i, 1) for i in range(21))
"""Response time as a share of the target: 0-10 %, ..., 190-200 %, then over 200 %."""


@dataclass(frozen=True, eq=False)
class RepScorecards:
    """Figures per rep (`reps`) and per team (`teams`); `rep_team[r]` is rep r's team code.

    The team figures are over all the team's clocks, not an average of the reps' figures.
    """

    reps: GroupStats
    teams: GroupStats
    rep_team: I64

    def team_of(self, rep: int) -> int:
        return int(self.rep_team[rep])

    def reference(self, values: F64) -> F64:
        """A team figure (one per team) spread to one per rep (NaN for reps without a team)."""
        found: F64 = np.full(len(self.reps), np.nan)
        known = self.rep_team >= 0
        found[known] = values[self.rep_team[known]]
        return found


def rep_scorecards(
    columns: ClockColumns,
    owner: I64,
    owners: tuple[str, ...],
    owner_team: I64,
    team: I64,
    teams: tuple[str, ...],
    team_stats: GroupStats | None = None,
) -> RepScorecards:
    """Scorecards of every owner and of every team (each clock's `team` code indexes `teams`).

    Owner codes index `owners`; `owner_team` maps an owner code to the team code of that owner.
    `team_stats` is `aggregate(columns, team, teams)` when the caller has it already.
    """
    return RepScorecards(
        aggregate(columns, owner, owners),
        aggregate(columns, team, teams) if team_stats is None else team_stats,
        owner_team.astype(np.int64),
    )


@dataclass(frozen=True, eq=False)
class ResponseDistribution:
    """Met and missed clocks per handoff by response time as a share of their own target.

    `counts[h, b]` counts handoff h's clocks in bin b: (edges[b], edges[b + 1]] of the target
    (the first bin includes 0, so a clock at exactly 100 % is in the 90-100 % bin), the last
    bin everything over the last edge. `members` lists the clocks of the group
    `h * bins + b`; `handoff` holds the per-handoff figures (median and p90 in seconds).
    """

    edges: tuple[float, ...]
    handoffs: tuple[str, ...]
    counts: I64
    members: Members
    handoff: GroupStats

    @property
    def bins(self) -> int:
        return len(self.edges)

    def group(self, handoff: int, bin_: int) -> int:
        return handoff * self.bins + bin_

    def bin_label(self, bin_: int) -> str:
        if bin_ == self.bins - 1:
            return f"over {self.edges[-1]:.0%} of target"
        return f"{self.edges[bin_]:.0%}–{self.edges[bin_ + 1]:.0%} of target"


def response_distribution(
    columns: ClockColumns,
    handoff: I64,
    handoffs: tuple[str, ...],
    edges: tuple[float, ...] = SHARE_EDGES,
) -> ResponseDistribution:
    """How long met and missed clocks took, as a share of the target they were judged against."""
    closed = columns.closed & (handoff >= 0)
    share = columns.elapsed / np.maximum(columns.target, 1)
    bin_ = np.searchsorted(np.asarray(edges), share, side="left") - 1
    bins = len(edges)
    code = np.where(closed, handoff * bins + np.clip(bin_, 0, bins - 1), -1).astype(np.int64)
    groups = len(handoffs) * bins
    counts = np.bincount(code[closed], minlength=groups)[:groups].reshape(len(handoffs), bins)
    return ResponseDistribution(
        edges,
        handoffs,
        counts.astype(np.int64),
        members(code, groups),
        aggregate(columns, handoff, handoffs),
    )
