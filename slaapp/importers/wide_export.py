"""Reading wide CRM exports (a row per record, a date column per milestone) through a mapping."""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slaapp.engine.errors import Problem
from slaapp.engine.eventlog import EventLog, event_log_from_columns
from slaapp.engine.predicates import Condition
from slaapp.importers.date_order import ColumnOrder
from slaapp.importers.event_file import (
    CSV_SUFFIXES,
    XLSX_SUFFIXES,
    EventFileError,
    cell_text,
    fail_with,
    first_sheet,
    joined_problem,
    open_source,
    read_bytes,
)
from slaapp.importers.mapping_file import (
    FORMAT,
    MISSING,
    Mapping,
    MappingError,
    load_mapping,
    mapping_to_document,
    parse_mapping,
)
from slaapp.importers.text_files import declared_delimiter, decode_text, sniff_delimiter
from slaapp.importers.wide_dates import DateError, DateParser, NoZoneError

HEADER_SCAN_ROWS = 50
"""The header is the first of this many non-blank rows that has the id column (report
exports may start with a title block); failing that, the first non-blank row."""

_CACHE_LIMIT = 400_000
"""Parsed date texts are remembered (exports repeat them) up to this many, then forgotten."""

__all__ = [
    "FORMAT",
    "HEADER_ALIASES",
    "Mapping",
    "MappingError",
    "Problem",
    "WideResult",
    "load_mapping",
    "mapping_to_document",
    "parse_mapping",
    "read_wide",
]

# --- header aliases ----------------------------------------------------------------------

HEADER_ALIASES: tuple[tuple[str, ...], ...] = (
    # record ids: HubSpot (current and older exports), Salesforce reports and API names
    ("Record ID", "Contact ID", "Lead ID", "Deal ID", "Company ID", "Id"),
    ("Opportunity ID", "Id", "Record ID", "Deal ID"),
    # owners
    (
        "Contact owner",
        "Lead Owner",
        "Owner",
        "Opportunity Owner",
        "Deal owner",
        "Company owner",
        "HubSpot Owner",
        "Owner Name",
        "Owner Full Name",
    ),
    # created / closed
    ("Create Date", "Created Date", "Created", "Created On", "Date Created", "Create Time"),
    ("Close Date", "Closed Date"),
    # HubSpot lifecycle milestones (property labels, and the "Date entered" pipeline labels)
    (
        "Became a Marketing Qualified Lead Date",
        "Became a Marketing Qualified Lead",
        'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"',
        "MQL Date",
    ),
    (
        "Became a Sales Qualified Lead Date",
        "Became a Sales Qualified Lead",
        'Date entered "Sales Qualified Lead (Lifecycle Stage Pipeline)"',
        "SQL Date",
    ),
    (
        "HubSpot Owner Assigned Date",
        "Owner Assigned Date",
        "Contact owner assigned date",
        "Owner assigned date",
    ),
    (
        "First Engagement Date",
        "Date of first engagement",
        "First engagement date",
        "First Activity Date",
        "First Contact Date",
    ),
    # Salesforce lead and opportunity fields
    ("Converted Date", "Conversion Date", "Lead Converted Date"),
    ("Stage", "Stage Name", "Opportunity Stage", "Deal Stage"),
    ("Won", "Is Won", "Closed Won"),
    ("Amount", "Opportunity Amount", "Deal Amount"),
    # attributes
    ("Lifecycle Stage", "Lifecycle stage"),
    ("Original Source", "Lead Source", "Original Traffic Source", "Source"),
    ("Tier", "Company size", "Account Tier", "Customer Tier", "Company Tier"),
    ("Rating", "Lead Rating"),
)
"""Groups of header labels that name the same column. A mapping column is matched to the
file's header exactly, then ignoring case and whitespace, then by any label of a group it
belongs to (also ignoring case and whitespace, so "CreatedDate" is "Created Date")."""


def _normal(text: str) -> str:
    return "".join(text.split()).casefold()


