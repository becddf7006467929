"""Reading an event log from a CSV or XLSX file, rejecting bad input whole with every problem."""

from __future__ import annotations

import codecs
import csv
import io
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from operator import itemgetter
from pathlib import Path
from typing import Any, NoReturn

from slaapp.engine.errors import Problem, UserError
from slaapp.engine.eventlog import EventLog, event_log_from_columns
from slaapp.engine.instants import InstantError, parse_instant, to_epoch, zone
from slaapp.importers.event_columns import (
    MAX_TEXT,
    columns_of,
    log_from_columns,
    plain_table,
    read_rows,
)
from slaapp.importers.event_columns import Layout as _Layout
from slaapp.importers.input_limits import file_problem, workbook_problem
from slaapp.importers.xlsx_rows import calamine_sheet

__all__ = ["EventFileError", "Problem", "ReadResult", "read_events"]

RECORD_ID = "record_id"
EVENT = "event"
OCCURRED_AT = "occurred_at"
OWNER = "owner"
REQUIRED = (RECORD_ID, EVENT, OCCURRED_AT)
KNOWN = (*REQUIRED, OWNER)

MAX_PROBLEMS = 200
"""At most this many problems are listed; one more entry then says how many were left out."""

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
DELIMITERS = (",", ";", "\t")

EXAMPLE_TIME = "2026-03-02T09:15:00-05:00"
EMPTY_FILE = "the file is empty; expected a header row with record_id, event, occurred_at"


class EventFileError(UserError, ValueError):
    """The file was rejected whole; .problems lists the problems (at most MAX_PROBLEMS and
    a line saying how many more), .total counts them all; str() is a readable multi-line
    report starting with the file name and the exact count."""

    def __init__(self, path: str, problems: Iterable[Problem], total: int | None = None) -> None:
        self.path = path
        self.source = path
        self.problems = tuple(problems)
        self.total = len(self.problems) if total is None else total
        if len(self.problems) == 1:
            report = f"{path}: {self.problems[0]}"
        else:
            listed = (
                "" if self.total == len(self.problems) else f" (the first {MAX_PROBLEMS} listed)"
            )
            lines = [f"{path}: {self.total:,} problems, nothing was loaded{listed}:"]
            lines.extend(f"  {problem}" for problem in self.problems)
            report = "\n".join(lines)
        super().__init__(report)

    def __reduce__(self) -> tuple[type[EventFileError], tuple[str, tuple[Problem, ...], int]]:
        return (type(self), (self.path, self.problems, self.total))


@dataclass(frozen=True, eq=False)
class ReadResult:
    """The events read, and (with skip_bad_rows) one Problem per row left out."""

    log: EventLog
    skipped: tuple[Problem, ...] = ()


def open_source(path: str | os.PathLike[str], tz: str | None) -> tuple[str, Path, tzinfo | None]:
    """The file's name as given, its path and the zone for naive times; EventFileError if unusable."""
    name = os.fspath(path)
    tz_info: tzinfo | None = None
    if tz is not None:
        try:
            tz_info = zone(tz)
        except InstantError as exc:
            raise EventFileError(name, [Problem(str(exc))]) from None
    file = Path(name)
    problem = file_problem(file)
    if problem:
        raise EventFileError(name, [Problem(problem)])
    return name, file, tz_info


def read_events(
    path: str | os.PathLike[str], *, tz: str | None = None, skip_bad_rows: bool = False
) -> ReadResult:
    """Read an event log from a CSV (.csv/.txt/.tsv) or Excel (.xlsx/.xlsm) file.

    Columns: record_id, event, occurred_at (ISO 8601 with an offset or Z; naive times only
    when `tz` names the IANA zone they were written in), optional owner, and any other
    columns as attributes (an empty cell means "no change"). Rows keep their file order.

    Every problem is collected (up to MAX_PROBLEMS listed). Unless `skip_bad_rows`, any
    problem raises EventFileError and nothing is loaded; with it, bad rows are left out and
    listed in `ReadResult.skipped`. Problems with the whole file always raise.
    """
    name, file, tz_info = open_source(path, tz)
    suffix = file.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(name, file, tz_info, skip_bad_rows)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(name, file, tz_info, skip_bad_rows)
    kind = f"{suffix!r} files" if suffix else "files without a suffix"
    raise EventFileError(
        name,
        [Problem(f"cannot read {kind}; save the events as .csv or .xlsx")],
    )


