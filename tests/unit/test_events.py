"""Tests for reading event logs from CSV and XLSX files (slaapp.importers.event_file)."""

from __future__ import annotations

import pickle
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from slaapp.engine.errors import Problem
from slaapp.engine.eventlog import EventRow
from slaapp.importers.event_file import (
    MAX_PROBLEMS,
    EventFileError,
    ReadResult,
    read_events,
)

HEADER = "record_id,event,occurred_at,owner,stage,amount\n"


def epoch(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """UTC epoch seconds of a UTC wall time."""
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(content: str | bytes, name: str = "events.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    return _write


@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., Path]:
    """Write rows to the first sheet of an .xlsx workbook and return its path."""

    def _workbook(rows: list[list[object]], name: str = "events.xlsx") -> Path:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append(row)
        extra = book.create_sheet("Other")  # only the first sheet is read
        extra.append(["not", "read"])
        path = tmp_path / name
        book.save(path)
        return path

    return _workbook


def rejected(path: Path, *, tz: str | None = None, skip_bad_rows: bool = False) -> EventFileError:
    """The EventFileError that reading `path` raises."""
    with pytest.raises(EventFileError) as info:
        read_events(path, tz=tz, skip_bad_rows=skip_bad_rows)
    return info.value


def rows(result: ReadResult) -> list[EventRow]:
    return list(result.log.rows())


# --- good CSV ------------------------------------------------------------------------------


def test_basic_csv_with_owner_and_attributes(write: Callable[..., Path]) -> None:
    path = write(
        HEADER
        + "OPP-1,created,2026-03-02T09:15:00Z,ana,Discovery,150000\n"
        + "OPP-2,created,2026-03-02T10:00:00Z,,Proposal,\n"
        + "OPP-1,accepted,2026-03-02T11:30:00Z, ben ,,\n"
    )
    result = read_events(path)
    assert result.skipped == ()
    assert len(result.log) == 3
    assert list(result.log.attributes) == ["stage", "amount"]
    assert result.log.records == ("OPP-1", "OPP-2")
    assert rows(result) == [
        EventRow(
            "OPP-1",
            "created",
            epoch(2026, 3, 2, 9, 15),
            "ana",
            {"stage": "Discovery", "amount": "150000"},
        ),
        EventRow("OPP-2", "created", epoch(2026, 3, 2, 10, 0), None, {"stage": "Proposal"}),
        EventRow("OPP-1", "accepted", epoch(2026, 3, 2, 11, 30), "ben", {}),
    ]


def test_without_owner_or_attributes(write: Callable[..., Path]) -> None:
    path = write("record_id,event,occurred_at\nA,created,2026-01-01T00:00:00Z\n")
    result = read_events(path)
    assert rows(result) == [EventRow("A", "created", epoch(2026, 1, 1))]
    assert dict(result.log.attributes) == {}


def test_accepts_path_as_str(write: Callable[..., Path]) -> None:
    path = write("record_id,event,occurred_at\nA,created,2026-01-01T00:00:00Z\n")
    assert len(read_events(str(path)).log) == 1


def test_offsets_and_fractional_seconds(write: Callable[..., Path]) -> None:
    path = write(
        "record_id,event,occurred_at\n"
        "A,z,2026-03-02T09:15:00Z\n"
        "A,plus,2026-03-02T09:15:00+02:00\n"
        "A,nocolon,2026-03-02T09:15:00-0500\n"
        "A,fraction,2026-03-02T09:15:00.999Z\n"
        "A,before-1970,1969-12-31T23:59:59.5Z\n"
    )
    times = [row.occurred_at for row in rows(read_events(path))]
    base = epoch(2026, 3, 2, 9, 15)
    assert times == [base, base - 2 * 3600, base + 5 * 3600, base, -1]


def test_naive_time_rejected_without_tz(write: Callable[..., Path]) -> None:
    path = write("record_id,event,occurred_at\nA,created,2026-03-02T09:15:00\n")
    error = rejected(path)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert (problem.row, problem.column) == (2, "occurred_at")
    assert "no UTC offset" in problem.message
    assert "--tz" in problem.message


def test_naive_time_read_in_tz_including_dst_gap(write: Callable[..., Path]) -> None:
    path = write(
        "record_id,event,occurred_at\n"
        "A,winter,2026-01-15T09:00:00\n"
        "A,gap,2026-03-08T02:30:00\n"
        "A,summer,2026-07-01 09:00\n"
        "A,dateonly,2026-07-01\n"
        "A,aware,2026-07-01T09:00:00Z\n"
    )
    times = [row.occurred_at for row in rows(read_events(path, tz="America/New_York"))]
    new_york = ZoneInfo("America/New_York")
    gap = int(datetime(2026, 3, 8, 2, 30, tzinfo=new_york).timestamp())
    assert times == [
        epoch(2026, 1, 15, 14, 0),
        gap,
        epoch(2026, 7, 1, 13, 0),
        epoch(2026, 7, 1, 4, 0),
        epoch(2026, 7, 1, 9, 0),
    ]
    assert gap == epoch(2026, 3, 8, 7, 30)  # fold=0 reads the missing 02:30 as EST


def test_utf8_bom(write: Callable[..., Path]) -> None:
    path = write(
        b"\xef\xbb\xbf"
        + "record_id,event,occurred_at,city\nA,x,2026-01-01T00:00Z,Zürich\n".encode()
    )
    result = read_events(path)
    assert rows(result) == [EventRow("A", "x", epoch(2026, 1, 1), None, {"city": "Zürich"})]


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(";", "events.csv"), ("\t", "events.tsv"), ("\t", "events.txt")],
)
def test_semicolon_and_tab_delimiters(
    write: Callable[..., Path], delimiter: str, name: str
) -> None:
    lines = [
        ["record_id", "event", "occurred_at", "owner", "note"],
        ["A", "created", "2026-01-01T00:00:00Z", "ana", "1,5 (comma inside)"],
    ]
    path = write("".join(delimiter.join(line) + "\r\n" for line in lines), name)
    assert rows(read_events(path)) == [
        EventRow("A", "created", epoch(2026, 1, 1), "ana", {"note": "1,5 (comma inside)"})
    ]