def _alias_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, dict[str, None]] = {}
    for group in HEADER_ALIASES:
        normals = [_normal(label) for label in group]
        for label in normals:
            index.setdefault(label, {}).update(dict.fromkeys(n for n in normals if n != label))
    return {label: tuple(others) for label, others in index.items()}


_ALIASES = _alias_index()


def _find_column(wanted: str, headers: Sequence[str]) -> list[int]:
    """Indices of the headers that `wanted` names: exact, then case/space-blind, then alias.

    The first of the three steps that finds anything decides; more than one index means
    the name is ambiguous in this file.
    """
    exact = [i for i, header in enumerate(headers) if header == wanted]
    if exact:
        return exact
    normals = [_normal(header) for header in headers]
    target = _normal(wanted)
    folded = [i for i, header in enumerate(normals) if header and header == target]
    if folded:
        return folded
    aliases = set(_ALIASES.get(target, ()))
    return [i for i, header in enumerate(normals) if header in aliases]


# --- the plan: mapping resolved against a header -----------------------------------------


@dataclass(frozen=True)
class _Milestone:
    index: int
    header: str
    event: str
    conditions: tuple[tuple[int, Condition], ...]


@dataclass(frozen=True)
class _Plan:
    width: int
    id_index: int
    id_header: str
    milestones: tuple[_Milestone, ...]
    owner: int | None
    owner_event: str | None
    attributes: tuple[tuple[str, int], ...]

    @property
    def text_columns(self) -> tuple[int, ...]:
        """Columns read as text: the id, and all else the plan uses but milestone dates."""
        dates = {m.index for m in self.milestones}
        used = [self.id_index, *(i for _, i in self.attributes)]
        used += [] if self.owner is None else [self.owner]
        used += [i for m in self.milestones for i, _ in m.conditions]
        return tuple(sorted((set(used) - dates) | {self.id_index}))


def _plan(mapping: Mapping, headers: list[str]) -> tuple[_Plan | None, list[Problem]]:
    """Where each column of the mapping is in this header, or the problems finding them."""
    problems: list[Problem] = []
    roles: dict[str, list[str]] = {}
    roles.setdefault(mapping.id_column, []).append("the record id")
    for (column, event), conditions in zip(mapping.milestones, mapping.when, strict=True):
        roles.setdefault(column, []).append(f"milestone {event!r}")
        for condition in conditions:
            roles.setdefault(condition.attribute, []).append(f"the condition of {event!r}")
    if mapping.owner_column is not None:
        roles.setdefault(mapping.owner_column, []).append("the owner")
    for column, attribute in mapping.attributes:
        roles.setdefault(column, []).append(f"attribute {attribute!r}")
    # Only milestone dates and attributes may be optional; these columns are always needed.
    strict = {mapping.id_column, mapping.owner_column}
    strict.update(c.attribute for conditions in mapping.when for c in conditions)
    found: dict[str, int] = {}
    for column, uses in roles.items():
        matches = _find_column(column, headers)
        if len(matches) == 1:
            found[column] = matches[0]
        elif matches:
            shown = ", ".join(f"{headers[i]!r} (column {i + 1})" for i in matches)
            problems.append(
                Problem(
                    f"column {column!r} ({', '.join(uses)}) matches several headers: {shown}; "
                    "name one of them exactly in the mapping",
                    column=column,
                )
            )
        elif column not in mapping.optional or column in strict:
            problems.append(Problem(_missing(column, uses, headers), column=column))
    if problems:
        return None, problems
    milestones: list[_Milestone] = []
    for (column, event), conditions in zip(mapping.milestones, mapping.when, strict=True):
        if column not in found:
            continue  # optional and absent
        tests = tuple((found[c.attribute], c) for c in conditions)
        milestones.append(_Milestone(found[column], headers[found[column]], event, tests))
    return (
        _Plan(
            width=len(headers),
            id_index=found[mapping.id_column],
            id_header=headers[found[mapping.id_column]],
            milestones=tuple(milestones),
            owner=None if mapping.owner_column is None else found[mapping.owner_column],
            owner_event=mapping.owner_event,
            attributes=tuple((a, found[c]) for c, a in mapping.attributes if c in found),
        ),
        [],
    )


