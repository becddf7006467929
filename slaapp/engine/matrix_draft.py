"""Editing a matrix document as data: values at paths, validation, and cell descriptions."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from slaapp.engine.durations import (
    CLOCK_TIME,
    DurationError,
    TimeTerms,
    business_time,
    describe_duration,
    parse_duration,
)
from slaapp.engine.errors import Problem
from slaapp.engine.matrix import DEFAULT_SEGMENT, Matrix
from slaapp.engine.matrix_document import MatrixError, matrix_from_document

Key = str | int
DocPath = tuple[Key, ...]
REMOVE = object()  # `with_value(doc, path, REMOVE)` deletes the key or item


def path_text(path: DocPath) -> str:
    """The JSON path problems use: ("handoffs", 0, "rules", "default") -> $.handoffs[0].rules.default."""
    return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)


def get_at(doc: Any, path: DocPath, default: Any = None) -> Any:
    """The value at `path`, or `default` when any step is missing."""
    node = doc
    for key in path:
        in_list = isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node)
        in_dict = isinstance(key, str) and isinstance(node, dict) and key in node
        if not (in_list or in_dict):
            return default
        node = node[key]
    return node


def with_value(doc: dict[str, Any], path: DocPath, value: Any) -> dict[str, Any]:
    """A deep copy of `doc` with `value` at `path` (REMOVE deletes it); missing objects are made."""
    if not path:
        raise ValueError("the path must name a field")
    result = copy.deepcopy(doc)
    node: Any = result
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    last = path[-1]
    if value is REMOVE:
        if isinstance(node, dict):
            node.pop(last, None)
        elif isinstance(last, int) and 0 <= last < len(node):
            del node[last]
    else:
        node[last] = copy.deepcopy(value)
    return result


def check(doc: dict[str, Any]) -> tuple[Matrix | None, tuple[Problem, ...]]:
    """The matrix a document describes, or None with every problem the engine finds."""
    try:
        return matrix_from_document(doc, "draft"), ()
    except MatrixError as exc:
        return None, exc.problems


def problems_under(problems: tuple[Problem, ...], path: DocPath) -> list[Problem]:
    """The problems at `path` or inside it."""
    prefix = path_text(path)
    paths = ((p, p.path or "") for p in problems)
    return [p for p, at in paths if at == prefix or at.startswith((prefix + ".", prefix + "["))]


def events_text(value: object) -> str:
    """A `stop` or `conversion` value as people type it: `closed_won, closed_lost`."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def events_words(value: object) -> str:
    """A `stop` or `conversion` value in a label: `closed_won`, `closed_won or closed_lost`."""
    names = [str(v) for v in value] if isinstance(value, list) else [events_text(value)]
    names = [n for n in names if n] or ["?"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def events_value(text: str) -> str | list[str] | None:
    """What `events_text` shows, back as the document says it: one event as a text, several
    as a list, none as None (the field is then removed)."""
    names = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not names:
        return None
    return names[0] if len(names) == 1 else names


def default_business_zone(doc: dict[str, Any]) -> str:
    """The business time zone a document without `business_timezone` gets (as
    `Matrix.business_zone`): the zone of its first calendar with opening hours, else of its
    first calendar, else UTC."""
    calendars = [c for c in (doc.get("calendars") or {}).values() if isinstance(c, dict)]
    for spec in [c for c in calendars if not c.get("always")] + calendars:
        return str(spec.get("timezone") or "UTC")
    return "UTC"


def draft_terms(spec: object) -> TimeTerms:
    """The terms a calendar of the draft says durations in (24x7 or unknown: days of 24 h)."""
    if not isinstance(spec, dict) or spec.get("always"):
        return CLOCK_TIME
    per_day = spec.get("hours_per_day", 8)
    valid = isinstance(per_day, int | float) and not isinstance(per_day, bool) and 0 < per_day <= 24
    return business_time(float(per_day) if valid else 8.0)


def describe_target(value: object, terms: TimeTerms = CLOCK_TIME) -> str:
    """A target as people say it in its calendar's terms: `2 h`, `3 business days`, `14 days`."""
    day = terms.day_seconds if terms.business else 8 * 3600
    try:
        return describe_duration(parse_duration(value, day), terms)
    except DurationError:
        return str(value)


def calendar_label(key: str, spec: object) -> str:
    """A calendar's name for people: `24x7`, or its key in words (`us_business` -> `US business`)."""
    if isinstance(spec, dict) and spec.get("always"):
        return "24x7" if key in ("24x7", "always") else f"{_words(key)} (24x7)"
    return _words(key)


def _words(key: str) -> str:
    words = re.split(r"[_\-\s]+", key)
    shown = [w.upper() if len(w) <= 2 else w for w in words if w]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class CellText:
    """What one matrix cell shows: the target, the calendar, and whether it falls back."""

    target: str
    calendar: str
    falls_back: bool
    at_risk: float | None

    def line(self) -> str:
        """`2 h` over `US business`, or a plain `default` where the segment falls back."""
        return "default" if self.falls_back else f"{self.target}\n{self.calendar}"


def describe_cell(doc: dict[str, Any], handoff: int, segment: str) -> CellText | None:
    """The cell of handoff number `handoff` and segment `segment`; None if nothing applies."""
    rules = get_at(doc, ("handoffs", handoff, "rules"), {})
    if not isinstance(rules, dict):
        return None
    rule = rules.get(segment)
    falls_back = rule is None
    if falls_back:
        rule = rules.get(DEFAULT_SEGMENT)
    if not isinstance(rule, dict):
        return None
    calendar = rule.get("calendar") or get_at(doc, ("handoffs", handoff, "calendar"), "")
    spec = get_at(doc, ("calendars", calendar)) if isinstance(calendar, str) else None
    at_risk = rule.get("at_risk", get_at(doc, ("handoffs", handoff, "at_risk")))
    return CellText(
        describe_target(rule.get("target"), draft_terms(spec)),
        calendar_label(str(calendar), spec) if calendar else "no calendar",
        falls_back and segment != DEFAULT_SEGMENT,
        float(at_risk) if isinstance(at_risk, int | float) else None,
    )
