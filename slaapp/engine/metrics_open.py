"""Open clocks stored at an earlier evaluation, judged again at a later instant with their rule's calendar."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from slaapp.engine.calendar import Calendar
from slaapp.engine.clocks import AT_RISK, BREACHED, ON_TRACK
from slaapp.engine.metrics import I8, I64


def judge_open_now(
    status: I8,
    elapsed: I64,
    target: I64,
    evaluated_at: I64,
    now: int,
    rule: I64,
    rules: Sequence[tuple[Calendar, float] | None],
) -> tuple[I8, I64]:
    """Status and elapsed business time at `now` of clocks stored at `evaluated_at`.

    Only running clocks (on track or at risk) evaluated before `now` change: they gain the
    business seconds of their rule's calendar since their evaluation, then are judged as the
    engine judges them (breached past the target, at risk past the rule's threshold).
    `rule` codes index `rules`: (calendar, at-risk share) of each clock's rule, None if unknown.
    """
    status, elapsed = status.copy(), elapsed.copy()
    stale = np.flatnonzero(np.isin(status, (ON_TRACK, AT_RISK)) & (evaluated_at < now))
    for code in np.unique(rule[stale]).tolist():
        found = rules[code] if code >= 0 else None
        if found is None:
            continue
        calendar, at_risk = found
        chosen = stale[rule[stale] == code]
        gained = calendar.elapsed_many(evaluated_at[chosen], np.full(chosen.size, now, np.int64))
        elapsed[chosen] += gained
        share = elapsed[chosen] / target[chosen]
        judged = np.where(share > 1.0, BREACHED, np.where(share >= at_risk, AT_RISK, ON_TRACK))
        status[chosen] = judged.astype(np.int8)
    return status, elapsed
