"""A believable working day for the demo: long-overdue clocks were handled, a handful run late by hours."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import BREACHED, evaluate
from slaapp.engine.eventlog import EventLog
from slaapp.engine.matrix import Matrix

I64 = npt.NDArray[np.int64]
LATE_KEPT = 3 * 3600  # open clocks may stay this late (business time); older ones were handled
# How a team closes out an overdue clock: the stop event (late, so missed), or a cancel.
CLOSE_OUT = {
    "mql_assigned": "assigned",
    "first_contact": "disqualified",
    "sql_demo": "disqualified",
    "demo_proposal": "closed_lost",
    "cs_assigned": "cs_assigned",
    "cs_kickoff": "kickoff_held",
    "onboarding": "onboarding_complete",
    "renewal": "renewal_started",
}


def overdue_closings(
    matrix: Matrix, log: EventLog, now: int, rng: np.random.Generator
) -> list[tuple[str, list[str], I64]]:
    """(event, record ids, instants) closing every clock breached by more than LATE_KEPT.

    Each closing falls between the clock's due time and `now`, so it counts as missed or
    cancelled in the history and the live table keeps only clocks late by hours.
    """
    clocks = evaluate(matrix, log, now)
    found: list[tuple[str, list[str], I64]] = []
    for handoff, event in CLOSE_OUT.items():
        if handoff not in clocks.handoff_keys:
            continue
        code = clocks.handoff_keys.index(handoff)
        late = (clocks.handoff == code) & (clocks.status == BREACHED) & clocks.has_due
        late &= (clocks.elapsed - clocks.target) > LATE_KEPT
        rows = np.flatnonzero(late)
        if rows.size == 0:
            continue
        due = clocks.due_at[rows]
        share = rng.uniform(0.05, 0.6, rows.size)
        at = (due + share * (now - due)).astype(np.int64)
        records = [clocks.records[int(r)] for r in clocks.record[rows]]
        found.append((event, records, at))
    return found
