"""Matrix problems in words: `Calendar “US business”, Thursday's hours “8-5pm”: write them like 09:00-17:00`."""

from __future__ import annotations

import re
from typing import Any

from slaapp.engine.errors import Problem
from slaapp.engine.matrix_changes import CALENDAR_FIELDS, DAY_NAMES, HANDOFF_FIELDS
from slaapp.engine.matrix_draft import calendar_label

_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_FIELDS = {**HANDOFF_FIELDS, **CALENDAR_FIELDS, "target": "target", "name": "name", "key": "key",
           "when": "who it covers", "rules": "rules", "segments": "segments",
           "handoffs": "handoffs", "calendars": "calendars",
           "business_timezone": "business time zone", "conversion": "conversion events"}  # fmt: skip
_INTERVAL = re.compile(r'must be an interval like "([^"]+)"')


def _steps(path: str) -> list[str | int]:
    return [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _STEP.finditer(path)]


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def where_in_words(path: str, doc: dict[str, Any]) -> str:
    """`$.handoffs[1].rules.default.target` -> `Assigned to first contact, Everyone else: target`."""
    steps = _steps(path)
    words: list[str] = []
    node: Any = doc
    i = 0
    while i < len(steps):
        step = steps[i]
        parent = steps[i - 1] if i else None
        node = node.get(step) if isinstance(node, dict) and isinstance(step, str) else (
            node[step] if isinstance(node, list) and isinstance(step, int) and step < len(node)
            else None
        )  # fmt: skip
        if parent == "handoffs" and isinstance(node, dict):
            words = [str(node.get("name") or node.get("key") or f"handoff {step + 1}")]  # type: ignore[operator]
        elif parent == "segments" and isinstance(node, dict):
            words = [f"Segment “{node.get('name') or node.get('key')}”"]
        elif parent == "calendars" and isinstance(step, str):
            words = [f"Calendar “{calendar_label(step, node)}”"]
        elif parent == "rules" and isinstance(step, str):
            names = {
                s.get("key"): s.get("name") for s in doc.get("segments", []) if isinstance(s, dict)
            }
            words.append(str(names.get(step) or step))
        elif parent == "hours" and isinstance(step, str):
            words.append(f"{DAY_NAMES.get(step, step)}'s hours")
        elif parent == "escalation" and isinstance(step, int):
            words.append(f"escalation step {step + 1}")
        elif isinstance(step, int):
            if words and not words[-1].endswith("hours"):
                words.append(f"{_ordinal(step + 1)} value")
        elif step not in ("hours", "rules", "handoffs", "segments", "calendars", "escalation"):
            words.append(_FIELDS.get(step, step.replace("_", " ")))
        i += 1
    if not words:
        return "The matrix"
    return words[0] + (": " + ", ".join(words[1:]) if len(words) > 1 else "")


def problem_in_words(problem: Problem, doc: dict[str, Any]) -> str:
    """One problem as a sentence that names the handoff, segment or calendar and says what to do."""
    where = where_in_words(problem.path, doc) if problem.path else ""
    found = problem.found.strip('"') if problem.found else ""
    interval = _INTERVAL.search(problem.message)
    if interval:
        return f"{where} “{found}”: write them like {interval.group(1)}"
    message = problem.message
    text = f"{where}: {message}" if where else message
    if found and found not in message:
        text += f" (you wrote “{found}”)"
    return text
