"""Each alerted clock as it stands at send time: status, owner, time left, the rule's terms."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from slaapp.engine.clocks import STATUSES
from slaapp.engine.duration_terms import rule_terms
from slaapp.engine.durations import CLOCK_TIME, TimeTerms
from slaapp.engine.eventlog import NO_VALUE
from slaapp.models.evaluation import StoredClocks

ClockKey = tuple[int, str, int]
"""(record id, handoff key, cycle)."""


@dataclass(frozen=True)
class ClockNow:
    status: str
    owner: str | None
    remaining: int
    terms: TimeTerms = CLOCK_TIME


def clocks_now(stored: StoredClocks, keys: Collection[ClockKey]) -> dict[ClockKey, ClockNow]:
    """The clocks of `keys` that still exist (a deleted record's clocks are simply absent)."""
    if not keys:
        return {}
    clocks = stored.clocks
    record_ids = np.asarray(stored.record_ids)[clocks.record]
    rows = np.flatnonzero(np.isin(record_ids, sorted({k[0] for k in keys})))
    matrices = {v.number: v.matrix for v in stored.matrices}
    found = {}
    for row in rows.tolist():
        handoff = clocks.handoff_keys[clocks.handoff[row]]
        key = (int(record_ids[row]), handoff, int(clocks.cycle[row]))
        if key not in keys:
            continue
        owner_code = int(clocks.owner[row])
        found[key] = ClockNow(
            status=STATUSES[int(clocks.status[row])],
            owner=None if owner_code == NO_VALUE else clocks.owners[owner_code],
            remaining=int(clocks.target[row] - clocks.elapsed[row]),
            terms=rule_terms(
                matrices.get(int(stored.versions[row])),
                handoff,
                clocks.segment_keys[clocks.segment[row]],
            ),
        )
    return found
