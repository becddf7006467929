"""The wide-export mapping file `slaapp.mapping/1`: load, validate with paths, write back."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from slaapp.engine.clocks import ARRIVAL
from slaapp.engine.errors import Problem, UserError
from slaapp.engine.instants import InstantError, zone
from slaapp.engine.matrix_document import DEEP, MAX_DEPTH, too_deep
from slaapp.engine.predicates import Condition
from slaapp.importers.input_limits import MiB, file_problem
from slaapp.importers.wide_dates import SAMPLE_TIME

FORMAT = "slaapp.mapping/1"


# --- the mapping -------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """How the columns of a wide export become events, owners and attributes.

    Every row is a record identified by `id_column`. Each `(column, event)` of `milestones`
    with a date in the row makes one event at that date, in milestone order; `when[i]`
    (parallel to `milestones`, empty when unconditional) are the conditions on other
    columns of the row that must all hold for milestone `i` to count: equality (`eq`) or
    membership (`in`) with `slaapp.engine.predicates.Condition` semantics, the condition's
    `attribute` being a column header. The row's `attributes` (column header, attribute
    name) are attached to its earliest event and so are known from then on; its owner to
    the first `owner_event` event of the row, or without one to the earliest event.

    Dates are read with `date_format` (a strptime format), or when None automatically:
    ISO 8601, then 03/02/2026 in the day/month order of its column (decided from all the
    column's values; `dayfirst` True or False declares it, None leaves it to the values)
    with an optional time (14:05, 2:05 PM, seconds); 02.03.2026 is always day first.
    Times without an offset are in `timezone` unless the caller gives a zone.

    Columns named in `optional` may be missing from a file (their milestones and attributes
    are then left out); any other missing column rejects the file. `description` is free
    text for people choosing a mapping.

    The JSON document (format "slaapp.mapping/1", see `parse_mapping`)::

        {"format": "slaapp.mapping/1", "name": "Salesforce opportunities",
         "id_column": "Opportunity ID",
         "milestones": [
           {"column": "Created Date", "event": "sql"},
           {"column": "Demo Date", "event": "demo_held", "optional": true},
           {"column": "Close Date", "event": "closed_won", "when": {"Stage": "Closed Won"}},
           {"column": "Close Date", "event": "closed_lost",
            "when": {"Stage": ["Closed Lost", "Closed - Lost"]}}],
         "owner_column": "Opportunity Owner", "owner_event": "sql",
         "attributes": [{"column": "Amount", "attribute": "amount", "optional": true}],
         "date_format": null, "dayfirst": false, "timezone": "America/New_York"}
    """

    name: str
    id_column: str
    milestones: tuple[tuple[str, str], ...]
    owner_column: str | None = None
    owner_event: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    date_format: str | None = None
    dayfirst: bool | None = None
    timezone: str | None = None
    when: tuple[tuple[Condition, ...], ...] = ()
    optional: frozenset[str] = frozenset()
    description: str = ""

    def __post_init__(self) -> None:
        if not self.when:
            object.__setattr__(self, "when", tuple(() for _ in self.milestones))
        elif len(self.when) != len(self.milestones):
            raise ValueError("`when` needs one tuple of conditions per milestone")
        if self.id_column in self.optional:
            raise ValueError("the id column cannot be optional")


class MappingError(UserError, ValueError):
    """A mapping document rejected whole; `problems` lists everything wrong with it."""

    def __init__(self, problems: Iterable[Problem], source: str = "mapping") -> None:
        self.problems = tuple(problems)
        self.source = source
        lines = [f"{source}: {len(self.problems)} problem(s):"]
        lines.extend(f"  {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[MappingError], tuple[tuple[Problem, ...], str]]:
        return (type(self), (self.problems, self.source or "mapping"))


def load_mapping(path: str | os.PathLike[str]) -> Mapping:
    """Read and validate a mapping file; MappingError lists every problem."""
    source = os.fspath(path)
    problem = file_problem(Path(source), 16 * MiB)
    if problem:
        raise MappingError([Problem(problem, path="$")], source)
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError([Problem("file not found", path="$")], source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError([Problem(f"cannot read the file: {exc}", path="$")], source) from None
    return parse_mapping(text, source)


def parse_mapping(doc: object, source: str = "mapping") -> Mapping:
    """Validate a decoded mapping document (or its JSON text); MappingError lists every problem.

    Fields: "format" ("slaapp.mapping/1"), "name" and "id_column" (texts), "milestones"
    (a non-empty list of {"column", "event", optional "when", optional "optional"}),
    optional "owner_column", "owner_event" (one of the milestone events), "attributes"
    (a list of {"column", "attribute", optional "optional"}), "date_format" (strptime
    format or null for automatic), "dayfirst" (true/false, or null to let each date
    column's values decide), "timezone" (IANA name or
    null) and "description". A "when" is an object of column header to a value (equal) or
    a list of values (one of them).
    """
    if isinstance(doc, str | bytes):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as exc:
            message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            raise MappingError([Problem(message, path="$")], source) from None
        except RecursionError:
            doc = DEEP
    if doc is DEEP or too_deep(doc):
        message = f"nested more than {MAX_DEPTH} levels deep: not a mapping"
        raise MappingError([Problem(message, path="$")], source)
    check = _Checker()
    mapping = check.mapping(doc)
    if mapping is None or check.problems:
        raise MappingError(check.problems, source)
    return mapping


def mapping_to_document(mapping: Mapping) -> dict[str, Any]:
    """The JSON document of a mapping; parse_mapping(mapping_to_document(m)) == m."""
    doc: dict[str, Any] = {"format": FORMAT, "name": mapping.name}
    if mapping.description:
        doc["description"] = mapping.description
    doc["id_column"] = mapping.id_column
    milestones: list[dict[str, Any]] = []
    for (column, event), conditions in zip(mapping.milestones, mapping.when, strict=True):
        entry: dict[str, Any] = {"column": column, "event": event}
        if conditions:
            entry["when"] = {
                c.attribute: list(c.operand) if isinstance(c.operand, tuple) else c.operand
                for c in conditions
            }
        if column in mapping.optional:
            entry["optional"] = True
        milestones.append(entry)
    doc["milestones"] = milestones
    if mapping.owner_column is not None:
        doc["owner_column"] = mapping.owner_column
    if mapping.owner_event is not None:
        doc["owner_event"] = mapping.owner_event
    attributes: list[dict[str, Any]] = []
    for column, attribute in mapping.attributes:
        item: dict[str, Any] = {"column": column, "attribute": attribute}
        if column in mapping.optional:
            item["optional"] = True
        attributes.append(item)
    doc["attributes"] = attributes
    doc["date_format"] = mapping.date_format
    if mapping.dayfirst is not None:
        doc["dayfirst"] = mapping.dayfirst
    doc["timezone"] = mapping.timezone
    return doc


class _Missing:
    pass


MISSING: Any = _Missing()

_RESERVED_ATTRIBUTES = frozenset({"owner", ARRIVAL})
"""Names the clocks give their own meaning (the owner column, the computed arrival)."""


class _Checker:
    """Walks a mapping document collecting every problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, value: object = MISSING) -> None:
        found = "" if value is MISSING else _show(value)
        self.problems.append(Problem(message, path=path, found=found))

    def keys(
        self, doc: dict[str, Any], path: str, required: Sequence[str], known: Sequence[str]
    ) -> None:
        for key in required:
            if key not in doc:
                self.add(f"{path}.{key}", "is required")
        for key in doc:
            if key not in known:
                self.add(f"{path}.{key}", f"unknown field (known fields: {', '.join(known)})")

    def text(self, value: object, path: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(path, "must be a non-empty text", value)
            return None
        return value

    def field(self, doc: dict[str, Any], key: str, path: str) -> str | None:
        """A required text field (its absence is reported by `keys`)."""
        return self.text(doc[key], f"{path}.{key}") if key in doc else None

    def optional_text(self, doc: dict[str, Any], key: str, path: str) -> str | None:
        value = doc.get(key)
        return None if value is None else self.text(value, f"{path}.{key}")

    def flag(self, doc: dict[str, Any], key: str, path: str) -> bool:
        value = doc.get(key, False)
        if not isinstance(value, bool):
            self.add(f"{path}.{key}", "must be true or false", value)
            return False
        return value

    def mapping(self, doc: object) -> Mapping | None:
        if not isinstance(doc, dict):
            self.add("$", "must be an object", doc)
            return None
        self.keys(doc, "$", _REQUIRED_FIELDS, _FIELDS)
        if "format" in doc and doc["format"] != FORMAT:
            self.add("$.format", f'must be "{FORMAT}"', doc["format"])
        name = self.text(doc.get("name"), "$.name") if "name" in doc else None
        description = doc.get("description", "")
        if not isinstance(description, str):
            self.add("$.description", "must be a text", description)
        id_column = self.text(doc.get("id_column"), "$.id_column") if "id_column" in doc else None
        optional: set[str] = set()
        milestones, when = self.milestones(doc.get("milestones", MISSING), optional)
        owner_column = self.optional_text(doc, "owner_column", "$")
        owner_event = self.optional_text(doc, "owner_event", "$")
        events = {event for _, event in milestones}
        if owner_event is not None and milestones and owner_event not in events:
            shown = ", ".join(repr(e) for e in dict.fromkeys(e for _, e in milestones))
            self.add("$.owner_event", f"must be one of the milestone events ({shown})", owner_event)
        if owner_event is not None and owner_column is None:
            self.add("$.owner_event", "needs an owner_column")
        attributes = self.attributes(doc.get("attributes", []), optional)
        date_format = self.date_format(doc.get("date_format"))
        dayfirst = None if doc.get("dayfirst") is None else self.flag(doc, "dayfirst", "$")
        timezone_name = self.optional_text(doc, "timezone", "$")
        if timezone_name is not None:
            try:
                zone(timezone_name)
            except InstantError as exc:
                self.add("$.timezone", str(exc))
        if id_column is not None and id_column in optional:
            self.add(
                "$.id_column",
                "is the record id, so no milestone or attribute using it can be optional",
                id_column,
            )
        if self.problems or name is None or id_column is None:
            return None
        return Mapping(
            name=name,
            id_column=id_column,
            milestones=tuple(milestones),
            owner_column=owner_column,
            owner_event=owner_event,
            attributes=tuple(attributes),
            date_format=date_format,
            dayfirst=dayfirst,
            timezone=timezone_name,
            when=tuple(when),
            optional=frozenset(optional),
            description=description if isinstance(description, str) else "",
        )

    def milestones(
        self, value: object, optional: set[str]
    ) -> tuple[list[tuple[str, str]], list[tuple[Condition, ...]]]:
        found: list[tuple[str, str]] = []
        conditions: list[tuple[Condition, ...]] = []
        if value is MISSING:
            return found, conditions  # reported as a missing field
        if not isinstance(value, list) or not value:
            self.add("$.milestones", "must be a non-empty list of {column, event}", value)
            return found, conditions
        for i, item in enumerate(value):
            path = f"$.milestones[{i}]"
            if not isinstance(item, dict):
                self.add(
                    path, 'must be an object like {"column": "Create Date", "event": "mql"}', item
                )
                continue
            self.keys(item, path, ("column", "event"), ("column", "event", "when", "optional"))
            column = self.field(item, "column", path)
            event = self.field(item, "event", path)
            when = self.when(item.get("when", {}), f"{path}.when")
            if self.flag(item, "optional", path) and column is not None:
                optional.add(column)
            if column is not None and event is not None and when is not None:
                found.append((column, event))
                conditions.append(when)
        return found, conditions

    def when(self, value: object, path: str) -> tuple[Condition, ...] | None:
        if not isinstance(value, dict):
            self.add(
                path, 'must be an object of column to value, like {"Stage": "Closed Won"}', value
            )
            return None
        conditions: list[Condition] = []
        ok = True
        for header, test in value.items():
            where = f"{path}.{header}"
            if not isinstance(header, str) or not header.strip():
                self.add(where, "the column header must be a non-empty text")
                ok = False
            elif _is_scalar(test):
                conditions.append(Condition(header, "eq", test))
            elif isinstance(test, list) and test and all(_is_scalar(v) for v in test):
                conditions.append(Condition(header, "in", tuple(test)))
            else:
                self.add(
                    where,
                    "must be a value or a non-empty list of values "
                    "(only equality and lists are supported)",
                    test,
                )
                ok = False
        return tuple(conditions) if ok else None

    def attributes(self, value: object, optional: set[str]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if not isinstance(value, list):
            self.add("$.attributes", "must be a list of {column, attribute}", value)
            return found
        names: dict[str, int] = {}
        for i, item in enumerate(value):
            path = f"$.attributes[{i}]"
            if not isinstance(item, dict):
                self.add(
                    path,
                    'must be an object like {"column": "Lifecycle Stage", "attribute": "stage"}',
                    item,
                )
                continue
            self.keys(item, path, ("column", "attribute"), ("column", "attribute", "optional"))
            column = self.field(item, "column", path)
            attribute = self.field(item, "attribute", path)
            if self.flag(item, "optional", path) and column is not None:
                optional.add(column)
            if attribute is not None:
                if attribute in _RESERVED_ATTRIBUTES:
                    self.add(
                        f"{path}.attribute",
                        "is a reserved name (owner comes from owner_column; arrival is computed)",
                        attribute,
                    )
                    continue
                if attribute in names:
                    self.add(
                        f"{path}.attribute", f"repeats attributes[{names[attribute]}]", attribute
                    )
                    continue
                names[attribute] = i
            if column is not None and attribute is not None:
                found.append((column, attribute))
        return found

    def date_format(self, value: object) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or "%" not in value:
            self.add(
                "$.date_format",
                'must be a strptime format like "%m/%d/%Y %I:%M %p", '
                "or null to recognise dates automatically",
                value,
            )
            return None
        try:
            back = datetime.strptime(SAMPLE_TIME.strftime(value), value)
        except ValueError:
            self.add(
                "$.date_format",
                "is not a strptime format that can read its own dates "
                'back (like "%m/%d/%Y %I:%M %p")',
                value,
            )
            return None
        if back.date() != SAMPLE_TIME.date():
            self.add(
                "$.date_format",
                'must contain the year, month and day (like "%m/%d/%Y %I:%M %p")',
                value,
            )
            return None
        return value


_REQUIRED_FIELDS = ("format", "name", "id_column", "milestones")
_FIELDS = (
    *_REQUIRED_FIELDS,
    "description",
    "owner_column",
    "owner_event",
    "attributes",
    "date_format",
    "dayfirst",
    "timezone",
)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | bool | int) or (
        isinstance(value, float) and math.isfinite(value)
    )


def _show(value: object) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
