"""What changed between two matrix versions, in the words a RevOps manager uses."""

from __future__ import annotations

import json
from typing import Any

from slaapp.engine.calendar import WEEKDAYS
from slaapp.engine.duration_terms import calendar_terms
from slaapp.engine.durations import describe_duration
from slaapp.engine.matrix import Matrix, Rule
from slaapp.engine.matrix_document import matrix_to_document
from slaapp.engine.matrix_draft import calendar_label

DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday"), strict=True))  # fmt: skip
HANDOFF_FIELDS = {
    "team": "responsible team",
    "start": "starts at",
    "stop": "stops at",
    "cancel": "cancelled by",
    "pause": "paused by",
    "resume": "resumed by",
    "calendar": "calendar",
    "quality": "required fields",
    "warn_at": "warnings at",
    "at_risk": "at risk from",
    "escalation": "escalation ladder",
}
CALENDAR_FIELDS = {
    "timezone": "time zone",
    "holidays": "holidays",
    "holiday_preset": "public holidays",
    "overrides": "special days",
    "hours_per_day": "hours per business day",
    "always": "open around the clock",
}


def describe_changes(old: Matrix, new: Matrix) -> list[str]:
    """One line per change: `Assigned to first contact, Everyone else: 2 h → 90 min`."""
    before, after = matrix_to_document(old), matrix_to_document(new)
    lines: list[str] = []
    if before.get("name") != after.get("name"):
        lines.append(f"Matrix renamed “{before.get('name')}” → “{after.get('name')}”")
    lines += _segments(before["segments"], after["segments"])
    lines += _calendars(before["calendars"], after["calendars"])
    lines += _handoffs(old, new, before["handoffs"], after["handoffs"])
    if old.business_zone != new.business_zone:
        lines.append(f"Business time zone: {old.business_zone} → {new.business_zone}")
    if old.conversion_events != new.conversion_events:
        lines.append(
            f"Conversion events: {_show(list(old.conversion_events))} → "
            f"{_show(list(new.conversion_events))}"
        )
    shown = (
        "name",
        "segments",
        "calendars",
        "handoffs",
        "format",
        "business_timezone",
        "conversion",
    )
    for key in sorted(set(before) | set(after)):
        if key not in shown and before.get(key) != after.get(key):
            lines.append(
                f"{key.replace('_', ' ')}: {_show(before.get(key))} → {_show(after.get(key))}"
            )
    return lines


