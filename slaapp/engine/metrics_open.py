"""Open clocks stored at an earlier evaluation, judged again at a later instant on their rule's calendar."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from slaapp.engine.calendar import Calendar
from slaapp.engine.clocks import AT_RISK, BREACHED, ON_TRACK, OPEN_STATUSES, PAUSED
from slaapp.engine.matrix import Matrix
from slaapp.engine.metrics import I8, I64

B = npt.NDArray[np.bool_]


def rule_timing(
    matrices: Mapping[int, Matrix], number: int, handoff: str, segment: str
) -> tuple[Calendar, float] | None:
    """The calendar and at-risk share of one rule of one matrix version (None if gone)."""
    matrix = matrices.get(number)
    try:
        found = matrix.handoff(handoff) if matrix is not None else None
        if matrix is None or found is None:
            return None
        return matrix.calendar(found.rule_calendar(segment)), found.rule_at_risk(segment)
    except KeyError:
        return None


def judge_open_now(
    status: I8,
    elapsed: I64,
    target: I64,
    evaluated_at: I64,
    now: int,
    rule: I64,
    rules: Sequence[tuple[Calendar, float] | None],
    running: B | None = None,
    paused: I64 | None = None,
) -> tuple[I8, I64, I64]:
    """Status, elapsed and paused business time at `now` of clocks stored at `evaluated_at`.

    A clock starts, stops, pauses or resumes only at an event, so an open clock judged
    before `now` with no event since gains the business seconds of its rule's calendar:
    as elapsed time while it runs (`running`: it has a due instant; by default every
    on-track and at-risk clock), as paused time while paused. It is then judged as the
    engine judges it (DESIGN section 4): breached past the target, else paused, else at risk
    past the rule's threshold. `rule` codes index `rules`: (calendar, at-risk share) of
    each clock's rule, None if unknown (such clocks stay as stored).
    """
    status, elapsed = status.copy(), elapsed.copy()
    paused = np.zeros_like(elapsed) if paused is None else paused.copy()
    if running is None:
        running = np.isin(status, (ON_TRACK, AT_RISK))
        open_now = running
    else:
        open_now = np.isin(status, OPEN_STATUSES)
    stale = np.flatnonzero(open_now & (evaluated_at < now))
    for code in np.unique(rule[stale]).tolist():
        found = rules[code] if code >= 0 else None
        if found is None:
            continue
        calendar, at_risk = found
        chosen = stale[rule[stale] == code]
        gained = calendar.elapsed_many(evaluated_at[chosen], np.full(chosen.size, now, np.int64))
        runs = running[chosen]
        elapsed[chosen[runs]] += gained[runs]
        paused[chosen[~runs]] += gained[~runs]
        spent = elapsed[chosen]
        judged = np.where(spent / target[chosen] >= at_risk, AT_RISK, ON_TRACK).astype(np.int8)
        judged[~runs] = PAUSED
        judged[spent > target[chosen]] = BREACHED
        status[chosen] = judged
    return status, elapsed, paused