def test_quoted_field_with_comma_and_newline_counts_as_one_row(
    write: Callable[..., Path],
) -> None:
    path = write(
        "record_id,event,occurred_at,note\n"
        'A,created,2026-01-01T00:00:00Z,"Acme, Inc.\nsecond line"\n'
        "B,created,not a time,\n"
    )
    error = rejected(path)
    # The quoted note spans two lines but is one spreadsheet row: the bad row is row 3.
    assert [(p.row, p.column) for p in error.problems] == [(3, "occurred_at")]

    path = write(
        "record_id,event,occurred_at,note\n"
        'A,created,2026-01-01T00:00:00Z,"Acme, Inc.\nsecond line"\n'
    )
    [row] = rows(read_events(path))
    assert row.attributes == {"note": "Acme, Inc.\nsecond line"}


def test_header_names_are_matched_case_insensitively(write: Callable[..., Path]) -> None:
    path = write(
        " Record_ID ,EVENT, Occurred_At ,Owner, Deal Stage \nA,x,2026-01-01T00:00Z,ana,Won\n"
    )
    result = read_events(path)
    assert list(result.log.attributes) == ["Deal Stage"]
    assert rows(result) == [EventRow("A", "x", epoch(2026, 1, 1), "ana", {"Deal Stage": "Won"})]


def test_fewer_cells_mean_empty_trailing_cells(write: Callable[..., Path]) -> None:
    path = write(HEADER + "A,x,2026-01-01T00:00Z,ana\nA,y,2026-01-02T00:00Z\n")
    assert rows(read_events(path)) == [
        EventRow("A", "x", epoch(2026, 1, 1), "ana", {}),
        EventRow("A", "y", epoch(2026, 1, 2), None, {}),
    ]


def test_blank_lines_are_skipped_and_order_is_kept(write: Callable[..., Path]) -> None:
    path = write("\n" + HEADER + "B,x,2026-01-02T00:00Z\n\n  \n,,,,,\nA,x,2026-01-01T00:00Z\n\n")
    result = read_events(path)
    assert [(r.record_id, r.occurred_at) for r in rows(result)] == [
        ("B", epoch(2026, 1, 2)),
        ("A", epoch(2026, 1, 1)),
    ]


def test_header_only_gives_an_empty_log(write: Callable[..., Path]) -> None:
    result = read_events(write(HEADER))
    assert len(result.log) == 0
    assert result.skipped == ()
    assert list(result.log.attributes) == ["stage", "amount"]


def test_empty_header_cell_without_data_is_ignored(write: Callable[..., Path]) -> None:
    path = write("record_id,event,occurred_at,\nA,x,2026-01-01T00:00Z,\n")
    assert rows(read_events(path)) == [EventRow("A", "x", epoch(2026, 1, 1))]