# --- shared: header and rows -------------------------------------------------------------


def _letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _position(index: int) -> str:
    return f"column {index + 1} ({_letter(index)})"


def _layout(names: list[str]) -> tuple[_Layout | None, list[Problem]]:
    """The layout of a header row (already stripped text), or the problems with it."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    known: dict[str, int] = {}
    attributes: list[tuple[str, int]] = []
    unnamed: list[int] = []
    for index, raw in enumerate(names):
        if not raw:
            unnamed.append(index)
            continue
        folded = raw.casefold()
        name = folded if folded in KNOWN else raw
        if folded in seen:
            first = seen[folded]
            problems.append(
                Problem(
                    f"the column name {raw!r} appears more than once ({_position(first)} and "
                    f"{_position(index)}); every column needs its own name",
                    column=name,
                )
            )
            continue
        seen[folded] = index
        if folded in KNOWN:
            known[folded] = index
        else:
            attributes.append((raw, index))
    found = ", ".join(repr(n) for n in names if n) or "none"
    for required in REQUIRED:
        if required not in known:
            problems.append(
                Problem(
                    f"missing required column {required!r}; the header needs record_id, "
                    f"event and occurred_at (found: {found})"
                )
            )
    if problems:
        return None, problems
    layout = _Layout(
        width=len(names),
        record=known[RECORD_ID],
        event=known[EVENT],
        time=known[OCCURRED_AT],
        owner=known.get(OWNER),
        attributes=tuple(attributes),
        unnamed=tuple(unnamed),
    )
    return layout, []


def _too_long(cells: list[Any], layout: _Layout, rowno: int) -> list[Problem]:
    found = []
    for column, index in (
        (RECORD_ID, layout.record),
        (EVENT, layout.event),
        ("owner", layout.owner),
    ):
        if index is None or index >= len(cells):
            continue
        size = len(str(cells[index]).strip())
        if size > MAX_TEXT[column]:
            found.append(Problem(
                f"{size} characters; at most {MAX_TEXT[column]} fit", row=rowno, column=column,
            ))  # fmt: skip
    return found


def _is_blank(cells: Iterable[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _time_message(value: Any, tz: tzinfo | None, exc: InstantError) -> str:
    """Plain words for an occurred_at cell that could not be read."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"no time given; expected an ISO 8601 time like {EXAMPLE_TIME}"
    if isinstance(value, str):
        text = value.strip()
        if tz is None:
            try:
                parse_instant(text, zone("UTC"))
            except InstantError:
                pass
            else:
                return (
                    f"{text!r} has no UTC offset; add one (like Z or -05:00) "
                    "or pass --tz with the time zone it was written in"
                )
        return str(exc)
    if isinstance(value, datetime | date) and tz is None:
        return (
            f"{value.isoformat()} is a date/time cell without a time zone; "
            "pass --tz with the time zone it was written in, or write ISO 8601 text "
            f"with an offset like {EXAMPLE_TIME}"
        )
    if isinstance(value, time):
        return f"{value.isoformat()} is a time of day without a date; expected a date and time"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (
            f"{cell_text(value)} is a number, not a date and time; format the cell as a "
            f"date and time, or write ISO 8601 text like {EXAMPLE_TIME}"
        )
    return str(exc)


