"""What the insight functions read: the event log, its clocks, the matrix and the directory."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import ClockTable
from slaapp.engine.eventlog import EventLog
from slaapp.engine.matrix import Matrix
from slaapp.engine.people import PersonInfo

I64 = npt.NDArray[np.int64]

OUTCOME_EVENT = "closed_won"
"""The default conversion event (a matrix may name others in `conversion`)."""
AMOUNT = "amount"
SOURCE = "source"


@dataclass(frozen=True, eq=False)
class InsightInputs:
    """One org's history at `as_of`: clocks judged by the published versions, matrix = latest.

    `record_ids` holds the database id of each record code (empty when not from a database);
    `people` maps owners (by key or email) to their team; `conversion` the events that count
    a record as converted (None: the matrix's `conversion`, by default closed_won).
    """

    log: EventLog
    clocks: ClockTable
    matrix: Matrix
    people: tuple[PersonInfo, ...]
    as_of: int
    record_ids: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    conversion: tuple[str, ...] | None = None

    @property
    def outcome_events(self) -> tuple[str, ...]:
        return self.conversion or self.matrix.conversion_events

    @property
    def outcome_event(self) -> str:
        """The conversion events in words: `closed_won`, `closed_won or renewed`."""
        return " or ".join(self.outcome_events)


@dataclass(frozen=True)
class Period:
    """Half-open [start, end) in epoch seconds; clocks belong to it by their start instant."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("the period must end after it starts")

    def contains(self, instants: I64) -> npt.NDArray[np.bool_]:
        inside: npt.NDArray[np.bool_] = (instants >= self.start) & (instants < self.end)
        return inside