_SHOWN_HEADERS = 60


def _missing(column: str, uses: list[str], headers: list[str]) -> str:
    named = [h for h in headers if h]
    by_normal = {_normal(h): h for h in reversed(named)}
    close = difflib.get_close_matches(_normal(column), list(by_normal), n=1, cutoff=0.6)
    hint = f"; the closest header is {by_normal[close[0]]!r}" if close else ""
    shown = ", ".join(repr(h) for h in named[:_SHOWN_HEADERS]) or "none"
    if len(named) > _SHOWN_HEADERS:
        shown += f" and {len(named) - _SHOWN_HEADERS} more"
    return f"no column {column!r} ({', '.join(uses)}) in the file{hint}; the header has: {shown}"


def _header(
    mapping: Mapping, rows: Iterator[Sequence[Any]], rowno: int
) -> tuple[list[str], int] | None:
    """The header (stripped texts) and its row number: the first non-blank row holding the
    id column among the first HEADER_SCAN_ROWS non-blank rows, else the first non-blank."""
    first: tuple[list[str], int] | None = None
    scanned = 0
    for cells in rows:
        rowno += 1
        if _is_blank(cells):
            continue
        names = [cell_text(cell).replace("\ufeff", "").strip() for cell in cells]
        if _find_column(mapping.id_column, names):
            return names, rowno
        first = first or (names, rowno)
        scanned += 1
        if scanned >= HEADER_SCAN_ROWS:
            break
    if first is None:
        return None
    raise _NoHeaderError(first[0])


class _NoHeaderError(Exception):
    def __init__(self, names: list[str]) -> None:
        self.names = names


