"""What-if: replay a period under a changed matrix (target, calendar, segment rule) and compare."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import BREACHED, MET, MISSED, ClockTable, evaluate
from slaapp.engine.eventlog import NO_VALUE, Column, EventLog
from slaapp.engine.insights.frame import UNKNOWN, Frame, latest_per_record, outcome_times
from slaapp.engine.insights.inputs import SOURCE, Period
from slaapp.engine.insights.ladder import AlertVolume, describe_target, ladder_volume
from slaapp.engine.insights.revenue import ConversionBand, band_of, band_rates, conversion_bands
from slaapp.engine.insights.speed import ALPHA as SPEED_ALPHA
from slaapp.engine.insights.speed import SpeedCurve, one_sided_p, speed_curves, trend_z
from slaapp.engine.insights.stats import F64
from slaapp.engine.matrix import DEFAULT_SEGMENT, Handoff, Matrix, Rule

I64 = npt.NDArray[np.int64]

PACING = 1.0
"""Share of a target change that clocks which met the old target take up (1: they pace to it)."""


@dataclass(frozen=True)
class Change:
    """A proposed rule change: the handoff, one segment (None: every rule), new target/calendar."""

    handoff: str
    segment: str | None = None
    target_seconds: int | None = None
    calendar: str | None = None


@dataclass(frozen=True)
class Side:
    """Figures of one side of a what-if over the clocks started in the period."""

    clocks: int
    violations: int
    alerts: AlertVolume
    conversion: float | None  # estimated share of eligible closed clocks whose record converts
    target_seconds: int | None  # the changed rule's target (the first change), if one


@dataclass(frozen=True)
class WhatIf:
    changes: tuple[Change, ...]
    period: Period
    before: Side
    after: Side
    sentence: str

    @property
    def violations_change(self) -> float | None:
        """Relative change of violations (-0.4 = 40 % fewer); None without violations before."""
        if self.before.violations == 0:
            return None
        return (self.after.violations - self.before.violations) / self.before.violations

    @property
    def conversion_points(self) -> float | None:
        if self.before.conversion is None or self.after.conversion is None:
            return None
        return (self.after.conversion - self.before.conversion) * 100.0


def changed_matrix(matrix: Matrix, changes: tuple[Change, ...]) -> Matrix:
    """The matrix with the changes applied; a segment without a rule gets one (default's copy)."""
    handoffs = {h.key: h for h in matrix.handoffs}
    for change in changes:
        handoff = handoffs.get(change.handoff)
        if handoff is None:
            raise ValueError(
                f"no handoff {change.handoff!r} in the matrix (known: {', '.join(handoffs)})"
            )
        if change.calendar is not None and change.calendar not in matrix.calendars:
            raise ValueError(
                f"no calendar {change.calendar!r} in the matrix "
                f"(known: {', '.join(matrix.calendars)})"
            )
        if change.target_seconds is not None and change.target_seconds <= 0:
            raise ValueError("a target must be longer than zero")
        handoffs[change.handoff] = _changed(handoff, change, matrix)
    return dataclasses.replace(
        matrix, handoffs=tuple(handoffs[h.key] for h in matrix.handoffs), _calendars={}
    )


def _changed(handoff: Handoff, change: Change, matrix: Matrix) -> Handoff:
    rules = dict(handoff.rules)
    if change.segment is not None:
        if change.segment not in matrix.segment_keys:
            raise ValueError(
                f"no segment {change.segment!r} in the matrix "
                f"(known: {', '.join(matrix.segment_keys)})"
            )
        keys = [change.segment]
        if change.segment not in rules:
            rules[change.segment] = rules[DEFAULT_SEGMENT]
    else:
        keys = list(rules)
    for key in keys:
        rule = rules[key]
        target = change.target_seconds or rule.target_seconds
        rules[key] = Rule(
            target=target if change.target_seconds else rule.target,
            target_seconds=target,
            calendar=change.calendar if change.calendar is not None else rule.calendar,
            at_risk=rule.at_risk,
            warn_at=rule.warn_at,
        )
    return dataclasses.replace(handoff, rules=rules)


def subset_log(log: EventLog, records: I64) -> EventLog:
    """The events of these record codes only (codes and value tables unchanged)."""
    keep = np.isin(log.record.codes, records)
    return EventLog(
        record=Column(log.record.codes[keep], log.record.values),
        event=Column(log.event.codes[keep], log.event.values),
        occurred_at=log.occurred_at[keep],
        owner=Column(log.owner.codes[keep], log.owner.values),
        attributes={n: Column(c.codes[keep], c.values) for n, c in log.attributes.items()},
    )


def what_if(
    frame: Frame, changes: tuple[Change, ...], period: Period, pacing: float = PACING
) -> WhatIf:
    """Replay the clocks of the changed handoffs started in `period` under the changed matrix."""
    if not changes:
        raise ValueError("name at least one change")
    inputs = frame.inputs
    after_matrix = changed_matrix(inputs.matrix, changes)
    keys = {c.handoff for c in changes}
    before_matrix = dataclasses.replace(
        inputs.matrix,
        handoffs=tuple(h for h in inputs.matrix.handoffs if h.key in keys),
        _calendars={},
    )
    after_matrix = dataclasses.replace(
        after_matrix, handoffs=tuple(h for h in after_matrix.handoffs if h.key in keys)
    )
    clocks = inputs.clocks
    codes = [i for i, k in enumerate(clocks.handoff_keys) if k in keys]
    involved = np.isin(clocks.handoff, codes) & period.contains(clocks.started_at)
    log = subset_log(inputs.log, np.unique(clocks.record[involved]))
    before = evaluate(before_matrix, log, inputs.as_of)
    after = evaluate(after_matrix, log, inputs.as_of)
    rows = np.flatnonzero(period.contains(before.started_at))
    curves = _curves(frame, keys)
    won = outcome_times(log, inputs.outcome_events)
    sources = record_sources(log)
    before_side = _side(before_matrix, before, rows, (curves, sources), won, changes, None)
    after_side = _side(after_matrix, after, rows, (curves, sources), won, changes, (before, pacing))
    result = WhatIf(changes, period, before_side, after_side, "")
    return dataclasses.replace(result, sentence=describe(result, inputs.matrix))


@dataclass(frozen=True, eq=False)
class Curves:
    """A handoff's conversion by band: the groups where speed matters, and the rest pooled."""

    pooled: F64
    groups: dict[tuple[str, str], F64]  # ("segment", key) or ("source", name) -> rates


def _curves(frame: Frame, keys: set[str]) -> dict[str, Curves]:
    """Conversion by response-time band of each changed handoff whose records can convert."""
    clocks = frame.inputs.clocks
    everything = np.ones(len(clocks), dtype=np.bool_)
    matters = [c for c in speed_curves(frame, everything, handoffs=keys) if c.matters]
    found: dict[str, Curves] = {}
    for h, key in enumerate(clocks.handoff_keys):
        if key not in keys:
            continue
        mine = clocks.handoff == h
        groups = {(c.dimension, c.group): c.rates for c in matters if c.handoff == key}
        rest = mine.copy()
        for dimension, group in groups:
            if dimension == "segment":
                rest &= clocks.segment != clocks.segment_keys.index(group)
            else:
                rest &= frame.source != frame.sources.index(group)
        bands = conversion_bands(frame, np.flatnonzero(rest if groups else mine))
        if not bands:
            bands = conversion_bands(frame, np.flatnonzero(mine))
        if bands:
            found[key] = Curves(_pooled(bands), groups)
    return found


def _pooled(bands: tuple[ConversionBand, ...]) -> F64:
    """The band curve of the clocks outside the groups where speed matters: flat (the overall
    rate) unless conversion falls significantly with slower responses there too."""
    rates = band_rates(bands)
    curve = SpeedCurve("", "", "", bands, trend_z(bands), one_sided_p(trend_z(bands)), False)
    if curve.p_adjusted < SPEED_ALPHA and curve.steep:
        return rates
    clocks = sum(b.clocks for b in bands)
    flat: F64 = np.full(rates.size, sum(b.converted for b in bands) / max(clocks, 1))
    return flat


def record_sources(log: EventLog) -> npt.NDArray[np.object_]:
    """Each record's latest source name (UNKNOWN when never set)."""
    column = log.attributes.get(SOURCE)
    if column is None:
        return np.full(len(log.record.values), UNKNOWN, dtype=object)
    codes = latest_per_record(log, column)
    names = np.array([*column.values, UNKNOWN], dtype=object)
    found: npt.NDArray[np.object_] = names[np.where(codes == NO_VALUE, len(column.values), codes)]
    return found


def _side(
    matrix: Matrix,
    table: ClockTable,
    rows: I64,
    curves: tuple[dict[str, Curves], npt.NDArray[np.object_]],
    won: I64,
    changes: tuple[Change, ...],
    baseline: tuple[ClockTable, float] | None,
) -> Side:
    status = table.status[rows]
    violations = int(((status == MISSED) | (status == BREACHED)).sum())
    first = changes[0]
    h_code = table.handoff_keys.index(first.handoff)
    s_code = table.segment_keys.index(first.segment) if first.segment in table.segment_keys else -1
    chosen = rows[
        (table.handoff[rows] == h_code) & ((s_code < 0) | (table.segment[rows] == s_code))
    ]
    target = int(np.median(table.target[chosen])) if chosen.size else None
    return Side(
        clocks=int(rows.size),
        violations=violations,
        alerts=ladder_volume(matrix, table, rows),
        conversion=_conversion(table, rows, curves, won, baseline),
        target_seconds=target,
    )


def _conversion(
    table: ClockTable,
    rows: I64,
    curves: tuple[dict[str, Curves], npt.NDArray[np.object_]],
    won: I64,
    baseline: tuple[ClockTable, float] | None,
) -> float | None:
    """Mean band conversion rate of the closed, still-convertible clocks of handoffs with a curve.

    After a change, clocks that met the old deadline are assumed to take up `pacing` of the
    change of their real-time allowance (due minus start); late clocks stay as late.
    """
    reference = table if baseline is None else baseline[0]
    status = reference.status[rows]
    eligible = won[reference.record[rows]] >= reference.started_at[rows]
    keep = rows[((status == MET) | (status == MISSED)) & eligible]
    total = 0.0
    count = 0
    by_handoff, sources = curves
    for key, curve in by_handoff.items():
        mine = keep[reference.handoff[keep] == reference.handoff_keys.index(key)]
        if mine.size == 0:
            continue
        share = reference.elapsed[mine] / reference.target[mine]
        if baseline is not None:
            pacing = baseline[1]
            old = (reference.due_at[mine] - reference.started_at[mine]).astype(np.float64)
            new = (table.due_at[mine] - table.started_at[mine]).astype(np.float64)
            ratio = np.where(
                reference.has_due[mine] & table.has_due[mine] & (old > 0),
                new / np.maximum(old, 1.0),
                table.target[mine] / reference.target[mine],
            )
            share = np.where(share <= 1.0, share * (1.0 + pacing * (ratio - 1.0)), share)
        band = band_of(share)
        rates = curve.pooled[band]
        for (dimension, group), group_rates in curve.groups.items():
            if dimension == "segment":
                segment = reference.segment[mine]
                keys = reference.segment_keys
                member = np.array([keys[c] == group for c in segment.tolist()], dtype=np.bool_)
            else:
                member = sources[reference.record[mine]] == group
            rates = np.where(member, group_rates[band], rates)
        total += float(rates.sum())
        count += int(mine.size)
    return total / count if count else None


def describe(result: WhatIf, matrix: Matrix) -> str:
    """One sentence: what the change does to violations and conversion."""
    change = result.changes[0]
    handoff = matrix.handoff(change.handoff)
    segment = "" if change.segment is None else f" ({matrix.segment(change.segment).name})"
    before, after = result.before.target_seconds, result.after.target_seconds
    rule_key = change.segment if change.segment in handoff.rules else None
    calendar_key = change.calendar or handoff.rule_calendar(rule_key or DEFAULT_SEGMENT)
    spec = matrix.calendars.get(calendar_key)
    if change.target_seconds is not None and before is not None and after is not None:
        verb = "extending" if after > before else "shortening" if after < before else "keeping"
        what = (
            f"{verb} {handoff.name}{segment} from {describe_target(before, spec)} "
            f"to {describe_target(after, spec)}"
        )
    elif change.calendar is not None:
        what = f"timing {handoff.name}{segment} on the {change.calendar} calendar"
    else:
        what = f"giving {handoff.name} its own rule for {segment.strip(' ()')}"
    parts = [what]
    if result.violations_change is None:
        parts.append(f"leaves late clocks at {result.after.violations}")
    else:
        change_pct = -result.violations_change * 100
        verb = "cuts" if change_pct >= 0 else "raises"
        parts.append(
            f"{verb} late clocks by {abs(change_pct):.0f} % "
            f"({result.before.violations:,} to {result.after.violations:,})"
        )
    points = result.conversion_points
    if points is not None and abs(points) >= 0.05:  # no "+0.0 points"
        parts.append(f"moves estimated conversion by {points:+.1f} points")
    sentence = parts[0] + " " + " and ".join(parts[1:])
    return sentence[0].upper() + sentence[1:] + "."