def _load(
    name: str,
    layout: _Layout,
    first_row: int,
    rows: Iterable[list[Any]],
    instant: Callable[[Any, tzinfo | None], int],
    tz: tzinfo | None,
    skip_bad_rows: bool,
    *,
    delimiter: str | None,
) -> ReadResult:
    """Check data rows (numbered from `first_row`) and build the log from the good ones."""
    # The loop runs once per row of a large file: everything it needs is a local name.
    width = layout.width
    ri, ei, ti = layout.record, layout.event, layout.time
    unnamed = layout.unnamed
    # Rows kept as tuples of the cells the log needs: the garbage collector soon stops
    # tracking tuples of strings, where keeping 300,000 row lists would make it rescan them.
    wanted = [layout.record, layout.event]
    wanted += [] if layout.owner is None else [layout.owner]
    wanted += [index for _, index in layout.attributes]
    pick = itemgetter(*wanted) if len(wanted) > 1 else lambda cells: (cells[wanted[0]],)
    good: list[tuple[str, ...]] = []
    times: list[int] = []
    raw_times: list[Any] = []
    keep, stamp, as_written = good.append, times.append, raw_times.append
    bad_rows: list[list[Problem]] = []
    unnamed_hits: dict[int, int] = {}  # column index -> first row with a value there
    adding = True  # turns False when a bad row means the file is rejected anyway
    rowno = first_row - 1
    for cells in rows:
        rowno += 1
        if len(cells) != width:
            cells, issues = _fit(cells, width, rowno, delimiter, unnamed_hits)
        else:
            issues = None
        record_id = cells[ri].strip()
        if not record_id:
            if issues is None and _is_blank(cells):
                continue
            issues = issues or []
            issues.append(
                Problem("empty; every row needs a record id", row=rowno, column=RECORD_ID)
            )
        event = cells[ei].strip()
        if not event:
            issues = issues or []
            issues.append(Problem("empty; every row needs an event name", row=rowno, column=EVENT))
        too_long = _too_long(cells, layout, rowno)
        if too_long:
            issues = (issues or []) + too_long
        try:
            occurred_at = instant(cells[ti], tz)
        except InstantError as exc:
            issues = issues or []
            issues.append(Problem(_time_message(cells[ti], tz, exc), row=rowno, column=OCCURRED_AT))
            occurred_at = 0
        if unnamed:
            for i in unnamed:
                if i not in unnamed_hits and not _is_blank((cells[i],)):
                    unnamed_hits[i] = rowno
        if issues is not None:
            bad_rows.append(issues)
            adding = skip_bad_rows
        elif adding:
            keep(pick(cells))
            stamp(occurred_at)
            as_written(cells[ti])
    file_problems = [
        Problem(
            f"{_position(i)} has no header name but has values (first in row {first}); "
            "give the column a name or delete it"
        )
        for i, first in sorted(unnamed_hits.items())
    ]
    if file_problems or (bad_rows and not skip_bad_rows):
        fail_with(name, file_problems + [p for issues in bad_rows for p in issues])
    raw = [value if isinstance(value, str) else cell_text(value) for value in raw_times]
    return ReadResult(
        _log(good, times, raw, layout), tuple(joined_problem(issues) for issues in bad_rows)
    )


def _log(
    good: list[tuple[str, ...]], times: list[int], raw: list[str], layout: _Layout
) -> EventLog:
    """The log of the good rows, built column by column."""
    count = 2 + (layout.owner is not None) + len(layout.attributes)
    columns = list(zip(*good, strict=True)) if good else [()] * count
    stripped = [[cell.strip() for cell in column] for column in columns]
    owners = None if layout.owner is None else stripped[2]
    first_attribute = 2 if layout.owner is None else 3
    return event_log_from_columns(
        stripped[0],
        stripped[1],
        times,
        owners,
        {attr: stripped[first_attribute + n] for n, (attr, _) in enumerate(layout.attributes)},
        raw,
    )


