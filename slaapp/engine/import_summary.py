"""What an import brought that no clock can use well: the import summary (issue 15, item 5).

Computed from the imported event log and the matrix in force, without the database:

- rows without any milestone (wide exports: a row with no date in any mapped milestone column);
- events no handoff uses (every handoff's start, stops, cancels, pause and resume count as used);
- records whose stop precedes their start, per handoff: a stop earlier than the record's first
  start and none at or after it. These are data problems; their clocks stay evaluated as
  DESIGN.md section 4 says (an open clock from the start on);
- attributes a segment needs that never arrive: per attribute and segment, the clocks that fell
  through to a later segment (or `default`) because the record never had a value for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import ARRIVAL, evaluate
from slaapp.engine.eventlog import NO_VALUE, EventLog
from slaapp.engine.matrix import Handoff, Matrix

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

EXAMPLES = 3
"""How many record ids a finding names as examples."""

_NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class UnusedEvent:
    """An event name of the import that no handoff starts, stops, cancels, pauses or resumes."""

    event: str
    count: int


@dataclass(frozen=True)
class StopBeforeStart:
    """Records of one handoff whose stop precedes their start (no stop after the start)."""

    handoff: str
    handoff_name: str
    records: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class MissingAttribute:
    """An attribute a segment's predicate names that never arrived for some records: `clocks`
    of theirs (of `records` records) fell through the segment to a later one or `default`."""

    attribute: str
    segment: str
    segment_name: str
    clocks: int
    records: int


@dataclass(frozen=True)
class ImportSummary:
    """What an import brought that the matrix in force cannot use well (see the module).

    `rows_without_milestone` is None when the file has no rows of records (an event log).
    """

    rows_without_milestone: int | None
    unused_events: tuple[UnusedEvent, ...] = ()
    stop_before_start: tuple[StopBeforeStart, ...] = ()
    missing_attributes: tuple[MissingAttribute, ...] = ()

    @property
    def clean(self) -> bool:
        """Nothing to report."""
        return not (
            self.rows_without_milestone
            or self.unused_events
            or self.stop_before_start
            or self.missing_attributes
        )

    def lines(self) -> list[str]:
        """The findings in plain words, one line each (empty when clean)."""
        found: list[str] = []
        if self.rows_without_milestone:
            count = self.rows_without_milestone
            found.append(
                f"{count:,} {_plural(count, 'row')} without any milestone (no date in any "
                "mapped milestone column): not imported"
            )
        if self.unused_events:
            names = ", ".join(f"{e.event} ({e.count:,})" for e in self.unused_events)
            found.append(f"events no handoff uses: {names}")
        for stop in self.stop_before_start:
            shown = ", ".join(stop.examples)
            more = ", ..." if stop.records > len(stop.examples) else ""
            found.append(
                f"data problem: {stop.records:,} {_plural(stop.records, 'record')} of "
                f"'{stop.handoff_name}' stop before they start (e.g. {shown}{more}); "
                "their clocks stay open from the start"
            )
        for missing in self.missing_attributes:
            found.append(
                f"attribute '{missing.attribute}' of segment '{missing.segment_name}' never "
                f"arrived: {missing.clocks:,} {_plural(missing.clocks, 'clock')} "
                f"({missing.records:,} {_plural(missing.records, 'record')}) fell through "
                "to a later segment"
            )
        return found

    def text(self) -> str:
        """One paragraph: "Import summary: nothing to report." or the findings as lines."""
        lines = self.lines()
        if not lines:
            return "Import summary: nothing to report."
        return "Import summary:\n" + "\n".join(f"  - {line}" for line in lines)

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON values: `dataclasses.asdict` with lists for tuples."""
        return {
            "rows_without_milestone": self.rows_without_milestone,
            "unused_events": [asdict(e) for e in self.unused_events],
            "stop_before_start": [
                {**asdict(s), "examples": list(s.examples)} for s in self.stop_before_start
            ],
            "missing_attributes": [asdict(m) for m in self.missing_attributes],
        }


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def summarize_import(
    log: EventLog, matrix: Matrix, *, rows: int | None = None, examples: int = EXAMPLES
) -> ImportSummary:
    """The import summary of `log` under `matrix`.

    `rows`: the data rows of a wide export that were read and kept (bad rows left out);
    each row is one record, so the rows without any milestone are those whose record has no
    event in the log. None for an event log (one row per event).
    """
    without = None if rows is None else max(rows - len(log.record.values), 0)
    if len(log) == 0:
        return ImportSummary(without)
    return ImportSummary(
        rows_without_milestone=without,
        unused_events=_unused_events(log, matrix),
        stop_before_start=tuple(
            found
            for handoff in matrix.handoffs
            if (found := _stop_before_start(log, handoff, examples)) is not None
        ),
        missing_attributes=_missing_attributes(log, matrix),
    )