def test_extra_empty_cells_are_ignored(write: Callable[..., Path]) -> None:
    path = write("record_id,event,occurred_at\nA,x,2026-01-01T00:00Z,,\n")
    assert rows(read_events(path)) == [EventRow("A", "x", epoch(2026, 1, 1))]


# --- bad CSV -------------------------------------------------------------------------------


def test_missing_columns_are_each_named(write: Callable[..., Path]) -> None:
    error = rejected(write("record_id,Event Name,time\nA,x,2026-01-01T00:00Z\n"))
    assert [(p.row, p.column) for p in error.problems] == [(None, None), (None, None)]
    first, second = (p.message for p in error.problems)
    assert "missing required column 'event'" in first
    assert "missing required column 'occurred_at'" in second
    assert "'record_id', 'Event Name', 'time'" in first


def test_duplicate_header_names(write: Callable[..., Path]) -> None:
    error = rejected(write("record_id,event,occurred_at,Event,stage,Stage\n"))
    assert [(p.row, p.column) for p in error.problems] == [(None, "event"), (None, "Stage")]
    assert "appears more than once" in error.problems[0].message
    assert "column 2 (B) and column 4 (D)" in error.problems[0].message


def test_empty_header_cell_with_data_under_it(write: Callable[..., Path]) -> None:
    path = write(
        "record_id,event,,occurred_at\nA,x,,2026-01-01T00:00Z\nB,x,oops,2026-01-01T00:00Z\n"
    )
    error = rejected(path, skip_bad_rows=True)
    [problem] = error.problems
    assert problem.row is None
    assert "column 3 (C) has no header name" in problem.message
    assert "row 3" in problem.message


def test_bad_date_reports_spreadsheet_row_counting_blank_lines(
    write: Callable[..., Path],
) -> None:
    path = write(HEADER + "A,x,2026-01-01T00:00Z\n\nA,y,2026-13-01\n")
    error = rejected(path)
    [problem] = error.problems
    assert (problem.row, problem.column) == (4, "occurred_at")
    assert "'2026-13-01' is not an ISO 8601 time" in problem.message
    assert str(problem).startswith("row 4, column occurred_at: '2026-13-01' is not an ISO")


def test_empty_record_id_event_and_time(write: Callable[..., Path]) -> None:
    path = write(HEADER + " ,x,2026-01-01T00:00Z\nA, ,2026-01-01T00:00Z\nA,x,\n")
    error = rejected(path)
    assert [(p.row, p.column) for p in error.problems] == [
        (2, "record_id"),
        (3, "event"),
        (4, "occurred_at"),
    ]
    assert "empty" in error.problems[0].message
    assert "no time given" in error.problems[2].message


def test_too_many_cells(write: Callable[..., Path]) -> None:
    path = write("record_id,event,occurred_at,note\nA,x,2026-01-01T00:00Z,Acme, Inc.\n")
    [problem] = rejected(path).problems
    assert (problem.row, problem.column) == (2, None)
    assert "5 cells but the header has 4 columns" in problem.message
    assert "containing ',' must be quoted" in problem.message


def test_all_problems_are_collected(write: Callable[..., Path]) -> None:
    path = write(HEADER + ",,bad\nA,x,2026-01-01T00:00Z\nB,y,also bad\n")
    error = rejected(path)
    assert [(p.row, p.column) for p in error.problems] == [
        (2, "record_id"),
        (2, "event"),
        (2, "occurred_at"),
        (4, "occurred_at"),
    ]


def test_non_utf8_bytes_are_rejected(write: Callable[..., Path]) -> None:
    content = "record_id,event,occurred_at,city\nA,x,2026-01-01T00:00Z,Zürich\n"
    error = rejected(write(content.encode("latin-1")))
    [problem] = error.problems
    assert problem.row is None
    assert "line 2 is not UTF-8" in problem.message
    assert "0xFC" in problem.message
    assert "save the file as UTF-8" in problem.message


def test_utf16_is_rejected_with_advice(write: Callable[..., Path]) -> None:
    content = "record_id\tevent\toccurred_at\n".encode("utf-16")
    [problem] = rejected(write(content, "events.txt")).problems
    assert "UTF-16" in problem.message
    assert "CSV UTF-8" in problem.message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n", b",,,\n"])
def test_empty_file(write: Callable[..., Path], content: bytes) -> None:
    [problem] = rejected(write(content)).problems
    assert problem.message.startswith("the file is empty; expected a header row")


