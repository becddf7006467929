"""Loads what the insight functions need (events, clocks, matrices, people) in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slaapp.engine.insights.inputs import InsightInputs
from slaapp.models.database import Database
from slaapp.models.directory import load_people
from slaapp.models.evaluation import load_log, stored_clocks


@dataclass(frozen=True, eq=False)
class InsightData:
    """The inputs with the names users know (handoffs and segments of every version)."""

    inputs: InsightInputs
    names: dict[str, str]


def load_insight_data(database: Database, as_of: int) -> InsightData | None:
    """Every stored event judged at `as_of`; None while nothing is stored or published yet."""
    with database.session() as session:
        log, pks = load_log(session)
        if len(log) == 0:
            return None
        try:
            result = stored_clocks(session, as_of, loaded=(log, pks))
        except LookupError:
            return None
        people = load_people(session)
    names: dict[str, str] = {}
    for version in result.matrices:
        names |= {s.key: s.name for s in version.matrix.segments}
        names |= {h.key: h.name for h in version.matrix.handoffs}
    inputs = InsightInputs(
        log=log,
        clocks=result.clocks,
        matrix=result.matrices[-1].matrix,
        people=people,
        as_of=as_of,
        record_ids=np.asarray(pks, dtype=np.int64),
    )
    return InsightData(inputs, names)
