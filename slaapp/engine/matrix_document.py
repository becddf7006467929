"""The `slaapp.matrix/1` document: validate it (every problem listed with its path) and write it."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import holidays as holidays_lib

from slaapp.engine.calendar import WEEKDAYS, CalendarSpec, HolidayPreset, Intervals, merge_intervals
from slaapp.engine.durations import DurationError, parse_duration
from slaapp.engine.errors import Problem, UserError
from slaapp.engine.instants import InstantError, zone
from slaapp.engine.matrix import (
    CHANNELS,
    DEFAULT_AT_RISK,
    DEFAULT_SEGMENT,
    FORMAT,
    ROLES,
    EscalationStep,
    Handoff,
    Matrix,
    Rule,
    Segment,
)
from slaapp.engine.predicates import OPERATORS, Condition, Predicate, Scalar

_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class MatrixError(UserError, ValueError):
    """A matrix document rejected whole; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem], source: str = "matrix") -> None:
        self.problems = tuple(problems)
        self.source = source
        lines = [f"{source}: {len(problems)} problem(s):"] + [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


class _Checker:
    """Collects problems while walking a document."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, value: object, reason: str) -> None:
        shown = "" if value is _MISSING else _show(value)
        self.problems.append(Problem(reason, path=path, found=shown))

    def obj(self, value: object, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, value, "must be an object")
            return None
        return value

    def keys(
        self,
        doc: Mapping[str, Any],
        path: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
    ) -> None:
        for key in required:
            if key not in doc:
                self.add(f"{path}.{key}", _MISSING, "is required")
        for key in doc:
            if key not in required and key not in optional:
                known = ", ".join(required + optional)
                self.add(f"{path}.{key}", _MISSING, f"unknown field (known fields: {known})")

    def text(self, value: object, path: str, *, key: bool = False) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(path, value, "must be a non-empty text")
            return None
        if key and not _KEY.match(value):
            self.add(path, value, "must be a key of letters, digits, _ . or -")
            return None
        return value

    def events(self, value: object, path: str) -> tuple[str, ...] | None:
        """One event name or a non-empty list of them, without repeats."""
        if isinstance(value, str):
            found = self.text(value, path)
            return None if found is None else (found,)
        if not isinstance(value, list) or not value:
            self.add(path, value, "must be an event name or a non-empty list of event names")
            return None
        names = self.texts(value, path)
        if names is not None and len(set(names)) != len(names):
            self.add(path, value, "lists an event more than once")
            return None
        return names

    def texts(self, value: object, path: str) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.add(path, value, "must be a list of texts")
            return None
        found = [self.text(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return tuple(t for t in found if t is not None) if None not in found else None

    def fraction(self, value: object, path: str, *, upper: float | None = 1.0) -> float | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.add(path, value, "must be a number")
            return None
        if value <= 0 or (upper is not None and value > upper):
            limit = f" and at most {upper:g}" if upper is not None else ""
            self.add(path, value, f"must be above 0{limit}")
            return None
        return float(value)

    def fractions(self, value: object, path: str) -> tuple[float, ...] | None:
        if not isinstance(value, list):
            self.add(path, value, "must be a list of fractions of the target, like [0.5, 0.75]")
            return None
        found = [self.fraction(item, f"{path}[{i}]") for i, item in enumerate(value)]
        if None in found:
            return None
        numbers = tuple(f for f in found if f is not None)
        if list(numbers) != sorted(set(numbers)):
            self.add(path, value, "must be in increasing order without repeats")
            return None
        return numbers


class _Missing:
    pass


_MISSING: Any = _Missing()


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, _Missing) else ""
    return text if len(text) <= 60 else text[:57] + "..."


# ----- parsing ---------------------------------------------------------------------------
def parse_matrix(text: str, source: str = "matrix") -> Matrix:
    """Validate matrix JSON text; MatrixError lists every problem."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise MatrixError([Problem(reason, path="$")], source) from None
    except RecursionError:
        doc = DEEP
    if doc is DEEP or too_deep(doc):
        reason = f"nested more than {MAX_DEPTH} levels deep: not a matrix"
        raise MatrixError([Problem(reason, path="$")], source)
    return matrix_from_document(doc, source)


MAX_DEPTH = 32
DEEP = object()
"""What a document too deep for the JSON decoder itself is read as."""
"""Matrix and mapping files nest a handful of levels; far deeper is a hostile or broken file."""


def too_deep(doc: object, limit: int = MAX_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than `limit` (checked without recursion)."""
    stack: list[tuple[object, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        children = (
            value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def matrix_from_document(doc: object, source: str = "matrix") -> Matrix:
    """Validate a decoded document; MatrixError lists every problem, nothing is half-built."""
    check = _Checker()
    root = check.obj(doc, "$")
    if root is None:
        raise MatrixError(check.problems, source)
    check.keys(
        root,
        "$",
        ("format", "name", "calendars", "segments", "handoffs"),
        ("business_timezone", "conversion"),
    )
    if "format" in root and root["format"] != FORMAT:
        check.add("$.format", root["format"], f'must be "{FORMAT}"')
    name = check.text(root.get("name"), "$.name") if "name" in root else None
    calendars = _calendars(check, root.get("calendars", {}))
    segments = _segments(check, root.get("segments", []))
    segment_keys = _declared(root.get("segments"))
    if DEFAULT_SEGMENT not in segment_keys:  # reported once above, not again for every rule
        segment_keys += (DEFAULT_SEGMENT,)
    names = _Names(calendars, _declared(root.get("calendars")), segment_keys)
    handoffs = _handoffs(check, root.get("handoffs", []), names)
    business = _business_timezone(check, root.get("business_timezone"))
    conversion = (
        None if root.get("conversion") is None else check.events(root["conversion"], "$.conversion")
    )
    if check.problems:
        raise MatrixError(check.problems, source)
    assert name is not None
    return Matrix(name, calendars, tuple(segments), tuple(handoffs), business, conversion)


def _business_timezone(check: _Checker, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        check.add("$.business_timezone", value, "must be an IANA time zone name")
        return None
    try:
        zone(value)
    except InstantError as exc:
        check.add("$.business_timezone", value, str(exc))
        return None
    return value


def _calendars(check: _Checker, value: object) -> dict[str, CalendarSpec]:
    found: dict[str, CalendarSpec] = {}
    doc = check.obj(value, "$.calendars")
    if doc is None:
        return found
    if not doc:
        check.add("$.calendars", value, "must define at least one calendar")
    for key, cal in doc.items():
        path = f"$.calendars.{key}"
        if check.text(key, path, key=True) is None:
            continue
        spec = _calendar(check, cal, path)
        if spec is not None:
            found[key] = spec
    return found


def _calendar(check: _Checker, value: object, path: str) -> CalendarSpec | None:
    doc = check.obj(value, path)
    if doc is None:
        return None
    before = len(check.problems)
    optional = ("hours", "holidays", "holiday_preset", "overrides", "hours_per_day", "always")
    check.keys(
        doc, path, () if doc.get("always") is True else ("timezone",), ("timezone", *optional)
    )
    tz = doc.get("timezone", "UTC")
    try:
        zone(tz) if isinstance(tz, str) else check.add(
            f"{path}.timezone", tz, "must be an IANA time zone name"
        )
    except InstantError as exc:
        check.add(f"{path}.timezone", tz, str(exc))
    always = doc.get("always", False)
    if not isinstance(always, bool):
        check.add(f"{path}.always", always, "must be true or false")
    hours: dict[int, Intervals] = {}
    hours_doc = check.obj(doc.get("hours", {}), f"{path}.hours") or {}
    for day, spans in hours_doc.items():
        if day not in WEEKDAYS:
            check.add(
                f"{path}.hours.{day}", _MISSING, f"unknown weekday (use {', '.join(WEEKDAYS)})"
            )
            continue
        parsed = _intervals(check, spans, f"{path}.hours.{day}")
        if parsed:
            hours[WEEKDAYS.index(day)] = parsed
    holidays: dict[date, str] = {}
    listed = doc.get("holidays", [])
    if not isinstance(listed, list):
        check.add(f"{path}.holidays", listed, "must be a list of dates like 2026-12-24")
        listed = []
    for i, item in enumerate(listed):
        holiday = _date(check, item, f"{path}.holidays[{i}]")
        if holiday is not None:
            holidays[holiday] = "Holiday"
    preset = _preset(check, doc.get("holiday_preset"), f"{path}.holiday_preset")
    overrides: dict[date, Intervals] = {}
    for day_text, spans in (check.obj(doc.get("overrides", {}), f"{path}.overrides") or {}).items():
        when = _date(check, day_text, f"{path}.overrides.{day_text}")
        parsed = _intervals(check, spans, f"{path}.overrides.{day_text}")
        if when is not None and parsed is not None:
            overrides[when] = parsed
    per_day = doc.get("hours_per_day", 8)
    if isinstance(per_day, bool) or not isinstance(per_day, int | float) or not 0 < per_day <= 24:
        check.add(
            f"{path}.hours_per_day", per_day, "must be a number of hours above 0 and at most 24"
        )
        per_day = 8
    if always is not True and not hours and len(check.problems) == before:
        check.add(
            f"{path}.hours",
            doc.get("hours", _MISSING),
            'never opens: give weekly hours or "always": true',
        )
    if len(check.problems) > before:
        return None
    return CalendarSpec(tz, hours, holidays, preset, overrides, float(per_day), always is True)


def _intervals(check: _Checker, value: object, path: str) -> Intervals | None:
    if not isinstance(value, list):
        check.add(path, value, 'must be a list of intervals like ["09:00-12:00", "13:00-17:00"]')
        return None
    spans: list[tuple[int, int]] = []
    for i, item in enumerate(value):
        match = _INTERVAL.match(item) if isinstance(item, str) else None
        if match is None:
            check.add(f"{path}[{i}]", item, 'must be an interval like "09:00-17:00"')
            continue
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
        if h1 > 23 or m1 > 59 or m2 > 59 or end > 86400:
            check.add(f"{path}[{i}]", item, "times run from 00:00 to 24:00")
        elif end <= start:
            check.add(f"{path}[{i}]", item, "must end after it starts")
        else:
            spans.append((start, end))
    return merge_intervals(spans)


def _date(check: _Checker, value: object, path: str) -> date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    check.add(path, value, "must be a date like 2026-12-24")
    return None


def _subdivisions(country: str) -> tuple[str, ...] | None:
    """The subdivisions of a country the holidays package knows (None: unknown country).
    Only that country's module loads; listing every country loads all of them (0.05 s)."""
    try:
        return tuple(holidays_lib.country_holidays(country, years=[]).subdivisions)
    except NotImplementedError:
        return None


def _preset(check: _Checker, value: object, path: str) -> HolidayPreset | None:
    if value is None:
        return None
    doc = check.obj(value, path)
    if doc is None:
        return None
    check.keys(doc, path, ("country",), ("subdiv",))
    country, subdiv = doc.get("country"), doc.get("subdiv")
    known = _subdivisions(country) if isinstance(country, str) else None
    if not isinstance(country, str) or known is None:
        check.add(
            f"{path}.country",
            country,
            "must be an ISO country code the holidays package knows, like US",
        )
        return None
    if subdiv is not None and (not isinstance(subdiv, str) or subdiv not in known):
        options = ", ".join(known[:12]) + ("..." if len(known) > 12 else "")
        check.add(
            f"{path}.subdiv",
            subdiv,
            f"unknown subdivision of {country} (known: {options or 'none'})",
        )
        return None
    return HolidayPreset(country, subdiv)


def _segments(check: _Checker, value: object) -> list[Segment]:
    if not isinstance(value, list) or not value:
        check.add(
            "$.segments", value, 'must be a non-empty list ending with the catch-all "default"'
        )
        return []
    found: list[Segment] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        path = f"$.segments[{i}]"
        doc = check.obj(item, path)
        if doc is None:
            continue
        check.keys(doc, path, ("key", "when"), ("name",))
        key = check.text(doc.get("key"), f"{path}.key", key=True)
        if key is not None and key in seen:
            check.add(f"{path}.key", key, "is used by an earlier segment")
        name = doc.get("name", key)
        if not isinstance(name, str):
            check.add(f"{path}.name", name, "must be a text")
        when = _predicate(check, doc.get("when"), f"{path}.when")
        if key is not None and isinstance(name, str) and when is not None and key not in seen:
            seen.add(key)
            found.append(Segment(key, name or key, when))
    last = value[-1] if isinstance(value[-1], dict) else {}
    if last.get("key") != DEFAULT_SEGMENT:
        check.add(
            f"$.segments[{len(value) - 1}].key",
            last.get("key"),
            'the last segment must be the catch-all "default"',
        )
    elif last.get("when") != {}:
        check.add(
            f"$.segments[{len(value) - 1}].when",
            last.get("when"),
            "the default segment matches every record: its when must be {}",
        )
    if sum(1 for seg in value if isinstance(seg, dict) and seg.get("key") == DEFAULT_SEGMENT) > 1:
        check.add("$.segments", _MISSING, 'only the last segment may be "default"')
    return found


def _predicate(check: _Checker, value: object, path: str) -> Predicate | None:
    doc = check.obj(value, path)
    if doc is None:
        return None
    conditions: list[Condition] = []
    ok = True
    for attribute, test in doc.items():
        where = f"{path}.{attribute}"
        if isinstance(test, dict):
            if not test:
                check.add(where, test, f"needs at least one operator ({', '.join(OPERATORS)})")
                ok = False
            for op, operand in test.items():
                if op not in OPERATORS:
                    check.add(
                        f"{where}.{op}", _MISSING, f"unknown operator (use {', '.join(OPERATORS)})"
                    )
                    ok = False
                    continue
                parsed = _operand(check, op, operand, f"{where}.{op}")
                if parsed is None:
                    ok = False
                else:
                    conditions.append(Condition(attribute, op, parsed))
        elif isinstance(test, list):
            parsed = _operand(check, "in", test, where)
            ok = ok and parsed is not None
            if parsed is not None:
                conditions.append(Condition(attribute, "in", parsed))
        elif _is_scalar(test):
            conditions.append(Condition(attribute, "eq", test))
        else:
            check.add(where, test, "must be a value, a list of values or an object of operators")
            ok = False
    return Predicate(tuple(conditions)) if ok else None


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | bool | int) or (
        isinstance(value, float) and math.isfinite(value)
    )


def _operand(
    check: _Checker, op: str, value: object, path: str
) -> Scalar | tuple[Scalar, ...] | None:
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or not all(_is_scalar(v) for v in value):
            check.add(path, value, "must be a non-empty list of values")
            return None
        return tuple(value)
    if op == "contains" and not isinstance(value, str):
        check.add(path, value, "must be a text")
        return None
    if op in ("gt", "gte", "lt", "lte") and (
        isinstance(value, bool) or not isinstance(value, int | float | str)
    ):
        check.add(path, value, "must be a number or a text")
        return None
    if not _is_scalar(value):
        check.add(path, value, "must be a single value")
        return None
    assert isinstance(value, str | bool | int | float)
    return value


def _handoffs(check: _Checker, value: object, names: _Names) -> list[Handoff]:
    if not isinstance(value, list) or not value:
        check.add("$.handoffs", value, "must be a non-empty list of handoffs")
        return []
    found: list[Handoff] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        path = f"$.handoffs[{i}]"
        doc = check.obj(item, path)
        if doc is None:
            continue
        before = len(check.problems)
        check.keys(
            doc,
            path,
            ("key", "start", "stop", "calendar", "rules"),
            (
                "name",
                "team",
                "cancel",
                "pause",
                "resume",
                "quality",
                "warn_at",
                "at_risk",
                "escalation",
            ),
        )
        key = check.text(doc.get("key"), f"{path}.key", key=True)
        if key is not None and key in seen:
            check.add(f"{path}.key", key, "is used by an earlier handoff")
        name = doc.get("name", key)
        team = doc.get("team", "")
        for field_name, field_value in (("name", name), ("team", team)):
            if not isinstance(field_value, str):
                check.add(f"{path}.{field_name}", field_value, "must be a text")
        start = check.text(doc.get("start"), f"{path}.start")
        stops = check.events(doc.get("stop"), f"{path}.stop") if "stop" in doc else None
        cancel = (
            () if doc.get("cancel") is None else check.texts(doc.get("cancel"), f"{path}.cancel")
        )
        pause, resume = (
            _optional_text(check, doc.get(k), f"{path}.{k}") for k in ("pause", "resume")
        )
        if (pause is None) != (resume is None):
            check.add(
                f"{path}.resume" if resume is None else f"{path}.pause",
                _MISSING,
                "pause and resume go together: give both or neither",
            )
        roles = [e for e in (start, *(stops or ()), *(cancel or ()), pause, resume) if e]
        for event in sorted({e for e in roles if roles.count(e) > 1}):
            check.add(
                path,
                event,
                f"event {event!r} has more than one role (start, stop, cancel, pause, resume)",
            )
        calendar = check.text(doc.get("calendar"), f"{path}.calendar")
        if calendar is not None and calendar not in names.calendar_keys:
            check.add(f"{path}.calendar", calendar, names.unknown_calendar())
        quality = _quality(check, doc.get("quality"), f"{path}.quality")
        warn_at = check.fractions(doc.get("warn_at", [DEFAULT_AT_RISK]), f"{path}.warn_at")
        at_risk = check.fraction(doc.get("at_risk", DEFAULT_AT_RISK), f"{path}.at_risk")
        escalation = _escalation(check, doc.get("escalation", []), f"{path}.escalation")
        rules = _rules(check, doc.get("rules"), f"{path}.rules", names, calendar)
        if len(check.problems) > before or key is None or key in seen:
            continue
        seen.add(key)
        assert start and stops and calendar and cancel is not None and quality is not None
        assert warn_at is not None and at_risk is not None and escalation is not None and rules
        found.append(
            Handoff(
                key,
                str(name or key),
                str(team),
                start,
                stops,
                calendar,
                rules,
                cancel,
                pause,
                resume,
                quality,
                warn_at,
                at_risk,
                escalation,
            )
        )
    return found


def _optional_text(check: _Checker, value: object, path: str) -> str | None:
    return None if value is None else check.text(value, path)


@dataclass(frozen=True)
class _Names:
    """Valid calendars, and the calendar and segment keys a document declares (valid or not)."""

    calendars: Mapping[str, CalendarSpec]
    calendar_keys: tuple[str, ...]
    segment_keys: tuple[str, ...]

    def unknown_calendar(self) -> str:
        return f"no such calendar (defined: {', '.join(self.calendar_keys) or 'none'})"


def _declared(value: object) -> tuple[str, ...]:
    if isinstance(value, dict):
        return tuple(k for k in value if isinstance(k, str))
    if isinstance(value, list):
        return tuple(
            i["key"] for i in value if isinstance(i, dict) and isinstance(i.get("key"), str)
        )
    return ()


def _quality(check: _Checker, value: object, path: str) -> tuple[str, ...] | None:
    if value is None:
        return ()
    doc = check.obj(value, path)
    if doc is None:
        return None
    check.keys(doc, path, (), ("required",))
    return check.texts(doc.get("required", []), f"{path}.required")


def _escalation(check: _Checker, value: object, path: str) -> tuple[EscalationStep, ...] | None:
    if not isinstance(value, list):
        check.add(path, value, "must be a list of steps")
        return None
    steps: list[EscalationStep] = []
    ok = True
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        doc = check.obj(item, where)
        if doc is None:
            ok = False
            continue
        check.keys(doc, where, ("at", "notify", "channels"), ("reassign", "critical"))
        at = check.fraction(doc.get("at"), f"{where}.at", upper=None)
        notify = check.texts(doc.get("notify", []), f"{where}.notify")
        for j, who in enumerate(notify or ()):
            # A role, an email address, or a person of the directory by key (person:KEY or KEY).
            person = who.removeprefix("person:")
            if who not in ROLES and "@" not in who and not _KEY.match(person):
                check.add(
                    f"{where}.notify[{j}]",
                    who,
                    f"must be one of {', '.join(ROLES)}, an email address or a person's key",
                )
        channels = check.texts(doc.get("channels", []), f"{where}.channels")
        for j, channel in enumerate(channels or ()):
            if channel not in CHANNELS:
                check.add(
                    f"{where}.channels[{j}]",
                    channel,
                    f"unknown channel (use {', '.join(CHANNELS)})",
                )
        for name, items in (("notify", notify), ("channels", channels)):
            if items is not None and not items:
                check.add(f"{where}.{name}", [], "must name at least one")
        reassign = doc.get("reassign", False)
        if not isinstance(reassign, bool):
            check.add(f"{where}.reassign", reassign, "must be true or false")
        critical = doc.get("critical", False)
        if not isinstance(critical, bool):
            check.add(f"{where}.critical", critical, "must be true or false")
        if at is None or not notify or not channels or not isinstance(reassign, bool):
            ok = False
            continue
        if not isinstance(critical, bool):
            ok = False
            continue
        if steps and at <= steps[-1].at:
            check.add(f"{where}.at", at, "steps must come in increasing order of at")
            ok = False
        steps.append(EscalationStep(at, notify, channels, reassign, critical))
    return tuple(steps) if ok else None


def _rules(
    check: _Checker,
    value: object,
    path: str,
    names: _Names,
    handoff_calendar: str | None,
) -> dict[str, Rule] | None:
    doc = check.obj(value, path)
    if doc is None:
        return None
    ok = True
    rules: dict[str, Rule] = {}
    if DEFAULT_SEGMENT not in doc:
        check.add(
            f"{path}.{DEFAULT_SEGMENT}",
            _MISSING,
            'is required: every handoff needs a rule for the "default" segment',
        )
        ok = False
    segment_keys = names.segment_keys
    for key in [k for k in segment_keys if k in doc] + [k for k in doc if k not in segment_keys]:
        where = f"{path}.{key}"
        if key not in segment_keys:
            check.add(where, _MISSING, f"no such segment (defined: {', '.join(segment_keys)})")
            ok = False
            continue
        rule = _rule(check, doc[key], where, names, handoff_calendar)
        if rule is None:
            ok = False
        else:
            rules[key] = rule
    return rules if ok else None


def _rule(
    check: _Checker,
    value: object,
    path: str,
    names: _Names,
    handoff_calendar: str | None,
) -> Rule | None:
    doc = check.obj(value, path)
    if doc is None:
        return None
    before = len(check.problems)
    check.keys(doc, path, ("target",), ("calendar", "at_risk", "warn_at"))
    calendar = _optional_text(check, doc.get("calendar"), f"{path}.calendar")
    if calendar is not None and calendar not in names.calendar_keys:
        check.add(f"{path}.calendar", calendar, names.unknown_calendar())
    spec = names.calendars.get(calendar or handoff_calendar or "")
    target = doc.get("target")
    seconds = 0
    if "target" in doc:
        try:
            seconds = parse_duration(target, spec.business_day_seconds if spec else 8 * 3600)
        except DurationError as exc:
            check.add(f"{path}.target", target, str(exc))
    at_risk = (
        None if doc.get("at_risk") is None else check.fraction(doc["at_risk"], f"{path}.at_risk")
    )
    warn_at = (
        None if doc.get("warn_at") is None else check.fractions(doc["warn_at"], f"{path}.warn_at")
    )
    if len(check.problems) > before:
        return None
    assert isinstance(target, int | float | str)
    return Rule(target, seconds, calendar, at_risk, warn_at)


# ----- writing ---------------------------------------------------------------------------
def matrix_to_document(matrix: Matrix) -> dict[str, Any]:
    """The canonical document of a matrix; matrix_from_document gives the same matrix back."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "name": matrix.name,
        "calendars": {key: _calendar_doc(spec) for key, spec in matrix.calendars.items()},
        "segments": [
            {"key": s.key, "name": s.name, "when": _predicate_doc(s.when)} for s in matrix.segments
        ],
        "handoffs": [_handoff_doc(h) for h in matrix.handoffs],
    }
    if matrix.business_timezone is not None:
        doc["business_timezone"] = matrix.business_timezone
    if matrix.conversion is not None:
        doc["conversion"] = _events_doc(matrix.conversion)
    return doc


def _events_doc(events: tuple[str, ...]) -> str | list[str]:
    """One event as a text, several as a list (as a file may say either)."""
    return events[0] if len(events) == 1 else list(events)


def dump_matrix(matrix: Matrix) -> str:
    return json.dumps(matrix_to_document(matrix), indent=2, ensure_ascii=False) + "\n"


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _spans(intervals: Intervals) -> list[str]:
    return [f"{_clock(s)}-{_clock(e)}" for s, e in intervals]


def _calendar_doc(spec: CalendarSpec) -> dict[str, Any]:
    doc: dict[str, Any] = {"timezone": spec.timezone}
    if spec.always:
        doc["always"] = True
    if spec.hours:
        doc["hours"] = {WEEKDAYS[d]: _spans(spec.hours[d]) for d in sorted(spec.hours)}
    if spec.holidays:
        doc["holidays"] = [d.isoformat() for d in sorted(spec.holidays)]
    if spec.holiday_preset is not None:
        preset: dict[str, str] = {"country": spec.holiday_preset.country}
        if spec.holiday_preset.subdiv:
            preset["subdiv"] = spec.holiday_preset.subdiv
        doc["holiday_preset"] = preset
    if spec.overrides:
        doc["overrides"] = {
            d.isoformat(): _spans(spec.overrides[d]) for d in sorted(spec.overrides)
        }
    doc["hours_per_day"] = (
        int(spec.hours_per_day) if spec.hours_per_day.is_integer() else spec.hours_per_day
    )
    return doc


def _predicate_doc(predicate: Predicate) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for condition in predicate.conditions:
        operand = (
            list(condition.operand) if isinstance(condition.operand, tuple) else condition.operand
        )
        ops = doc.setdefault(condition.attribute, {})
        ops[condition.op] = operand
    for attribute, ops in doc.items():
        if list(ops) == ["eq"]:
            doc[attribute] = ops["eq"]
        elif list(ops) == ["in"]:
            doc[attribute] = ops["in"]
    return doc


def _rule_doc(rule: Rule) -> dict[str, Any]:
    doc: dict[str, Any] = {"target": rule.target}
    if rule.calendar:
        doc["calendar"] = rule.calendar
    if rule.at_risk is not None:
        doc["at_risk"] = rule.at_risk
    if rule.warn_at is not None:
        doc["warn_at"] = list(rule.warn_at)
    return doc


def _handoff_doc(handoff: Handoff) -> dict[str, Any]:
    return {
        "key": handoff.key,
        "name": handoff.name,
        "team": handoff.team,
        "start": handoff.start,
        "stop": _events_doc(handoff.stops),
        "cancel": list(handoff.cancel),
        "pause": handoff.pause,
        "resume": handoff.resume,
        "calendar": handoff.calendar,
        "quality": {"required": list(handoff.quality_required)},
        "warn_at": list(handoff.warn_at),
        "at_risk": handoff.at_risk,
        "escalation": [
            {
                "at": s.at,
                "notify": list(s.notify),
                "channels": list(s.channels),
                "reassign": s.reassign,
                **({"critical": True} if s.critical else {}),
            }
            for s in handoff.escalation
        ],
        "rules": {key: _rule_doc(rule) for key, rule in handoff.rules.items()},
    }