def _unused_events(log: EventLog, matrix: Matrix) -> tuple[UnusedEvent, ...]:
    used = frozenset().union(*(h.events for h in matrix.handoffs))
    counts = np.bincount(log.event.codes, minlength=len(log.event.values))
    found = [
        UnusedEvent(name, int(counts[code]))
        for code, name in enumerate(log.event.values)
        if name not in used and counts[code] > 0
    ]
    return tuple(sorted(found, key=lambda e: (-e.count, e.event)))


def _codes(log: EventLog, names: tuple[str, ...]) -> list[int]:
    index = {name: code for code, name in enumerate(log.event.values)}
    return [index[name] for name in names if name in index]


def _stop_before_start(log: EventLog, handoff: Handoff, examples: int) -> StopBeforeStart | None:
    starts = _codes(log, (handoff.start,))
    stops = _codes(log, handoff.stops)
    if not starts or not stops:
        return None
    size = len(log.record.values)
    record, times, event = log.record.codes, log.occurred_at, log.event.codes
    first_start = np.full(size, _NEVER, dtype=np.int64)
    is_start = event == starts[0]
    np.minimum.at(first_start, record[is_start], times[is_start])
    last_stop = np.full(size, -_NEVER, dtype=np.int64)
    is_stop = np.isin(event, stops)
    np.maximum.at(last_stop, record[is_stop], times[is_stop])
    problem = (first_start != _NEVER) & (last_stop != -_NEVER) & (last_stop < first_start)
    found = np.flatnonzero(problem)
    if found.size == 0:
        return None
    shown = tuple(log.record.values[int(code)] for code in found[:examples])
    return StopBeforeStart(handoff.key, handoff.name, int(found.size), shown)


def _missing_attributes(log: EventLog, matrix: Matrix) -> tuple[MissingAttribute, ...]:
    needed = {
        c.attribute
        for h in matrix.handoffs
        for s in matrix.segments
        if s.key in h.rules
        for c in s.when.conditions
        if c.attribute != ARRIVAL
    }
    if not needed:
        return ()
    size = len(log.record.values)
    arrived: dict[str, B] = {}
    for name in needed:
        column = log.owner if name == "owner" else log.attributes.get(name)
        has = np.zeros(size, dtype=np.bool_)
        if column is not None:
            has[log.record.codes[column.codes != NO_VALUE]] = True
        arrived[name] = has
    if all(bool(has.all()) for has in arrived.values()):
        return ()
    clocks = evaluate(matrix, log, int(log.occurred_at.max()))
    found: list[MissingAttribute] = []
    for s_index, segment in enumerate(matrix.segments):
        names = sorted({c.attribute for c in segment.when.conditions} & needed)
        for name in names:
            fell = np.zeros(len(clocks), dtype=np.bool_)
            for h_index, handoff in enumerate(matrix.handoffs):
                if segment.key in handoff.rules:
                    fell |= (clocks.handoff == h_index) & (clocks.segment > s_index)
            fell &= ~arrived[name][clocks.record]
            count = int(fell.sum())
            if count:
                records = int(np.unique(clocks.record[fell]).size)
                found.append(MissingAttribute(name, segment.key, segment.name, count, records))
    return tuple(found)
