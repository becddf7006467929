"""A literal, one-event-at-a-time reading of DESIGN.md section 4, to check the vectorised engine."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from slaapp.engine import daywalk
from slaapp.engine.eventlog import EventRow
from slaapp.engine.matrix import Matrix


def reference_clocks(matrix: Matrix, rows: list[EventRow], as_of: int) -> list[dict]:
    order: dict[str, int] = {}
    for row in rows:
        order.setdefault(row.record_id, len(order))
    events = sorted(
        ((i, r) for i, r in enumerate(rows) if r.occurred_at <= as_of),
        key=lambda p: (order[p[1].record_id], p[1].occurred_at, p[0]),
    )
    by_record: dict[str, list[EventRow]] = {}
    for _, row in events:
        by_record.setdefault(row.record_id, []).append(row)
    out = []
    for record in sorted(by_record, key=order.__getitem__):
        history = by_record[record]
        for handoff in matrix.handoffs:
            out.extend(_cycles(matrix, handoff, record, history, as_of))
    return out


def _cycles(matrix, handoff, record, history, as_of):
    found = []
    current = None
    for row in history:
        if current is None:
            if row.event == handoff.start:
                current = {"start": row.occurred_at, "spans": [], "paused_at": None}
            continue
        if row.event in handoff.stops or row.event in handoff.cancel:
            current["end"] = row.occurred_at
            current["cancelled"] = row.event not in handoff.stops
            found.append(current)
            current = None
        elif row.event == handoff.pause and handoff.pause and current["paused_at"] is None:
            current["paused_at"] = row.occurred_at
        elif row.event == handoff.resume and handoff.resume and current["paused_at"] is not None:
            current["spans"].append((current["paused_at"], row.occurred_at))
            current["paused_at"] = None
    if current is not None:
        current["end"] = None
        found.append(current)
    return [_judge(matrix, handoff, record, history, as_of, n + 1, c) for n, c in enumerate(found)]


def _latest(history, name, until):
    value = None
    for row in history:
        if row.occurred_at > until:
            break
        candidate = row.owner if name == "owner" else row.attributes.get(name)
        if candidate:
            value = candidate
    return value


def _target(rule, cal, start):
    """DESIGN.md section 5: on an always-open calendar `d` is calendar days in its zone."""
    days = 0
    if cal.spec.always and isinstance(rule.target, str):
        found = re.findall(r"(\d+(?:\.\d+)?)\s*(bd|d|h|m|s)", rule.target.lower())
        days = math.floor(sum(float(n) for n, unit in found if unit == "d"))
    if not days:
        return rule.target_seconds
    local = datetime.fromtimestamp(start, cal.zone).replace(tzinfo=None) + timedelta(days=days)
    moved = int(local.replace(tzinfo=cal.zone, fold=0).timestamp())
    return moved - start + rule.target_seconds - days * 86400


def _judge(matrix, handoff, record, history, as_of, number, c):
    end = c["end"] if c["end"] is not None else as_of
    spans = list(c["spans"])
    paused_now = c["paused_at"] is not None
    if paused_now:
        spans.append((c["paused_at"], end))
    home = matrix.calendar(handoff.calendar)
    attrs = {}
    for segment in matrix.segments:
        for condition in segment.when.conditions:
            attrs[condition.attribute] = _latest(history, condition.attribute, end)
    attrs["arrival"] = (
        "business_hours" if daywalk.elapsed(home, c["start"], c["start"] + 1) else "after_hours"
    )
    segment = next(
        s
        for s in matrix.segments
        if s.key in handoff.rules
        and all(cond.test(attrs.get(cond.attribute)) for cond in s.when.conditions)
    )
    rule = handoff.rules[segment.key]
    cal = matrix.calendar(rule.calendar or handoff.calendar)
    target = _target(rule, cal, c["start"])
    elapsed = daywalk.elapsed(cal, c["start"], end) - sum(
        daywalk.elapsed(cal, p, r) for p, r in spans
    )
    due = None
    if not paused_now:
        run_from, used = c["start"], 0
        for p, r in c["spans"]:
            running = daywalk.elapsed(cal, run_from, p)
            if used + running >= target:
                due = daywalk.add(cal, run_from, target - used)
                break
            used += running
            run_from = r
        if due is None:
            due = daywalk.add(cal, run_from, target - used)
    at_risk = handoff.at_risk if rule.at_risk is None else rule.at_risk
    if c["end"] is not None and c["cancelled"]:
        status = "cancelled"
    elif c["end"] is not None:
        status = "met" if elapsed <= target else "missed"
    elif elapsed > target:
        status = "breached"
    elif paused_now:
        status = "paused"
    elif elapsed / target >= at_risk:
        status = "at_risk"
    else:
        status = "on_track"
    quality = None
    if status in ("met", "missed") and handoff.quality_required:
        quality = all(_latest(history, name, end) for name in handoff.quality_required)
    return {
        "record_id": record,
        "handoff": handoff.key,
        "cycle": number,
        "segment": segment.key,
        "owner": _latest(history, "owner", end),
        "started_at": c["start"],
        "stopped_at": c["end"],
        "due_at": due,
        "target_seconds": target,
        "elapsed_seconds": elapsed,
        "remaining_seconds": target - elapsed,
        "pct_elapsed": elapsed / target,
        "status": status,
        "quality_ok": quality,
    }
