"""Per-clock facts the analyses share: team, outcome, local time, record value, source, conversion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import BREACHED, MET, MISSED, OPEN_STATUSES
from slaapp.engine.eventlog import NO_VALUE, Column, EventLog
from slaapp.engine.insights.inputs import AMOUNT, SOURCE, InsightInputs
from slaapp.engine.matrix import Matrix

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

UNKNOWN = "(none)"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, eq=False)
class Frame:
    """Columns aligned with `inputs.clocks`; `team` codes index `teams`, `source` codes `sources`."""

    inputs: InsightInputs
    zone: str
    team: I32
    teams: tuple[str, ...]
    judged: B  # met, missed, or open and already breached
    breached: B  # missed or breached
    open: B
    local_day: I64  # days since the epoch in the org's zone, of the start
    weekday: I64  # 0 Monday
    hour: I64  # local hour of the start
    amount: F64  # the record's latest amount (0 when unknown)
    source: I32
    sources: tuple[str, ...]
    eligible: B  # the record had not reached the outcome when the clock started
    converted: B  # ... and reached it afterwards


def org_zone(inputs: InsightInputs) -> str:
    """The zone of the first handoff's calendar, else UTC."""
    return matrix_zone(inputs.matrix)


def matrix_zone(matrix: Matrix) -> str:
    """The zone days and hours are read in (the same as the scorecard's and the dashboard's)."""
    return matrix.display_zone


def local_parts(instants: I64, zone: str) -> tuple[I64, I64, I64]:
    """Local day number, weekday (0 Monday) and hour of each instant in `zone`."""
    if instants.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    tz = ZoneInfo(zone)
    hours = instants // 3600
    unique, back = np.unique(hours, return_inverse=True)
    offsets = np.array([_offset(int(h) * 3600, tz) for h in unique], dtype=np.int64)
    local = instants + offsets[back]
    day = local // 86400
    return day, (day + 3) % 7, (local % 86400) // 3600


def _offset(instant: int, tz: ZoneInfo) -> int:
    delta = datetime.fromtimestamp(instant, UTC).astimezone(tz).utcoffset()
    return 0 if delta is None else int(delta.total_seconds())


def latest_per_record(log: EventLog, column: Column) -> I32:
    """Each record's latest non-empty value code of a column (NO_VALUE when never set)."""
    result = np.full(len(log.record.values), NO_VALUE, dtype=np.int32)
    present = np.flatnonzero(column.codes != NO_VALUE)
    if present.size:
        order = present[np.lexsort((log.occurred_at[present], log.record.codes[present]))]
        result[log.record.codes[order]] = column.codes[order]  # later rows overwrite earlier
    return result


def record_amounts(log: EventLog) -> F64:
    column = log.attributes.get(AMOUNT)
    if column is None:
        return np.zeros(len(log.record.values), dtype=np.float64)
    parsed = np.array([_number(v) for v in column.values] + [0.0], dtype=np.float64)
    return parsed[latest_per_record(log, column)]


def _number(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("$", "").strip())
    except ValueError:
        return 0.0
    return value if np.isfinite(value) and value > 0 else 0.0


def outcome_times(log: EventLog, events: str | tuple[str, ...]) -> I64:
    """Each record's first instant of any outcome event (int64 max when never)."""
    far = np.iinfo(np.int64).max
    result = np.full(len(log.record.values), far, dtype=np.int64)
    wanted = (events,) if isinstance(events, str) else events
    codes = [code for code, name in enumerate(log.event.values) if name in wanted]
    if codes:
        rows = np.flatnonzero(np.isin(log.event.codes, codes))
        np.minimum.at(result, log.record.codes[rows], log.occurred_at[rows])
    return result


def owner_teams(inputs: InsightInputs) -> dict[str, str]:
    found: dict[str, str] = {}
    for person in inputs.people:
        found[person.key] = person.team
        if person.email:
            found[person.email] = person.team
    return found


def build_frame(inputs: InsightInputs) -> Frame:
    clocks = inputs.clocks
    log = inputs.log
    by_owner = owner_teams(inputs)
    handoff_team = [
        inputs.matrix.handoff(k).team if _has(inputs, k) else k for k in clocks.handoff_keys
    ]
    names: dict[str, int] = {}
    owner_code = [names.setdefault(by_owner.get(o, ""), len(names)) for o in clocks.owners]
    hand_code = [names.setdefault(t, len(names)) for t in handoff_team]
    owner_team = np.array([*owner_code, -1], dtype=np.int32)[clocks.owner]
    from_handoff = np.array(hand_code, dtype=np.int32)[clocks.handoff] if hand_code else owner_team
    empty = names.get("", -2)
    team = np.where((owner_team < 0) | (owner_team == empty), from_handoff, owner_team)
    teams = tuple(name or UNKNOWN for name in names)
    status = clocks.status
    breached = (status == MISSED) | (status == BREACHED)
    zone = org_zone(inputs)
    day, weekday, hour = local_parts(clocks.started_at, zone)
    source_column = log.attributes.get(SOURCE)
    if source_column is None:
        source = np.full(len(clocks), len(()), dtype=np.int32)
        sources: tuple[str, ...] = (UNKNOWN,)
    else:
        per_record = latest_per_record(log, source_column)
        per_record = np.where(per_record == NO_VALUE, len(source_column.values), per_record)
        source = per_record[clocks.record].astype(np.int32)
        sources = (*source_column.values, UNKNOWN)
    won = outcome_times(log, inputs.outcome_events)[clocks.record]
    eligible = won >= clocks.started_at
    return Frame(
        inputs=inputs,
        zone=zone,
        team=team.astype(np.int32),
        teams=teams,
        judged=(status == MET) | breached,
        breached=breached,
        open=np.isin(status, OPEN_STATUSES),
        local_day=day,
        weekday=weekday,
        hour=hour,
        amount=record_amounts(log)[clocks.record],
        source=source,
        sources=sources,
        eligible=eligible,
        converted=eligible & (won < np.iinfo(np.int64).max),
    )


def _has(inputs: InsightInputs, key: str) -> bool:
    return any(h.key == key for h in inputs.matrix.handoffs)