def _is_blank(cells: Iterable[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


# --- footers -----------------------------------------------------------------------------

_FOOTER = re.compile(
    r"\s*(?:(?P<totals>grand\s+totals?\b)"
    r"|(?P<end>copyright\b.*salesforce|confidential\s+information\b|generated\s+by\b"
    r"|salesforce\.com\s*-))",
    re.IGNORECASE,
)
_DATA, _BLANK, _TOTALS, _END, _TAIL = range(5)


def _footer_kind(cells: Sequence[Any], in_tail: bool) -> int:
    """What a row is at the end of a report: data, blank, a footer line, or the free text
    (the organisation name) following the report's closing lines."""
    first = ""
    filled = 0
    for cell in cells:
        text = (cell if isinstance(cell, str) else cell_text(cell)).strip()
        if text:
            filled += 1
            first = first or text
    if not filled:
        return _BLANK
    match = _FOOTER.match(first)
    if match is not None:
        return _TOTALS if match["totals"] else _END
    return _TAIL if in_tail and filled == 1 else _DATA


class _Footer:
    """Holds back blank and footer-looking rows until it is known whether data follows."""

    def __init__(self) -> None:
        self.rows = 0


def _data_rows(
    rows: Iterable[list[Any]], first_row: int, plan: _Plan, footer: _Footer
) -> Iterator[tuple[int, list[Any]]]:
    """Numbered non-blank rows padded to the header width, without a trailing footer."""
    width, id_index = plan.width, plan.id_index
    pad: list[Any] = [""] * width
    pending: list[tuple[int, list[Any], int]] = []
    in_tail = False
    rowno = first_row - 1
    match_footer = _FOOTER.match
    for cells in rows:
        rowno += 1
        if len(cells) < width:
            cells.extend(pad[len(cells) :])
        record = cells[id_index]
        if pending or not record or not record.strip() or match_footer(record) is not None:
            kind = _footer_kind(cells, in_tail)
            if kind != _DATA:
                pending.append((rowno, cells, kind))
                in_tail = in_tail or kind == _END
                continue
            for held in pending:
                if held[2] != _BLANK:
                    yield held[0], held[1]
            pending.clear()
            in_tail = False
        yield rowno, cells
    if any(kind != _BLANK for _, _, kind in pending):
        footer.rows = len(pending)


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class WideResult:
    """The events of a wide export, and what was left out.

    `skipped` has one Problem per bad row left out (only with skip_bad_rows); `rows` counts
    the data rows read (blank rows and the footer not included); `footer_rows` the rows of
    a report footer (Grand Totals, Copyright ... salesforce.com, and the blank lines among
    them) skipped at the end; `encoding` is the text encoding of a CSV file ("xlsx" for a
    workbook) and `delimiter` its delimiter (None for a workbook).
    """

    log: EventLog
    skipped: tuple[Problem, ...] = ()
    rows: int = 0
    footer_rows: int = 0
    encoding: str = "utf-8"
    delimiter: str | None = None


@dataclass
class _Columns:
    """The events gathered so far, as columns, and where owners and attributes go."""

    records: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    owner_at: list[int] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    carriers: list[int] = field(default_factory=list)
    values: list[tuple[str, ...]] = field(default_factory=list)


def read_wide(
    path: str | os.PathLike[str],
    mapping: Mapping,
    *,
    tz: str | None = None,
    skip_bad_rows: bool = False,
    dayfirst: bool | None = None,
) -> WideResult:
    """Read a wide CRM export (.csv/.txt/.tsv in any common encoding and delimiter, or
    .xlsx/.xlsm) into an event log as `mapping` says.

    Times without an offset are read in `tz` if given, else in the mapping's timezone.
    Every problem is collected (up to events.MAX_PROBLEMS listed). Unless `skip_bad_rows`,
    any problem raises EventFileError and nothing is loaded; with it, bad rows are left out
    and listed in `WideResult.skipped`. Problems with the whole file (missing columns,
    times without a zone to read them in, a date column whose day/month order is mixed,
    contradicts the declared order or cannot be told) always raise. `dayfirst`, when
    given, declares the order in place of the mapping's.
    """
    name, file, tz_info = open_source(path, tz if tz is not None else mapping.timezone)
    order = mapping.dayfirst if dayfirst is None else dayfirst
    dates = DateParser(mapping.date_format, order, tz_info)
    suffix = file.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(name, file, mapping, dates, skip_bad_rows)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(name, file, mapping, dates, skip_bad_rows)
    kind = f"{suffix!r} files" if suffix else "files without a suffix"
    raise EventFileError(name, [Problem(f"cannot read {kind}; save the export as .csv or .xlsx")])


def _start(name: str, mapping: Mapping, rows: Iterator[list[Any]], rowno: int) -> tuple[_Plan, int]:
    """The plan for the file's header, and the header's row number; or EventFileError."""
    try:
        found = _header(mapping, rows, rowno)
    except _NoHeaderError as exc:
        plan, problems = _plan(mapping, exc.names)
        assert plan is None
        fail_with(name, problems)
    if found is None:
        raise EventFileError(
            name, [Problem("the file is empty; expected a header row and data rows")]
        )
    names, header_row = found
    plan, problems = _plan(mapping, names)
    if plan is None:
        fail_with(name, problems)
    return plan, header_row


def _collect(
    name: str,
    plan: _Plan,
    rows: Iterator[tuple[int, list[Any]]],
    dates: DateParser,
    skip_bad_rows: bool,
    delimiter: str | None,
) -> tuple[_Columns, list[list[Problem]], int]:
    """Events of the numbered data rows; the problems of each bad row; the rows read."""
    # The loop runs once per row of a large file: everything it needs is a local name.
    out = _Columns()
    add_record, add_event, add_time = out.records.append, out.events.append, out.times.append
    add_raw = out.raw.append
    width, id_index, id_header = plan.width, plan.id_index, plan.id_header
    rows, orders = _column_orders(name, plan, rows, dates)
    readers = {order: _Reader(dates.with_order(order)) for order in set(orders.values())}
    milestones = [
        (m.index, m.header, m.event, m.conditions, readers[orders[m.index]])
        for m in plan.milestones
    ]
    owner_index, owner_event = plan.owner, plan.owner_event
    attribute_indices = [i for _, i in plan.attributes]
    seen: dict[str, int] = {}
    bad_rows: list[list[Problem]] = []
    adding = True  # turns False when a bad row means the file is rejected anyway
    count = 0
    miss = MISSING
    for rowno, cells in rows:
        count += 1
        issues: list[Problem] | None = None
        if delimiter is not None and len(cells) > width and not _is_blank(cells[width:]):
            issues = [
                Problem(
                    f"the row has {len(cells)} cells but the header has {width} columns; "
                    f"a value containing {delimiter!r} must be quoted",
                    row=rowno,
                )
            ]
        record = cells[id_index].strip()
        if not record:
            issues = issues or []
            issues.append(
                Problem("empty; every row needs a record id", row=rowno, column=id_header)
            )
        else:
            first = seen.setdefault(record, rowno)
            if first != rowno:
                issues = issues or []
                issues.append(
                    Problem(
                        f"the record {record!r} is also on row {first}; "
                        "a wide export has one row per record",
                        row=rowno,
                        column=id_header,
                    )
                )
        found: list[tuple[int, str, str]] = []
        for index, header, event, conditions, reader in milestones:
            raw = cells[index]
            if raw is None or raw == "":
                continue
            if conditions and not _holds(conditions, cells):
                continue
            cache = reader.cache
            moment = cache.get(raw, miss)
            if moment is miss:
                errors = reader.errors
                message = errors.get(raw)
                if message is None:
                    try:
                        moment = reader.parse(raw)
                    except DateError as exc:
                        message = errors[raw] = str(exc)
                    except NoZoneError as exc:
                        raise EventFileError(
                            name, [Problem(_no_zone_message(str(exc)), row=rowno, column=header)]
                        ) from None
                if message is not None:
                    issues = issues or []
                    issues.append(Problem(message, row=rowno, column=header))
                    continue
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[raw] = moment
            if moment is not None:
                found.append((moment, event, raw if isinstance(raw, str) else cell_text(raw)))
        if issues is not None:
            bad_rows.append(issues)
            adding = skip_bad_rows
            continue
        if not adding or not found:
            continue
        base = len(out.times)
        carrier, earliest = base, found[0][0]
        for k, (moment, event, written) in enumerate(found):
            add_record(record)
            add_event(event)
            add_time(moment)
            add_raw(written)
            if moment < earliest:
                carrier, earliest = base + k, moment
        if owner_index is not None:
            owner = _text(cells[owner_index])
            if owner:
                at = carrier
                if owner_event is not None:
                    for k, (_, event, _) in enumerate(found):
                        if event == owner_event:
                            at = base + k
                            break
                out.owner_at.append(at)
                out.owners.append(owner)
        if attribute_indices:
            values = tuple([_text(cells[i]) for i in attribute_indices])
            if any(values):
                out.carriers.append(carrier)
                out.values.append(values)
    return out, bad_rows, count


@dataclass
class _Reader:
    """A date parser with the texts it has read (epoch seconds) and rejected (why)."""

    parse: DateParser
    cache: dict[Any, int | None] = field(default_factory=dict)
    errors: dict[Any, str] = field(default_factory=dict)


def _column_orders(
    name: str, plan: _Plan, rows: Iterator[tuple[int, list[Any]]], dates: DateParser
) -> tuple[Iterator[tuple[int, list[Any]]], dict[int, bool]]:
    """The rows (read ahead when the day/month order of date columns must be decided) and
    each date column's order (True: day first), decided from all of its values.

    A column whose dates mix both orders, contradict the order the mapping declares, or
    never tell (every day 12 or less and no order declared) rejects the file.
    """
    if dates.date_format is not None:  # the format says where the day is
        return rows, {m.index: bool(dates.dayfirst) for m in plan.milestones}
    kept = list(rows)
    columns = {m.index: ColumnOrder(m.header) for m in plan.milestones}
    for index, order in columns.items():
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        for rowno, cells in kept:  # each distinct text is classified once
            value = cells[index]
            if value and isinstance(value, str):
                counts[value] = counts.get(value, 0) + 1
                if counts[value] == 1:
                    first[value] = rowno
        for value, count in counts.items():
            order.add(first[value], value, count)
    orders: dict[int, bool] = {}
    problems: list[Problem] = []
    for index, order in columns.items():
        orders[index], reason = order.decide(dates.dayfirst)
        if reason is not None:
            problems.append(Problem(reason, column=order.header))
    if problems:
        raise EventFileError(name, problems)
    return iter(kept), orders


def _holds(conditions: tuple[tuple[int, Condition], ...], cells: list[Any]) -> bool:
    return all(condition.test(_text(cells[i])) for i, condition in conditions)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else cell_text(value).strip()


def _no_zone_message(text: str) -> str:
    return (
        f'{text!r} has no UTC offset and no time zone was given; set "timezone" in the '
        "mapping (like America/New_York) or pass the zone the export was written in (--tz)"
    )


def _finish(
    name: str,
    plan: _Plan,
    collected: tuple[_Columns, list[list[Problem]], int],
    footer: _Footer,
    skip_bad_rows: bool,
    encoding: str,
    delimiter: str | None,
) -> WideResult:
    out, bad_rows, count = collected
    if bad_rows and not skip_bad_rows:
        fail_with(name, [problem for issues in bad_rows for problem in issues])
    size = len(out.times)
    owners: list[str | None] | None = None
    if plan.owner is not None:
        owners = [None] * size
        for at, owner in zip(out.owner_at, out.owners, strict=True):
            owners[at] = owner
    attributes: dict[str, Sequence[str | None]] = {}
    for k, (attribute, _) in enumerate(plan.attributes):
        column: list[str | None] = [None] * size
        for at, values in zip(out.carriers, out.values, strict=True):
            if values[k]:
                column[at] = values[k]
        attributes[attribute] = column
    log = event_log_from_columns(out.records, out.events, out.times, owners, attributes, out.raw)
    return WideResult(
        log=log,
        skipped=tuple(joined_problem(issues) for issues in bad_rows),
        rows=count,
        footer_rows=footer.rows,
        encoding=encoding,
        delimiter=delimiter,
    )


def _read_csv(
    name: str, file: Path, mapping: Mapping, dates: DateParser, skip_bad_rows: bool
) -> WideResult:
    data = read_bytes(name, file)
    try:
        text, encoding = decode_text(data)
    except ValueError as exc:
        raise EventFileError(name, [Problem(str(exc))]) from None
    declared = declared_delimiter(text)
    delimiter = declared or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rowno = 0
        if declared is not None:
            next(reader)  # the sep= line
            rowno = 1
        plan, header_row = _start(name, mapping, reader, rowno)
        footer = _Footer()
        rows = _data_rows(reader, header_row + 1, plan, footer)
        collected = _collect(name, plan, rows, dates, skip_bad_rows, delimiter)
    except csv.Error as exc:
        problem = Problem(f"line {reader.line_num} could not be read as CSV: {exc}")
        raise EventFileError(name, [problem]) from None
    return _finish(name, plan, collected, footer, skip_bad_rows, encoding, delimiter)


def _xlsx_rows(rows: Iterable[tuple[Any, ...]], plan: _Plan) -> Iterator[list[Any]]:
    """Rows as lists: the id, owner, attribute and condition cells as text, dates raw."""
    width, texts = plan.width, plan.text_columns
    for values in rows:
        cells = list(values)
        if len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        for i in texts:
            value = cells[i]
            if not isinstance(value, str):
                cells[i] = cell_text(value)
        yield cells


def _read_xlsx(
    name: str, file: Path, mapping: Mapping, dates: DateParser, skip_bad_rows: bool
) -> WideResult:
    with first_sheet(name, file) as sheet:
        rows = sheet.iter_rows(values_only=True)
        plan, header_row = _start(name, mapping, (list(r) for r in rows), 0)
        footer = _Footer()
        numbered = _data_rows(_xlsx_rows(rows, plan), header_row + 1, plan, footer)
        collected = _collect(name, plan, numbered, dates, skip_bad_rows, None)
    return _finish(name, plan, collected, footer, skip_bad_rows, "xlsx", None)