def test_unknown_suffix(write: Callable[..., Path]) -> None:
    [problem] = rejected(write(HEADER, "events.xls")).problems
    assert "'.xls'" in problem.message
    assert ".csv or .xlsx" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    error = rejected(tmp_path / "nope.csv")
    assert [p.message for p in error.problems] == ["file not found"]
    assert str(error) == f"{tmp_path / 'nope.csv'}: file not found"


def test_folder_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "events.csv"
    folder.mkdir()
    [problem] = rejected(folder).problems
    assert "folder" in problem.message


def test_unknown_tz(write: Callable[..., Path]) -> None:
    path = write(HEADER)
    [problem] = rejected(path, tz="Mars/Olympus").problems
    assert problem.row is None
    assert "unknown time zone 'Mars/Olympus'" in problem.message


def test_error_text_names_file_row_and_column(write: Callable[..., Path]) -> None:
    path = write(HEADER + "A,x,2026-01-01T00:00Z\n,x,yesterday\n", "q1 events.csv")
    error = rejected(path)
    text = str(error)
    lines = text.splitlines()
    assert lines[0] == f"{path}: 2 problems, nothing was loaded:"
    assert "q1 events.csv" in lines[0]
    assert lines[1] == "  row 3, column record_id: empty; every row needs a record id"
    assert lines[2].startswith("  row 3, column occurred_at: 'yesterday' is not an ISO 8601")
    assert error.path == str(path)
    assert isinstance(error, ValueError)


def test_error_survives_pickling(write: Callable[..., Path]) -> None:
    error = rejected(write(HEADER + "A,x,soon\n"))
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.problems, str(copy)) == (error.path, error.problems, str(error))


def test_nul_bytes_are_a_file_problem(write: Callable[..., Path]) -> None:
    [problem] = rejected(write(HEADER + "A,x\x00,2026-01-01T00:00Z\n")).problems
    assert problem.row is None
    assert "line 2 contains a NUL byte" in problem.message
    # UTF-16 without a byte order mark is all NUL bytes between ASCII letters
    [problem] = rejected(write(HEADER.encode("utf-16-le"))).problems
    assert "line 1 contains a NUL byte" in problem.message


def test_problem_str() -> None:
    assert str(Problem("bad", row=7, column="owner")) == "row 7, column owner: bad"
    assert str(Problem("bad", row=7)) == "row 7: bad"
    assert str(Problem("bad", column="owner")) == "column owner: bad"
    assert str(Problem("bad")) == "bad"


# --- skipping bad rows and the problem cap -----------------------------------------------


def test_skip_bad_rows_keeps_good_rows(write: Callable[..., Path]) -> None:
    path = write(
        HEADER
        + "A,created,2026-01-01T00:00Z,ana,Won,10\n"
        + ",created,bad\n"
        + "B,created,2026-01-01T09:00:00\n"
        + "C,created,2026-01-02T00:00Z,,Lost,\n"
    )
    result = read_events(path, skip_bad_rows=True)
    assert rows(result) == [
        EventRow("A", "created", epoch(2026, 1, 1), "ana", {"stage": "Won", "amount": "10"}),
        EventRow("C", "created", epoch(2026, 1, 2), None, {"stage": "Lost"}),
    ]
    assert [(p.row, p.column) for p in result.skipped] == [(3, None), (4, "occurred_at")]
    joined = result.skipped[0].message
    assert joined.startswith("column record_id: empty")
    assert "; column occurred_at: 'bad' is not an ISO 8601 time" in joined
    assert "no UTC offset" in result.skipped[1].message


def test_skip_bad_rows_still_rejects_file_problems(write: Callable[..., Path]) -> None:
    path = write("record_id,event\nA,x\n")
    [problem] = rejected(path, skip_bad_rows=True).problems
    assert "missing required column 'occurred_at'" in problem.message


def test_problem_list_is_capped(write: Callable[..., Path]) -> None:
    path = write(HEADER + "A,x,never\n" * (MAX_PROBLEMS + 57))
    error = rejected(path)
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[0].row == 2
    assert error.problems[MAX_PROBLEMS - 1].row == MAX_PROBLEMS + 1
    assert error.problems[-1] == Problem("... and 57 more problems not listed")

    skipped = read_events(path, skip_bad_rows=True).skipped
    assert len(skipped) == MAX_PROBLEMS + 57  # every skipped row is listed


# --- XLSX ----------------------------------------------------------------------------------


