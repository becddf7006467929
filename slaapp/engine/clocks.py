"""Clocks: every handoff cycle of every record, timed against the matrix at an instant `as_of`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from slaapp.engine.calendar import DAY, Calendar
from slaapp.engine.calendar_days import shift_days
from slaapp.engine.durations import whole_days
from slaapp.engine.eventlog import NO_VALUE, Column, EventLog
from slaapp.engine.matrix import Handoff, Matrix, Rule
from slaapp.engine.predicates import Condition

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

STATUSES = ("on_track", "at_risk", "paused", "breached", "met", "missed", "cancelled")
ON_TRACK, AT_RISK, PAUSED, BREACHED, MET, MISSED, CANCELLED = range(len(STATUSES))
OPEN_STATUSES = (ON_TRACK, AT_RISK, PAUSED, BREACHED)
ARRIVAL = "arrival"
BUSINESS_HOURS, AFTER_HOURS = "business_hours", "after_hours"

_NONE, _START, _STOP, _CANCEL, _PAUSE, _RESUME = range(6)


@dataclass(frozen=True, eq=False)
class ClockTable:
    """Clocks as numpy columns, ordered by record (first appearance), handoff, cycle.

    `stopped_at` is meaningful where `closed`; `due_at` where `has_due`; `quality` is
    -1 for null, 0 false, 1 true. Codes index `records`, `owners`, the matrix's handoffs
    and segments, and STATUSES.
    """

    as_of: int
    record: I32
    handoff: I32
    cycle: I32
    segment: I32
    owner: I32
    started_at: I64
    stopped_at: I64
    closed: B
    due_at: I64
    has_due: B
    target: I64
    elapsed: I64
    paused: I64
    status: I8
    quality: I8
    records: tuple[str, ...]
    owners: tuple[str, ...]
    handoff_keys: tuple[str, ...]
    segment_keys: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.record.shape[0])

    @property
    def remaining(self) -> I64:
        return self.target - self.elapsed

    @property
    def pct_elapsed(self) -> F64:
        return self.elapsed / self.target

    def row(self, i: int) -> dict[str, Any]:
        """One clock as plain values with the field names of `slaapp evaluate` (instants as ints)."""
        owner = int(self.owner[i])
        quality = int(self.quality[i])
        return {
            "record_id": self.records[int(self.record[i])],
            "handoff": self.handoff_keys[int(self.handoff[i])],
            "cycle": int(self.cycle[i]),
            "segment": self.segment_keys[int(self.segment[i])],
            "owner": None if owner == NO_VALUE else self.owners[owner],
            "started_at": int(self.started_at[i]),
            "stopped_at": int(self.stopped_at[i]) if self.closed[i] else None,
            "due_at": int(self.due_at[i]) if self.has_due[i] else None,
            "target_seconds": int(self.target[i]),
            "elapsed_seconds": int(self.elapsed[i]),
            "remaining_seconds": int(self.target[i] - self.elapsed[i]),
            "pct_elapsed": float(self.elapsed[i] / self.target[i]),
            "status": STATUSES[int(self.status[i])],
            "quality_ok": None if quality < 0 else bool(quality),
        }

    def rows(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield self.row(i)


@dataclass(frozen=True, eq=False)
class _Spans:
    """Counted pause spans: clock index, paused at, resumed at (or the clock's end), still paused."""

    clock: I64
    paused_at: I64
    resumed_at: I64
    open: B


_EMPTY64 = np.zeros(0, dtype=np.int64)
_NO_SPANS = _Spans(_EMPTY64, _EMPTY64, _EMPTY64, np.zeros(0, dtype=np.bool_))
_FAR = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class _Sorted:
    """The log's events up to as_of in processing order (record, time, input order)."""

    order: I64
    record: I32
    time: I64
    event: I32
    record_end: I64
    time_min: int
    time_max: int

    @property
    def key_base(self) -> int:
        return self.time_max - self.time_min + 1

    def key(self, record: I32, time: I64) -> I64:
        """Sortable (record, instant) keys; instants past the last event count as the last one."""
        offset: I64 = np.minimum(time, self.time_max) - self.time_min
        return record.astype(np.int64) * self.key_base + offset


def evaluate(matrix: Matrix, log: EventLog, as_of: int) -> ClockTable:
    """All clocks of all handoffs for the events at or before as_of (DESIGN.md section 4)."""
    events = _sort(log, as_of)
    lookups = _Lookups(log, events)
    parts = [
        _evaluate_handoff(matrix, h_index, handoff, log, events, lookups, as_of)
        for h_index, handoff in enumerate(matrix.handoffs)
    ]
    columns = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    order = np.lexsort((columns["cycle"], columns["handoff"], columns["record"]))
    sorted_columns = {name: values[order] for name, values in columns.items()}
    return ClockTable(
        as_of=as_of,
        records=log.record.values,
        owners=log.owner.values,
        handoff_keys=tuple(h.key for h in matrix.handoffs),
        segment_keys=matrix.segment_keys,
        **sorted_columns,
    )


def _sort(log: EventLog, as_of: int) -> _Sorted:
    kept = np.flatnonzero(log.occurred_at <= as_of)
    times = log.occurred_at[kept]
    records = log.record.codes[kept]
    if kept.size == 0:
        return _Sorted(_EMPTY64, records, times, log.event.codes[kept], _EMPTY64, 0, 0)
    low, high = int(times.min()), int(times.max())
    composite = records.astype(np.int64) * (high - low + 1) + (times - low)
    within = np.argsort(composite, kind="stable")
    order = kept[within]
    record = records[within]
    starts = np.flatnonzero(np.diff(record)) + 1
    boundary = np.concatenate((starts, [record.size])).astype(np.int64)
    record_end = np.repeat(boundary, np.diff(np.concatenate(([0], boundary))))
    return _Sorted(
        order.astype(np.int64), record, times[within], log.event.codes[order], record_end, low, high
    )


class _Lookups:
    """Latest non-empty value of a column at or before an instant, per record."""

    def __init__(self, log: EventLog, events: _Sorted) -> None:
        self._log = log
        self._events = events
        self._cache: dict[str, tuple[I64, I32]] = {}

    def column(self, name: str) -> Column | None:
        if name == "owner":
            return self._log.owner
        return self._log.attributes.get(name)

    def codes_at(self, name: str, record: I32, at: I64) -> I32:
        """Value codes (NO_VALUE where none) of column `name` for each (record, instant)."""
        column = self.column(name)
        if column is None or record.size == 0:
            return np.full(record.shape, NO_VALUE, dtype=np.int32)
        found = self._cache.get(name)
        if found is None:
            codes = column.codes[self._events.order]
            present = np.flatnonzero(codes != NO_VALUE)
            keys = self._events.key(self._events.record[present], self._events.time[present])
            found = self._cache[name] = (keys, codes[present])
        keys, values = found
        if keys.size == 0:
            return np.full(record.shape, NO_VALUE, dtype=np.int32)
        pos = np.searchsorted(keys, self._events.key(record, at), side="right") - 1
        safe = np.maximum(pos, 0)
        same = (pos >= 0) & (keys[safe] // self._events.key_base == record)
        return np.where(same, values[safe], NO_VALUE).astype(np.int32)


def _roles(handoff: Handoff, log: EventLog, events: _Sorted) -> I8:
    lookup = np.zeros(len(log.event.values) + 1, dtype=np.int8)
    index = {name: code for code, name in enumerate(log.event.values)}
    pairs = [(handoff.start, _START), (handoff.pause, _PAUSE), (handoff.resume, _RESUME)]
    pairs += [(name, _STOP) for name in handoff.stops]
    pairs += [(name, _CANCEL) for name in handoff.cancel]
    for name, role in pairs:
        if name is not None and name in index:
            lookup[index[name]] = role
    return lookup[events.event]


def _evaluate_handoff(
    matrix: Matrix,
    h_index: int,
    handoff: Handoff,
    log: EventLog,
    events: _Sorted,
    lookups: _Lookups,
    as_of: int,
) -> dict[str, npt.NDArray[Any]]:
    role = _roles(handoff, log, events)
    # Open/close: a start counts when the previous start/stop/cancel of the record was not a
    # start; a stop or cancel counts when it was. State after any of them is "open" iff start.
    cycle_events = np.flatnonzero((role == _START) | (role == _STOP) | (role == _CANCEL))
    kinds = role[cycle_events]
    recs = events.record[cycle_events]
    prev_start = np.zeros(cycle_events.size, dtype=np.bool_)
    prev_start[1:] = (kinds[:-1] == _START) & (recs[1:] == recs[:-1])
    opens = cycle_events[(kinds == _START) & ~prev_start]
    closes = cycle_events[(kinds != _START) & prev_start]
    n = opens.size
    if n == 0:
        return _empty_part()
    record = events.record[opens]
    started = events.time[opens]
    # The close of each opening is the next counted close of the same record, if any.
    candidate = np.append(closes, _FAR)[np.searchsorted(closes, opens, side="right")]
    record_end = events.record_end[opens]
    closed = candidate < record_end
    close_pos = np.where(closed, candidate, record_end)
    last = np.minimum(close_pos, role.size - 1)
    cancelled = closed & (role[last] == _CANCEL)
    end = np.where(closed, events.time[last], as_of).astype(np.int64)
    # Cycle numbers count openings per record.
    first_of_record = np.ones(n, dtype=np.bool_)
    first_of_record[1:] = record[1:] != record[:-1]
    run_start = np.maximum.accumulate(np.where(first_of_record, np.arange(n), 0))
    cycle = (np.arange(n) - run_start + 1).astype(np.int32)

    spans = _pause_spans(role, events, opens, close_pos, end) if handoff.pause else _NO_SPANS
    paused_at_end = np.zeros(n, dtype=np.bool_)
    paused_at_end[spans.clock[spans.open]] = True

    calendar = matrix.calendar(handoff.calendar)
    arrival_business = calendar.is_open_many(started)
    segment = _segments(matrix, handoff, lookups, record, end, arrival_business)

    timing = _timing(matrix, handoff, segment, started, end, spans, ~paused_at_end)
    target, at_risk, elapsed, paused, due = timing
    has_due = ~paused_at_end

    status = np.full(n, ON_TRACK, dtype=np.int8)
    status[elapsed / target >= at_risk] = AT_RISK
    status[paused_at_end] = PAUSED
    status[elapsed > target] = BREACHED
    status[closed & (elapsed <= target)] = MET
    status[closed & (elapsed > target)] = MISSED
    status[cancelled] = CANCELLED

    quality = np.full(n, -1, dtype=np.int8)
    if handoff.quality_required:
        judged = (status == MET) | (status == MISSED)
        ok = np.ones(n, dtype=np.bool_)
        for name in handoff.quality_required:
            ok &= lookups.codes_at(name, record, end) != NO_VALUE
        quality[judged] = ok[judged].astype(np.int8)

    return {
        "record": record.astype(np.int32),
        "handoff": np.full(n, h_index, dtype=np.int32),
        "cycle": cycle,
        "segment": segment.astype(np.int32),
        "owner": lookups.codes_at("owner", record, end),
        "started_at": started.astype(np.int64),
        "stopped_at": np.where(closed, end, 0).astype(np.int64),
        "closed": closed,
        "due_at": np.where(has_due, due, 0).astype(np.int64),
        "has_due": has_due,
        "target": target,
        "elapsed": elapsed,
        "paused": paused,
        "status": status,
        "quality": quality,
    }


_PART_TYPES = {
    "record": np.int32,
    "handoff": np.int32,
    "cycle": np.int32,
    "segment": np.int32,
    "owner": np.int32,
    "started_at": np.int64,
    "stopped_at": np.int64,
    "closed": np.bool_,
    "due_at": np.int64,
    "has_due": np.bool_,
    "target": np.int64,
    "elapsed": np.int64,
    "paused": np.int64,
    "status": np.int8,
    "quality": np.int8,
}


def _empty_part() -> dict[str, npt.NDArray[Any]]:
    return {name: np.zeros(0, dtype=dtype) for name, dtype in _PART_TYPES.items()}


def _timing(
    matrix: Matrix,
    handoff: Handoff,
    segment: I32,
    started: I64,
    end: I64,
    spans: _Spans,
    has_due: B,
) -> tuple[I64, F64, I64, I64, I64]:
    """Target, at-risk threshold, elapsed, paused and due instant of each clock, per rule calendar."""
    n = segment.size
    target = np.zeros(n, dtype=np.int64)
    at_risk = np.zeros(n, dtype=np.float64)
    elapsed = np.zeros(n, dtype=np.int64)
    paused = np.zeros(n, dtype=np.int64)
    due = np.zeros(n, dtype=np.int64)
    for key in {handoff.rule_calendar(matrix.segments[s].key) for s in np.unique(segment)}:
        members = np.array(
            [s for s in np.unique(segment) if handoff.rule_calendar(matrix.segments[s].key) == key],
            dtype=np.int32,
        )
        group = np.flatnonzero(np.isin(segment, members))
        rule_calendar = matrix.calendar(key)
        for s in members:
            rule = handoff.rules[matrix.segments[s].key]
            chosen = segment == s
            target[chosen] = _targets(rule, rule_calendar, started[chosen])
            at_risk[chosen] = handoff.rule_at_risk(matrix.segments[s].key)
        cum_start = rule_calendar.cum(started[group])
        cum_end = rule_calendar.cum(end[group])
        group_paused = np.zeros(group.size, dtype=np.int64)
        with_pauses = np.zeros(group.size, dtype=np.bool_)
        if spans.clock.size:
            position = np.full(n, -1, dtype=np.int64)
            position[group] = np.arange(group.size)
            in_group = position[spans.clock] >= 0
            span_clock = position[spans.clock[in_group]]
            span_cum = rule_calendar.cum(spans.resumed_at[in_group]) - rule_calendar.cum(
                spans.paused_at[in_group]
            )
            group_paused = np.bincount(span_clock, weights=span_cum, minlength=group.size).astype(
                np.int64
            )
            with_pauses[span_clock] = True
        paused[group] = group_paused
        elapsed[group] = cum_end - cum_start - group_paused
        plain = ~with_pauses
        if plain.any():
            near = int(started[group].min())
            due[group[plain]] = rule_calendar.at_cum(cum_start[plain] + target[group[plain]], near)
        for local in np.flatnonzero(with_pauses):
            clock = int(group[local])
            if has_due[clock]:
                due[clock] = _due_with_pauses(
                    rule_calendar, clock, int(started[clock]), int(target[clock]), spans
                )

    return target, at_risk, elapsed, paused, due


def _targets(rule: Rule, calendar: Calendar, started: I64) -> I64 | int:
    """Each clock's target: the rule's seconds, or on an always-open calendar with a `d`
    part the real span from the start to the same wall time that many days later plus
    the other parts (DESIGN.md section 5)."""
    days = whole_days(rule.target) if calendar.spec.always else 0
    if days <= 0 or started.size == 0:
        return rule.target_seconds
    rest = rule.target_seconds - days * DAY
    return shift_days(calendar.zone, started, days) - started + rest


def _segments(
    matrix: Matrix, handoff: Handoff, lookups: _Lookups, record: I32, end: I64, arrival_business: B
) -> I32:
    """Index of the first segment, in matrix order, that matches and has a rule of this handoff."""
    n = record.size
    segment = np.full(n, -1, dtype=np.int32)
    codes: dict[str, I32] = {}
    for s_index, seg in enumerate(matrix.segments):
        if seg.key not in handoff.rules:
            continue
        match = segment == -1
        for condition in seg.when.conditions:
            match &= _condition_mask(condition, lookups, codes, record, end, arrival_business)
        segment[match] = s_index
    return segment


def _condition_mask(
    condition: Condition,
    lookups: _Lookups,
    codes: dict[str, I32],
    record: I32,
    end: I64,
    arrival_business: B,
) -> B:
    if condition.attribute == ARRIVAL:
        business = condition.test(BUSINESS_HOURS)
        after = condition.test(AFTER_HOURS)
        return np.where(arrival_business, business, after)
    column = lookups.column(condition.attribute)
    if column is None:
        return np.zeros(record.size, dtype=np.bool_)
    found = codes.get(condition.attribute)
    if found is None:
        found = codes[condition.attribute] = lookups.codes_at(condition.attribute, record, end)
    table = np.array([condition.test(value) for value in column.values] + [False], dtype=np.bool_)
    return table[found]


def _pause_spans(role: I8, events: _Sorted, opens: I64, close_pos: I64, end: I64) -> _Spans:
    """Counted pause spans as (clock, paused_at, resumed_at or clock end, still paused)."""
    toggles = np.flatnonzero((role == _PAUSE) | (role == _RESUME))
    owner = np.searchsorted(opens, toggles, side="right") - 1
    safe = np.maximum(owner, 0)
    inside = (owner >= 0) & (toggles > opens[safe]) & (toggles < close_pos[safe])
    toggles, owner = toggles[inside], owner[inside]
    # A pause counts unless the clock is already paused; a resume counts only when it is.
    is_pause = role[toggles] == _PAUSE
    prev_pause = np.zeros(toggles.size, dtype=np.bool_)
    prev_pause[1:] = is_pause[:-1] & (owner[1:] == owner[:-1])
    counted = np.where(is_pause, ~prev_pause, prev_pause)
    toggles, owner, is_pause = toggles[counted], owner[counted], is_pause[counted]
    # Counted toggles alternate pause, resume, pause, ... within each clock.
    pauses = np.flatnonzero(is_pause)
    follows = np.append(owner, -1)[pauses + 1]
    resumed = follows == owner[pauses]
    clock = owner[pauses].astype(np.int64)
    resume_pos = np.append(toggles, 0)[pauses + 1]
    resume_at = np.where(resumed, events.time[np.minimum(resume_pos, role.size - 1)], end[clock])
    return _Spans(clock, events.time[toggles[pauses]], resume_at.astype(np.int64), ~resumed)


def _due_with_pauses(
    calendar: Calendar, clock: int, started: int, target: int, spans: _Spans
) -> int:
    """The instant the running time of a paused-and-resumed clock reaches its target."""
    run_from = started
    used = 0
    for i in np.flatnonzero(spans.clock == clock):
        paused_at, resumed_at = int(spans.paused_at[i]), int(spans.resumed_at[i])
        running = calendar.elapsed(run_from, paused_at)
        if used + running >= target:
            return calendar.add(run_from, target - used)
        used += running
        run_from = resumed_at
    return int(calendar.add(run_from, target - used))