def _fit(
    cells: list[Any], width: int, rowno: int, delimiter: str | None, unnamed_hits: dict[int, int]
) -> tuple[list[Any], list[Problem] | None]:
    """A row padded to the header width, and the problem if it has values beyond it.

    Empty cells past the header are ignored. In a workbook (no `delimiter`) values past the
    header are noted as a column without a name; in CSV they make a row problem.
    """
    if len(cells) < width:
        return [*cells, *[""] * (width - len(cells))], None
    extra = [i for i in range(width, len(cells)) if not _is_blank((cells[i],))]
    if not extra:
        return cells, None
    if delimiter is None:
        for i in extra:
            unnamed_hits.setdefault(i, rowno)
        return cells, None
    problem = Problem(
        f"the row has {len(cells)} cells but the header has {width} columns; "
        f"a value containing {delimiter!r} must be quoted",
        row=rowno,
    )
    return cells, [problem]


def joined_problem(issues: list[Problem]) -> Problem:
    """One Problem for a row from all of its problems."""
    if len(issues) == 1:
        return issues[0]
    columns = {p.column for p in issues}
    if len(columns) == 1:
        return Problem(
            "; ".join(p.message for p in issues), row=issues[0].row, column=issues[0].column
        )
    parts = [f"column {p.column}: {p.message}" if p.column else p.message for p in issues]
    return Problem("; ".join(parts), row=issues[0].row)


def fail_with(name: str, problems: list[Problem]) -> NoReturn:
    """Raise EventFileError with at most MAX_PROBLEMS listed problems and the exact total."""
    total = len(problems)
    if total > MAX_PROBLEMS:
        more = total - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            Problem(f"... and {more} more problems not listed"),
        ]
    raise EventFileError(name, problems, total)


# --- CSV ---------------------------------------------------------------------------------