def test_xlsx(workbook: Callable[..., Path]) -> None:
    path = workbook(
        [
            ["Record_ID", "Event", "Occurred_At", "Owner", "amount", "rate", "stage"],
            ["OPP-1", "created", datetime(2026, 3, 2, 9, 15), "ana", 150000, 1.5, "Won"],
            [42, "accepted", "2026-03-02T16:00:00+01:00", None, 150000.0, 0.1 + 0.2, None],
            [None, None, None, None, None, None, None],
            ["OPP-3", "created", date(2026, 7, 1), "  ", None, 3, "  Lost  "],
        ]
    )
    result = read_events(path, tz="America/New_York")
    assert result.skipped == ()
    assert rows(result) == [
        EventRow(
            "OPP-1",
            "created",
            epoch(2026, 3, 2, 14, 15),
            "ana",
            {"amount": "150000", "rate": "1.5", "stage": "Won"},
        ),
        EventRow(
            "42",
            "accepted",
            epoch(2026, 3, 2, 15, 0),
            None,
            {"amount": "150000", "rate": "0.3"},
        ),
        EventRow("OPP-3", "created", epoch(2026, 7, 1, 4, 0), None, {"rate": "3", "stage": "Lost"}),
    ]


def test_xlsx_naive_datetime_needs_tz(workbook: Callable[..., Path]) -> None:
    path = workbook(
        [
            ["record_id", "event", "occurred_at"],
            ["A", "x", datetime(2026, 3, 2, 9, 15, tzinfo=None)],
            ["A", "y", datetime(2026, 3, 2, 9, 15, tzinfo=UTC).isoformat()],
            ["A", "z", 46083],
        ]
    )
    error = rejected(path)
    assert [(p.row, p.column) for p in error.problems] == [
        (2, "occurred_at"),
        (4, "occurred_at"),
    ]
    assert "without a time zone" in error.problems[0].message
    assert "--tz" in error.problems[0].message
    assert "46083 is a number, not a date and time" in error.problems[1].message


def test_xlsx_header_after_blank_rows_and_unnamed_column(workbook: Callable[..., Path]) -> None:
    path = workbook(
        [
            [],
            ["record_id", "event", "occurred_at"],
            ["A", "x", "2026-01-01T00:00Z", None, "stray"],
        ]
    )
    [problem] = rejected(path).problems
    assert "column 5 (E) has no header name" in problem.message
    assert "row 3" in problem.message


def test_xlsx_bad_row_number(workbook: Callable[..., Path]) -> None:
    path = workbook(
        [
            ["record_id", "event", "occurred_at"],
            ["A", "x", "2026-01-01T00:00Z"],
            [],
            ["A", None, "2026-01-01T00:00Z"],
        ]
    )
    [problem] = rejected(path).problems
    assert (problem.row, problem.column) == (4, "event")


def test_xlsx_header_only_and_empty(workbook: Callable[..., Path]) -> None:
    assert len(read_events(workbook([["record_id", "event", "occurred_at"]])).log) == 0
    [problem] = rejected(workbook([], "empty.xlsx")).problems
    assert problem.message.startswith("the file is empty")


def test_damaged_xlsx(write: Callable[..., Path]) -> None:
    [problem] = rejected(write(b"this is not a zip file", "events.xlsx")).problems
    assert "not a readable Excel workbook" in problem.message


def test_xlsx_without_default_style_reads_without_warning(
    workbook: Callable[..., Path], tmp_path: Path
) -> None:
    # Some tools write no named "Normal" style; openpyxl then warns (an error under
    # pytest's filterwarnings=error) although the cell values are fine.
    source = workbook([["record_id", "event", "occurred_at"], ["A", "x", "2026-01-01T00:00Z"]])
    path = tmp_path / "nostyle.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/styles.xml":
                data = re.sub(rb"<cellStyles.*?</cellStyles>", b"", data)
            zout.writestr(item, data)
    with pytest.warns(UserWarning, match="no default style"):  # the warning is real
        load_workbook(path, read_only=True).close()
    assert rows(read_events(path)) == [EventRow("A", "x", epoch(2026, 1, 1))]


def test_unreadable_csv_is_a_file_problem(write: Callable[..., Path]) -> None:
    huge = "x" * 200_000  # over the csv module's field size limit
    [problem] = rejected(write(HEADER + f"A,x,2026-01-01T00:00Z,,{huge}\n")).problems
    assert problem.row is None
    assert problem.message.startswith("line 2 could not be read as CSV: field larger than")