def _show(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "none"
    if isinstance(value, list) and all(isinstance(v, int | float) for v in value):
        return ", ".join(f"{v:.0%}" for v in value)
    if isinstance(value, float) and 0 < value <= 5:
        return f"{value:.0%}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _by_key(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(item["key"]): item for item in items}


def _segments(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    before, after = _by_key(old), _by_key(new)
    for key, segment in after.items():
        if key not in before:
            lines.append(f"New segment “{segment['name']}” ({_when(segment['when'])})")
            continue
        was = before[key]
        if was["name"] != segment["name"]:
            lines.append(f"Segment “{was['name']}” renamed “{segment['name']}”")
        if was["when"] != segment["when"]:
            lines.append(
                f"Segment “{segment['name']}” now covers {_when(segment['when'])} "
                f"(was {_when(was['when'])})"
            )
    lines += [f"Segment “{s['name']}” removed" for k, s in before.items() if k not in after]
    kept = [k for k in after if k in before]
    if kept != [k for k in before if k in after]:
        lines.append("Segments reordered: " + ", ".join(after[k]["name"] for k in after))
    return lines


def _when(predicate: dict[str, Any]) -> str:
    if not predicate:
        return "every record"
    return " and ".join(
        f"{attribute} {_condition(value)}" for attribute, value in predicate.items()
    )


def _condition(value: Any) -> str:
    words = {"eq": "is", "ne": "is not", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤",
             "in": "is one of", "not_in": "is not one of", "contains": "contains"}  # fmt: skip
    if isinstance(value, dict):
        return " and ".join(f"{words.get(op, op)} {_show(v)}" for op, v in value.items())
    if isinstance(value, list):
        return f"is one of {_show(value)}"
    return f"is {_show(value)}"


def _calendars(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key, spec in new.items():
        name = calendar_label(key, spec)
        if key not in old:
            lines.append(f"New calendar “{name}”")
            continue
        was = old[key]
        hours, hours_was = spec.get("hours", {}) or {}, was.get("hours", {}) or {}
        for day in WEEKDAYS:
            now_open, before_open = hours.get(day, []), hours_was.get(day, [])
            if now_open != before_open:
                lines.append(
                    f"Calendar “{name}”: {DAY_NAMES[day]} hours "
                    f"{', '.join(before_open) or 'closed'} → {', '.join(now_open) or 'closed'}"
                )
        for field, words in CALENDAR_FIELDS.items():
            if spec.get(field) != was.get(field):
                lines.append(
                    f"Calendar “{name}”: {words} {_show(was.get(field))} → {_show(spec.get(field))}"
                )
    lines += [f"Calendar “{calendar_label(k, s)}” removed" for k, s in old.items() if k not in new]
    return lines


def _handoffs(
    old_matrix: Matrix, new_matrix: Matrix, old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[str]:
    lines: list[str] = []
    before, after = _by_key(old), _by_key(new)
    for key, handoff in after.items():
        name = handoff["name"]
        if key not in before:
            lines.append(f"New handoff “{name}” ({handoff['start']} → {_show(handoff['stop'])})")
            continue
        was = before[key]
        if was["name"] != name:
            lines.append(f"Handoff “{was['name']}” renamed “{name}”")
        for field, words in HANDOFF_FIELDS.items():
            if was.get(field) != handoff.get(field):
                shown_was, shown = was.get(field), handoff.get(field)
                if field == "quality":
                    shown_was, shown = (
                        (shown_was or {}).get("required"),
                        (shown or {}).get("required"),
                    )
                if field == "escalation":
                    lines.append(f"{name}: escalation ladder changed ({_ladder(shown)})")
                    continue
                lines.append(f"{name}: {words} {_show(shown_was)} → {_show(shown)}")
        lines += _rules(old_matrix.handoff(key), new_matrix.handoff(key), old_matrix, new_matrix)
    lines += [f"Handoff “{h['name']}” removed" for k, h in before.items() if k not in after]
    return lines


def _ladder(steps: Any) -> str:
    return (
        "; ".join(
            f"at {step['at']:.0%} notify {', '.join(step['notify'])} by {', '.join(step['channels'])}"
            + (", reassign" if step.get("reassign") else "")
            for step in steps or ()
        )
        or "no steps"
    )


def _rule_text(matrix: Matrix, calendar: str, rule: Rule) -> str:
    text = describe_duration(rule.target_seconds, calendar_terms(matrix.calendars.get(calendar)))
    if rule.at_risk is not None:
        text += f", at risk from {rule.at_risk:.0%}"
    return text


def _rules(old_handoff: Any, new_handoff: Any, old: Matrix, new: Matrix) -> list[str]:
    lines: list[str] = []
    name = new_handoff.name
    segments = [s.key for s in new.segments] + [
        s.key for s in old.segments if s.key not in new.segment_keys
    ]
    for key in segments:
        try:
            segment = new.segment(key).name
        except KeyError:
            segment = old.segment(key).name
        was, rule = old_handoff.rules.get(key), new_handoff.rules.get(key)
        if was is None and rule is None:
            continue
        now_cal = new_handoff.rule_calendar(key) if rule else ""
        was_cal = old_handoff.rule_calendar(key) if was else ""
        if rule is not None and was is None:
            lines.append(
                f"{name}, {segment}: own rule {_rule_text(new, now_cal, rule)} "
                f"({calendar_label(now_cal, None)}) instead of the default rule"
            )
        elif rule is None and was is not None:
            lines.append(
                f"{name}, {segment}: now follows the default rule "
                f"(was {_rule_text(old, was_cal, was)})"
            )
        elif rule is not None and was is not None:
            shown_was, shown = _rule_text(old, was_cal, was), _rule_text(new, now_cal, rule)
            if was_cal != now_cal:
                shown_was += f" ({calendar_label(was_cal, None)})"
                shown += f" ({calendar_label(now_cal, None)})"
            if shown_was != shown:
                lines.append(f"{name}, {segment}: {shown_was} → {shown}")
            elif was.warn_at != rule.warn_at:
                lines.append(f"{name}, {segment}: warnings at {_show(list(was.warn_at or ()))} → "
                             f"{_show(list(rule.warn_at or ()))}")  # fmt: skip
    return lines


def count_document_changes(old: Any, new: Any) -> int:
    """How many fields differ between two matrix documents (also drafts that do not parse)."""
    if old == new:
        return 0
    if isinstance(old, dict) and isinstance(new, dict):
        return sum(count_document_changes(old.get(k), new.get(k)) for k in {*old, *new})
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return sum(count_document_changes(a, b) for a, b in zip(old, new, strict=True))
    return 1