def _decode(name: str, data: bytes) -> str:
    """The text of CSV bytes in UTF-8 (with or without a BOM), or an EventFileError."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EventFileError(
            name,
            [
                Problem(
                    "the file is UTF-16 text, not UTF-8; save it as CSV UTF-8 "
                    "(in Excel: Save As > CSV UTF-8)"
                )
            ],
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        snippet = data[start : end if end >= 0 else len(data)].decode("utf-8", "replace")
        snippet = snippet.strip()
        if len(snippet) > 60:
            snippet = snippet[:57] + "..."
        raise EventFileError(
            name,
            [
                Problem(
                    f"line {line} is not UTF-8 text (byte 0x{data[exc.start]:02X} in "
                    f"{snippet!r}); save the file as UTF-8 (in Excel: Save As > CSV UTF-8)"
                )
            ],
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        message = (
            f"line {line} contains a NUL byte, so this is not a text CSV file; "
            "save it as CSV UTF-8 (in Excel: Save As > CSV UTF-8)"
        )
        raise EventFileError(name, [Problem(message)])
    return text


def _delimiter(text: str) -> str:
    """The delimiter used most in the first non-blank line (ties and none: comma)."""
    head = text[:65536]  # a whole file in memory need not be copied to find its first line
    for line in io.StringIO(head, newline=""):
        if line.strip(" \r\n,;\t"):
            if len(head) < len(text) and not line.endswith(("\n", "\r")):
                break  # the line goes on past the head: count it in the whole text
            counts = [line.count(d) for d in DELIMITERS]
            return DELIMITERS[counts.index(max(counts))]
    else:
        if len(head) == len(text):
            return ","
    for line in io.StringIO(text, newline=""):
        if line.strip(" \r\n,;\t"):
            counts = [line.count(d) for d in DELIMITERS]
            return DELIMITERS[counts.index(max(counts))]
    return ","


def read_bytes(name: str, file: Path) -> bytes:
    """The bytes of an input file, or an EventFileError saying why they cannot be read."""
    problem = file_problem(file)
    if problem:
        raise EventFileError(name, [Problem(problem)])
    try:
        return file.read_bytes()
    except OSError as exc:
        raise EventFileError(
            name, [Problem(f"cannot read the file: {exc.strerror or exc}")]
        ) from None


def _read_csv(name: str, file: Path, tz: tzinfo | None, skip_bad_rows: bool) -> ReadResult:
    data = read_bytes(name, file)
    text = _decode(name, data)
    delimiter = _delimiter(text)
    plain = plain_table(text, delimiter)
    if plain is not None:  # no quotes and every line as wide as the header: split, not parsed
        header, columns = plain
        layout, _ = _layout([cell.strip() for cell in header])
        log = None if layout is None else log_from_columns(columns, layout, tz)
        if log is not None:
            return ReadResult(log)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rowno = 0
        for cells in reader:
            rowno += 1
            if not _is_blank(cells):
                break
        else:
            raise EventFileError(name, [Problem(EMPTY_FILE)])
        layout, problems = _layout([cell.strip() for cell in cells])
        if layout is None:
            fail_with(name, problems)
        rows = read_rows(reader)
        by_column = columns_of(rows, layout.width)
        log = None if by_column is None else log_from_columns(by_column, layout, tz)
        if log is not None:
            return ReadResult(log)
        return _load(
            name,
            layout,
            rowno + 1,
            rows,
            parse_instant,
            tz,
            skip_bad_rows,
            delimiter=delimiter,
        )
    except csv.Error as exc:
        problem = Problem(f"line {reader.line_num} could not be read as CSV: {exc}")
        raise EventFileError(name, [problem]) from None


# --- XLSX --------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell value as the text a user sees (150000.0 -> '150000', 1.5 -> '1.5')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")  # Excel shows at most 15 significant digits
    if isinstance(value, datetime):
        if value.time() == time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _xlsx_instant(value: Any, tz: tzinfo | None) -> int:
    """Epoch seconds of an occurred_at cell: ISO text, a date/time cell or a date cell."""
    if isinstance(value, str):
        return parse_instant(value, tz)
    if isinstance(value, datetime):
        return to_epoch(value, tz)
    if isinstance(value, date):
        return to_epoch(datetime.combine(value, time()), tz)
    raise InstantError(f"{cell_text(value)!r} is not a date and time")


def _xlsx_rows(rows: Iterator[tuple[Any, ...]], time_index: int) -> Iterator[list[Any]]:
    """Rows as text cells, except the occurred_at cell which keeps its raw value."""
    for values in rows:
        cells: list[Any] = [cell_text(v) for v in values]
        if time_index < len(values):
            value = values[time_index]
            cells[time_index] = value.strip() if isinstance(value, str) else value
        yield cells


@contextmanager
def first_sheet(name: str, file: Path) -> Iterator[Any]:
    """The first worksheet of a workbook, read-only (python-calamine, else openpyxl);
    EventFileError if it cannot be read."""
    from openpyxl import load_workbook  # imported here: only XLSX reading needs it

    refused = file_problem(file) or workbook_problem(file)
    if refused:
        raise EventFileError(name, [Problem(refused)])
    fast = calamine_sheet(file)
    if fast is not None:
        yield fast
        return
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise EventFileError(
            name, [Problem(f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    with handle, warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (styles, data validation,
        # extensions); they do not affect cell values, so they are not the user's problem.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # a damaged or foreign file fails in many ways
            problem = Problem(f"this is not a readable Excel workbook ({exc})")
            raise EventFileError(name, [problem]) from None
        try:
            if not workbook.worksheets:
                raise EventFileError(name, [Problem(EMPTY_FILE)])
            sheet = workbook.worksheets[0]
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # the stored size may be wrong; read every row
            yield sheet
        finally:
            workbook.close()


def _read_xlsx(name: str, file: Path, tz: tzinfo | None, skip_bad_rows: bool) -> ReadResult:
    with first_sheet(name, file) as sheet:
        rows = sheet.iter_rows(values_only=True)
        rowno = 0
        for values in rows:
            rowno += 1
            if not _is_blank(values):
                break
        else:
            raise EventFileError(name, [Problem(EMPTY_FILE)])
        layout, problems = _layout([cell_text(v).strip() for v in values])
        if layout is None:
            fail_with(name, problems)
        return _load(
            name,
            layout,
            rowno + 1,
            _xlsx_rows(rows, layout.time),
            _xlsx_instant,
            tz,
            skip_bad_rows,
            delimiter=None,
        )
