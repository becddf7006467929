"""Tests for reading wide CRM exports through mappings (slaapp.importers.wide_export, text_files)."""

from __future__ import annotations

import codecs
import json
import pickle
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from slaapp.engine.errors import Problem
from slaapp.engine.eventlog import EventRow
from slaapp.engine.instants import to_epoch
from slaapp.engine.predicates import Condition
from slaapp.importers.event_file import MAX_PROBLEMS, EventFileError
from slaapp.importers.text_files import decode_text, sniff_delimiter
from slaapp.importers.wide_dates import DateParser, _compile_format
from slaapp.importers.wide_export import (
    FORMAT,
    Mapping,
    MappingError,
    WideResult,
    load_mapping,
    mapping_to_document,
    parse_mapping,
    read_wide,
)

MAPPINGS = Path(__file__).resolve().parents[2] / "resources" / "mappings"
NY = ZoneInfo("America/New_York")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: str = "UTC") -> int:
    """Epoch seconds of a wall time in `tz`."""
    return to_epoch(datetime(year, month, day, hour, minute), ZoneInfo(tz))


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return at(year, month, day, hour, minute, "America/New_York")


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (UTF-8 unless told) or bytes to a file in tmp_path and return its path."""

    def _write(content: str | bytes, name: str = "export.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., Path]:
    """Write rows to the first sheet of an .xlsx workbook and return its path."""

    def _workbook(rows: list[list[object]], name: str = "export.xlsx") -> Path:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append(row)
        book.create_sheet("Other").append(["Record ID", "not", "read"])
        path = tmp_path / name
        book.save(path)
        return path

    return _workbook


def mapping(**fields: Any) -> Mapping:
    """A small mapping: Record ID; Create Date -> mql; Close Date -> won; owner; stage."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "name": "test",
        "id_column": "Record ID",
        "milestones": [
            {"column": "Create Date", "event": "mql"},
            {"column": "Close Date", "event": "won"},
        ],
        "owner_column": "Contact owner",
        "attributes": [{"column": "Lifecycle Stage", "attribute": "stage"}],
        "timezone": "America/New_York",
    }
    doc.update(fields)
    return parse_mapping(doc)


def simple(**fields: Any) -> Mapping:
    """Record ID; Create Date -> mql; nothing else."""
    base = {"milestones": [{"column": "Create Date", "event": "mql"}], "attributes": []}
    return mapping(**{**base, "owner_column": None, **fields})


def rows(result: WideResult) -> list[EventRow]:
    return list(result.log.rows())


def rejected(path: Path, plan: Mapping, **options: Any) -> EventFileError:
    with pytest.raises(EventFileError) as info:
        read_wide(path, plan, **options)
    return info.value


# --- HubSpot and Salesforce exports ------------------------------------------------------


def test_hubspot_contacts_csv_with_bom(write: Callable[..., Path]) -> None:
    header = (
        "Record ID,First Name,Create Date,Became a Marketing Qualified Lead Date,"
        "HubSpot Owner Assigned Date,Date of first engagement,"
        "Became a Sales Qualified Lead Date,Contact owner,Lifecycle Stage,Original Source,"
        "Company size\n"
    )
    path = write(
        codecs.BOM_UTF8
        + (
            header + "101,Ann,2026-03-02 08:00,2026-03-02 09:15,2026-03-02 09:40,2026-03-02 11:05,,"
            "Ben Ortiz,Marketing Qualified Lead,Organic Search,Enterprise\n"
            '102,"Lee, Jr.",2026-03-03 10:00,2026-03-03 10:30,,,,,Lead,Paid Search,\n'
            "103,Kim,2026-03-04 12:00,,,,,Cy,Subscriber,,\n"
        ).encode()
    )
    plan = load_mapping(MAPPINGS / "hubspot-contacts.json")
    result = read_wide(path, plan, tz="America/New_York")
    assert (result.encoding, result.delimiter) == ("utf-8-sig", ",")
    assert (result.rows, result.footer_rows, result.skipped) == (3, 0, ())
    mql = {"stage": "Marketing Qualified Lead", "source": "Organic Search", "tier": "Enterprise"}
    assert rows(result) == [
        EventRow("101", "mql", ny(2026, 3, 2, 9, 15), None, mql),
        EventRow("101", "assigned", ny(2026, 3, 2, 9, 40), "Ben Ortiz"),
        EventRow("101", "first_contact", ny(2026, 3, 2, 11, 5)),
        EventRow(
            "102", "mql", ny(2026, 3, 3, 10, 30), None, {"stage": "Lead", "source": "Paid Search"}
        ),
    ]
    # 103 has no milestone dates: a record with nothing to time yields no events.
    assert result.log.records == ("101", "102")


SALESFORCE_FOOTER = (
    '""\n'
    '""\n'
    '"Grand Totals (3 records)"\n'
    '""\n'
    '""\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Generated By:  Jane Doe  3/9/2026 8:14 AM"\n'
    '"Acme Widgets GmbH"\n'
)


def test_salesforce_report_cp1252_semicolons_footer(write: Callable[..., Path]) -> None:
    text = (
        '"Lead ID";"Lead Owner";"Company / Account";"Created Date";"First Activity Date";'
        '"Converted Date";"Lead Source";"Rating";"Annual Revenue"\n'
        '"00Q5e000001AbcD";"Zoë Müller";"Café Crème; Söhne";"02.03.2026 14:05";"02.03.2026 15:30";'
        '"";"Web";"Hot";"1.234.567,00"\n'
        '"00Q5e000001AbcE";"José Núñez";"Señor €uro";"03.03.2026 09:00";"";"";"Partner";"";""\n'
        '"00Q5e000001AbcF";"Zoë Müller";"Ärger AG";"04.03.2026 16:45";"05.03.2026 08:00";'
        '"06.03.2026";"Web";"Warm";""\n' + SALESFORCE_FOOTER
    )
    path = write(text, encoding="cp1252")
    plan = load_mapping(MAPPINGS / "salesforce-leads.json")
    result = read_wide(path, plan, tz="Europe/Berlin")
    assert (result.encoding, result.delimiter) == ("cp1252", ";")
    assert (result.rows, result.footer_rows, result.skipped) == (3, 9, ())
    berlin = "Europe/Berlin"
    assert rows(result) == [
        EventRow(
            "00Q5e000001AbcD",
            "mql",
            at(2026, 3, 2, 14, 5, berlin),
            "Zoë Müller",
            {"source": "Web", "tier": "Hot"},
        ),
        EventRow("00Q5e000001AbcD", "first_contact", at(2026, 3, 2, 15, 30, berlin)),
        EventRow(
            "00Q5e000001AbcE",
            "mql",
            at(2026, 3, 3, 9, 0, berlin),
            "José Núñez",
            {"source": "Partner"},
        ),
        EventRow(
            "00Q5e000001AbcF",
            "mql",
            at(2026, 3, 4, 16, 45, berlin),
            "Zoë Müller",
            {"source": "Web", "tier": "Warm"},
        ),
        EventRow("00Q5e000001AbcF", "first_contact", at(2026, 3, 5, 8, 0, berlin)),
        EventRow("00Q5e000001AbcF", "sql", at(2026, 3, 6, 0, 0, berlin)),
    ]


def test_footer_with_salesforce_dot_com_line_and_totals_values(write: Callable[..., Path]) -> None:
    path = write(
        "Record ID,Create Date,Amount\n"
        "A,2026-03-02T10:00:00Z,100\n"
        "\n"
        "Grand Totals (1 records),,100\n"
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\n"
        "Salesforce.com - Unlimited Edition\n"
    )
    plan = simple()
    result = read_wide(path, plan)
    assert (result.rows, result.footer_rows, len(result.log)) == (1, 4, 1)


def test_footer_lines_in_the_middle_are_ordinary_rows(write: Callable[..., Path]) -> None:
    path = write(
        "Company,Record ID,Create Date\n"
        "Acme,A,2026-03-02T10:00:00Z\n"
        "\n"
        "Grand Totals (1 records),,\n"
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",,\n'
        "Orphan Org,,\n"
        "Widgets,B,2026-03-03T10:00:00Z\n"
        "\n"
    )
    plan = simple()
    error = rejected(path, plan)
    empty = "empty; every row needs a record id"
    assert error.problems == tuple(Problem(empty, row=n, column="Record ID") for n in (4, 5, 6))
    result = read_wide(path, plan, skip_bad_rows=True)
    assert [row.record_id for row in rows(result)] == ["A", "B"]
    assert (result.rows, result.footer_rows, len(result.skipped)) == (5, 0, 3)


def test_trailing_blank_lines_are_not_a_footer(write: Callable[..., Path]) -> None:
    path = write("Record ID,Create Date\nA,2026-03-02T10:00:00Z\n\n\n")
    plan = simple()
    result = read_wide(path, plan)
    assert (result.rows, result.footer_rows) == (1, 0)


# --- headers -----------------------------------------------------------------------------


def test_header_aliases_and_case_and_space_blind_names(write: Callable[..., Path]) -> None:
    path = write(
        "Lead ID,Owner,CREATED  DATE,ClosedDate,lifecycle stage\n"
        "L1,Ann,2026-03-02T10:00:00Z,2026-03-05T10:00:00Z,Lead\n"
    )
    result = read_wide(path, mapping())
    assert rows(result) == [
        EventRow("L1", "mql", at(2026, 3, 2, 10), "Ann", {"stage": "Lead"}),
        EventRow("L1", "won", at(2026, 3, 5, 10)),
    ]


def test_exact_header_wins_over_alias(write: Callable[..., Path]) -> None:
    path = write(
        "Lead ID,Record ID,Create Date,Created Date\nL1,R1,2026-03-02T10:00:00Z,2026-03-09T10:00:00Z\n"
    )
    plan = simple()
    assert rows(read_wide(path, plan)) == [EventRow("R1", "mql", at(2026, 3, 2, 10))]


def test_ambiguous_alias_is_a_problem(write: Callable[..., Path]) -> None:
    path = write("Lead ID,Contact ID,Create Date\nL1,C1,2026-03-02T10:00:00Z\n")
    plan = simple()
    (problem,) = rejected(path, plan).problems
    assert (problem.row, problem.column) == (None, "Record ID")
    assert (
        "matches several headers: 'Lead ID' (column 1), 'Contact ID' (column 2)" in problem.message
    )


def test_missing_column_lists_headers_and_closest(write: Callable[..., Path]) -> None:
    path = write(
        "Record ID,Create Date,Close Dte,Contact owner,Lifecycle Stage\nA,2026-03-02T10:00:00Z,,,\n"
    )
    (problem,) = rejected(path, mapping()).problems
    assert problem.row is None
    assert problem.column == "Close Date"
    assert problem.message == (
        "no column 'Close Date' (milestone 'won') in the file; the closest header is 'Close Dte'; "
        "the header has: 'Record ID', 'Create Date', 'Close Dte', 'Contact owner', 'Lifecycle Stage'"
    )


def test_every_missing_column_is_listed(write: Callable[..., Path]) -> None:
    path = write("Something,Else\n1,2\n")
    error = rejected(path, mapping())
    assert [p.column for p in error.problems] == [
        "Record ID",
        "Create Date",
        "Close Date",
        "Contact owner",
        "Lifecycle Stage",
    ]
    assert "(the record id)" in error.problems[0].message
    assert "closest" not in error.problems[0].message


def test_optional_columns_may_be_missing(write: Callable[..., Path]) -> None:
    plan = mapping(
        milestones=[
            {"column": "Create Date", "event": "mql"},
            {"column": "Demo Date", "event": "demo_held", "optional": True},
        ],
        attributes=[{"column": "Tier", "attribute": "tier", "optional": True}],
        owner_column=None,
    )
    path = write("Record ID,Create Date\nA,2026-03-02T10:00:00Z\n")
    result = read_wide(path, plan)
    assert rows(result) == [EventRow("A", "mql", at(2026, 3, 2, 10))]
    assert dict(result.log.attributes).keys() == set()


def test_title_rows_before_the_header_are_skipped(write: Callable[..., Path]) -> None:
    path = write(
        "Leads by Source\nAs of 3/9/2026\n\nRecord ID,Create Date\nA,2026-03-02 10:00\nA2,x\n"
    )
    plan = simple()
    (problem,) = rejected(path, plan).problems
    assert (problem.row, problem.column) == (6, "Create Date")


# --- dates and zones ---------------------------------------------------------------------


def test_us_and_dayfirst_dates(write: Callable[..., Path]) -> None:
    path = write(
        "Record ID,Create Date\n"
        "A,03/02/2026\n"
        "B,3/2/2026 2:05 PM\n"
        "C,03/02/2026 14:05\n"
        "D,3/2/2026 12:30:15 AM\n"
        'E,"3/2/2026, 2:05 PM"\n'
        "F,02.03.2026 14:05\n"
        "G,2026-03-02T14:05:00Z\n"
        "H,2026/03/02 14:05\n"
    )
    us = [row.occurred_at for row in rows(read_wide(path, simple(dayfirst=False)))]
    assert us == [
        ny(2026, 3, 2),
        ny(2026, 3, 2, 14, 5),
        ny(2026, 3, 2, 14, 5),
        ny(2026, 3, 2, 0, 30) + 15,
        ny(2026, 3, 2, 14, 5),
        ny(2026, 3, 2, 14, 5),  # dots are always day first
        at(2026, 3, 2, 14, 5),
        ny(2026, 3, 2, 14, 5),
    ]
    eu = [row.occurred_at for row in rows(read_wide(path, simple(dayfirst=True)))]
    assert eu[:5] == [
        ny(2026, 2, 3),
        ny(2026, 2, 3, 14, 5),
        ny(2026, 2, 3, 14, 5),
        ny(2026, 2, 3, 0, 30) + 15,
        ny(2026, 2, 3, 14, 5),
    ]
    assert eu[5:] == us[5:]


def test_impossible_and_ambiguous_dates_explain_themselves(write: Callable[..., Path]) -> None:
    path = write(
        "Record ID,Create Date\nA,13/02/2026\nB,3/2/26\nC,next tuesday\nD,3/2/2026 14:05 PM\n"
    )
    # 13/02/2026 can only be day first, so the column is read day first.
    problems = rejected(path, simple()).problems
    assert [(p.row, p.column) for p in problems] == [(n, "Create Date") for n in (3, 4, 5)]
    assert "two-digit year, which is ambiguous" in problems[0].message
    assert problems[1].message.startswith(
        "'next tuesday' is not a date this program recognises; expected like 2026-03-02 14:05, "
        "02/03/2026 14:05 (day first) or 2026-03-02T14:05:00Z"
    )
    assert "hour 14 with AM/PM" in problems[2].message
    eu = rejected(path, simple(dayfirst=True))
    assert eu.problems[0].row == 3  # 13/02/2026 is fine day first
    # Declared month first, the column contradicts it: one column problem, not row problems.
    (problem,) = rejected(path, simple(dayfirst=False), skip_bad_rows=True).problems
    assert (problem.row, problem.column) == (None, "Create Date")
    assert "'13/02/2026' on row 2" in problem.message
    assert 'set "dayfirst": true in the mapping' in problem.message
    impossible = write("Record ID,Create Date\nA,13/14/2026\nB,01/02/2026\n")
    (problem,) = rejected(impossible, simple(dayfirst=False)).problems
    assert problem.message == (
        "'13/14/2026' is not a valid month/day/year date (month must be in 1..12); "
        'if the dates are day first, set "dayfirst": true in the mapping'
    )


def test_explicit_date_format(write: Callable[..., Path]) -> None:
    path = write("Record ID,Create Date\nA,02-03-2026 14h05\nB,2026-03-02 14:05\n")
    plan = simple(
        date_format="%d-%m-%Y %Hh%M",
    )
    (problem,) = rejected(path, plan).problems
    assert (problem.row, problem.column) == (3, "Create Date")
    assert problem.message == (
        "'2026-03-02 14:05' does not match the mapping's date format '%d-%m-%Y %Hh%M' "
        "(like '02-03-2026 14h05')"
    )
    result = read_wide(path, plan, skip_bad_rows=True)
    assert rows(result) == [EventRow("A", "mql", ny(2026, 3, 2, 14, 5))]


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("%m/%d/%Y %I:%M %p", "3/2/2026 2:05 pm"),
        ("%m/%d/%Y %I:%M %p", "12/31/2026 12:00 AM"),
        ("%m/%d/%Y %I:%M %p", "12/31/2026 12:59 PM"),
        ("%d.%m.%y %H:%M:%S.%f", "02.03.69 23:59:58.5"),
        ("%d.%m.%y", "02.03.68"),
        ("%Y%m%d%H%M", "202603021405"),
        ("%Y-%m-%dT%H:%M:%S%z", "2026-03-02T14:05:00-0330"),
        ("%Y-%m-%d %H:%M %z", "2026-03-02 14:05 Z"),
        ("%d %b %Y", "2 Mar 2026"),  # month names: datetime.strptime itself
        ("%Y-%m-%d  %H:%M", "2026-03-02    14:05"),
    ],
)
def test_compiled_formats_read_like_strptime(fmt: str, text: str) -> None:
    assert _compile_format(fmt)(text) == datetime.strptime(text, fmt)


@pytest.mark.parametrize("text", ["13/02/2026", "2/30/2026", "3/2/2026 24:00", "x"])
def test_compiled_formats_reject_like_strptime(text: str) -> None:
    fmt = "%m/%d/%Y" if ":" not in text else "%m/%d/%Y %H:%M"
    with pytest.raises(ValueError):
        datetime.strptime(text, fmt)
    with pytest.raises(ValueError):
        _compile_format(fmt)(text)


def test_mapping_timezone_and_caller_override(write: Callable[..., Path]) -> None:
    path = write("Record ID,Create Date\nA,2026-03-02 09:00\nB,2026-03-02T09:00:00+01:00\n")
    plan = simple()
    assert [row.occurred_at for row in rows(read_wide(path, plan))] == [
        ny(2026, 3, 2, 9),
        at(2026, 3, 2, 8),
    ]
    override = [row.occurred_at for row in rows(read_wide(path, plan, tz="Asia/Tokyo"))]
    assert override == [at(2026, 3, 2, 9, 0, "Asia/Tokyo"), at(2026, 3, 2, 8)]


def test_naive_times_without_any_zone_reject_the_file(write: Callable[..., Path]) -> None:
    path = write("Record ID,Create Date\nA,2026-03-02T09:00:00Z\nB,03/02/2026 9:00 AM\nC,x\n")
    plan = simple(
        timezone=None,
        dayfirst=False,
    )
    error = rejected(path, plan, skip_bad_rows=True)
    assert error.problems == (
        Problem(
            "'03/02/2026 9:00 AM' has no UTC offset and no time zone was given; set "
            '"timezone" in the mapping (like America/New_York) or pass the zone the export '
            "was written in (--tz)",
            row=3,
            column="Create Date",
        ),
    )


def test_unknown_caller_zone(write: Callable[..., Path]) -> None:
    path = write("Record ID,Create Date\nA,2026-03-02 09:00\n")
    (problem,) = rejected(path, mapping(), tz="Mars/Olympus").problems
    assert "unknown time zone 'Mars/Olympus'" in problem.message


@pytest.mark.parametrize(
    "name", ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"]
)
def test_naive_times_read_like_to_epoch_across_transitions(name: str) -> None:
    tz = ZoneInfo(name)
    dates = DateParser(None, False, tz)
    hours = [datetime(2026, 1, 1) + timedelta(hours=n) for n in range(366 * 24)]
    changes = [
        h
        for h, g in pairwise(hours)
        if h.replace(tzinfo=tz).utcoffset() != g.replace(tzinfo=tz).utcoffset()
    ]
    moments = list(hours)
    for change in changes:  # every 5 minutes on the days around each change
        moments += [change - timedelta(hours=30) + timedelta(minutes=5 * n) for n in range(720)]
    for moment in moments:
        assert dates(moment) == to_epoch(moment, tz), moment
        assert dates(moment.isoformat(sep=" ")) == to_epoch(moment, tz), moment
    assert len(changes) == (0 if name == "Asia/Kolkata" else 2)


# --- rows ----------------------------------------------------------------------------------


def test_bad_rows_reject_the_file_with_every_problem(write: Callable[..., Path]) -> None:
    path = write(
        "Record ID,Create Date,Close Date,Contact owner,Lifecycle Stage\n"
        "A,2026-03-02 09:00,soon,,\n"
        ",2026-03-02 09:00,,,\n"
        "C,2026-02-30 09:00,2026-13-01,,\n"
        "A,2026-03-03 09:00,,,\n"
        "E,2026-03-02 09:00,,,,extra\n"
        "F,2026-03-04 09:00,,Ann,Lead\n"
    )
    error = rejected(path, mapping())
    assert [(p.row, p.column) for p in error.problems] == [
        (2, "Close Date"),
        (3, "Record ID"),
        (4, "Create Date"),
        (4, "Close Date"),
        (5, "Record ID"),
        (6, None),
    ]
    assert "'soon' is not a date" in error.problems[0].message
    assert "expected like 2026-03-02 14:05" in error.problems[0].message
    assert "'2026-02-30 09:00' is not a valid year-month-day date" in error.problems[2].message
    assert error.problems[4].message == (
        "the record 'A' is also on row 2; a wide export has one row per record"
    )
    assert "a value containing ',' must be quoted" in error.problems[5].message
    assert str(error).startswith(f"{path}: 6 problems, nothing was loaded:")

    result = read_wide(path, mapping(), skip_bad_rows=True)
    assert rows(result) == [EventRow("F", "mql", ny(2026, 3, 4, 9), "Ann", {"stage": "Lead"})]
    assert [(p.row, p.column) for p in result.skipped] == [
        (2, "Close Date"),
        (3, "Record ID"),
        (4, None),
        (5, "Record ID"),
        (6, None),
    ]
    assert result.skipped[2].message.startswith("column Create Date: '2026-02-30 09:00'")
    assert result.rows == 6


def test_problems_are_capped(write: Callable[..., Path]) -> None:
    path = write("Record ID,Create Date\n" + "".join(f"R{i},bad\n" for i in range(250)))
    plan = simple()
    error = rejected(path, plan)
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1].message == "... and 50 more problems not listed"
    assert pickle.loads(pickle.dumps(error)).problems == error.problems


def test_owner_goes_to_owner_event_and_attributes_to_earliest(write: Callable[..., Path]) -> None:
    path = write(
        "Record ID,MQL,Assigned,Contact owner,Tier\n"
        "A,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,Ann,SMB\n"
        "B,2026-03-02T10:00:00Z,,Ben,\n"
        "C,2026-03-02T10:00:00Z,2026-03-01T10:00:00Z,Cy,Enterprise\n"
    )
    plan = mapping(
        milestones=[{"column": "MQL", "event": "mql"}, {"column": "Assigned", "event": "assigned"}],
        owner_event="assigned",
        attributes=[{"column": "Tier", "attribute": "tier"}],
    )
    assert rows(read_wide(path, plan)) == [
        EventRow("A", "mql", at(2026, 3, 2, 10), None, {"tier": "SMB"}),
        EventRow("A", "assigned", at(2026, 3, 2, 11), "Ann"),
        EventRow("B", "mql", at(2026, 3, 2, 10), "Ben"),  # no assigned event: the earliest
        EventRow("C", "mql", at(2026, 3, 2, 10)),
        EventRow("C", "assigned", at(2026, 3, 1, 10), "Cy", {"tier": "Enterprise"}),
    ]


def test_conditional_milestone(write: Callable[..., Path]) -> None:
    path = write(
        "Opportunity ID,Created Date,Demo Date,Close Date,Stage,Opportunity Owner\n"
        "O1,3/2/2026,,3/20/2026,Closed Won,Ann\n"
        "O2,3/3/2026,,3/21/2026,Closed Lost,Ben\n"
        "O3,3/4/2026,3/6/2026,4/30/2026,Negotiation/Review,Cy\n"
        "O4,3/5/2026,,,Closed Won,Dee\n"
    )
    plan = load_mapping(MAPPINGS / "salesforce-opportunities.json")
    plan = parse_mapping({**mapping_to_document(plan), "timezone": "UTC"})
    result = read_wide(path, plan)
    stages = [{"stage": s} for s in ("Closed Won", "Closed Lost", "Negotiation/Review")]
    assert rows(result) == [
        EventRow("O1", "sql", at(2026, 3, 2), "Ann", stages[0]),
        EventRow("O1", "closed_won", at(2026, 3, 20)),
        EventRow("O2", "sql", at(2026, 3, 3), "Ben", stages[1]),
        EventRow("O2", "closed_lost", at(2026, 3, 21)),
        EventRow("O3", "sql", at(2026, 3, 4), "Cy", stages[2]),
        EventRow("O3", "demo_held", at(2026, 3, 6)),
        EventRow("O4", "sql", at(2026, 3, 5), "Dee", stages[0]),
    ]


def test_condition_with_a_list_of_values_and_a_flag(write: Callable[..., Path]) -> None:
    path = write(
        "Record ID,Close Date,Stage,Won\n"
        "A,2026-03-02T00:00:00Z,Won - Signed,TRUE\n"
        "B,2026-03-02T00:00:00Z,Closed Won,0\n"
        "C,2026-03-02T00:00:00Z,Lost,1\n"
    )
    plan = mapping(
        milestones=[
            {
                "column": "Close Date",
                "event": "closed_won",
                "when": {"Stage": ["Closed Won", "Won - Signed"], "Won": True},
            }
        ],
        attributes=[],
        owner_column=None,
    )
    assert [row.record_id for row in rows(read_wide(path, plan))] == ["A"]


def test_sep_line_tabs_and_utf16(write: Callable[..., Path]) -> None:
    text = "Record ID\tCreate Date\nA\t2026-03-02 09:00\n"
    plan = simple()
    utf16 = read_wide(write(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "export.txt"), plan)
    assert (utf16.encoding, utf16.delimiter, len(utf16.log)) == ("utf-16", "\t", 1)
    sep = read_wide(write("sep=|\nRecord ID|Create Date\nA|x, y\n"), plan, skip_bad_rows=True)
    assert sep.delimiter == "|"
    assert [(p.row, p.column) for p in sep.skipped] == [(3, "Create Date")]


def test_file_level_problems(write: Callable[..., Path], tmp_path: Path) -> None:
    plan = mapping()
    assert "file not found" in str(rejected(tmp_path / "nope.csv", plan))
    assert "folder" in str(rejected(tmp_path, plan))
    assert "cannot read '.json' files" in str(rejected(write("{}", "x.json"), plan))
    assert "the file is empty" in str(rejected(write("\n \n"), plan))
    assert "NUL byte" in str(rejected(write(b"Record ID,Create Date\n\x00\x01\x02\n"), plan))
    assert "not a readable Excel workbook" in str(rejected(write(b"nonsense", "x.xlsx"), plan))
    header_only = write("Record ID,Create Date,Close Date,Contact owner,Lifecycle Stage\n")
    result = read_wide(header_only, plan)
    assert (len(result.log), result.rows) == (0, 0)


# --- XLSX ----------------------------------------------------------------------------------


def test_xlsx_with_date_cells(workbook: Callable[..., Path]) -> None:
    path = workbook(
        [
            ["Leads report"],
            [],
            ["Record ID", "Create Date", "Close Date", "Contact owner", "Lifecycle Stage"],
            [1001, datetime(2026, 3, 2, 14, 5), date(2026, 3, 9), "Ann", "Lead"],
            [1002.0, "3/3/2026 9:00 AM", None, None, 3],
            [1003, 46083, None, None, None],
            [None, None, None, None, None],
            ["Grand Totals (3 records)"],
            [],
            ["Confidential Information - Do Not Distribute"],
        ]
    )
    error = rejected(path, mapping())
    assert error.problems == (
        Problem(
            "46083 is a number, not a date; format the cell as a date", row=6, column="Create Date"
        ),
    )
    result = read_wide(path, mapping(), skip_bad_rows=True)
    assert (result.encoding, result.delimiter, result.rows, result.footer_rows) == (
        "xlsx",
        None,
        3,
        4,
    )
    assert rows(result) == [
        EventRow("1001", "mql", ny(2026, 3, 2, 14, 5), "Ann", {"stage": "Lead"}),
        EventRow("1001", "won", ny(2026, 3, 9)),
        EventRow("1002", "mql", ny(2026, 3, 3, 9), None, {"stage": "3"}),
    ]


def test_xlsx_missing_column(workbook: Callable[..., Path]) -> None:
    path = workbook([["Record ID", "Created"], ["A", datetime(2026, 3, 2)]])
    problems = rejected(path, mapping()).problems
    assert [p.column for p in problems] == ["Close Date", "Contact owner", "Lifecycle Stage"]


# --- mappings ------------------------------------------------------------------------------


def test_shipped_mappings_load() -> None:
    names = sorted(path.name for path in MAPPINGS.glob("*.json"))
    assert names == [
        "hubspot-contacts.json",
        "salesforce-leads.json",
        "salesforce-opportunities.json",
    ]
    for path in MAPPINGS.glob("*.json"):
        loaded = load_mapping(path)
        assert parse_mapping(mapping_to_document(loaded)) == loaded
        assert loaded.description


def test_mapping_round_trip() -> None:
    original = Mapping(
        name="Opportunities",
        id_column="Opportunity ID",
        milestones=(("Created Date", "sql"), ("Close Date", "closed_won"), ("Demo", "demo_held")),
        owner_column="Opportunity Owner",
        owner_event="sql",
        attributes=(("Amount", "amount"),),
        date_format="%m/%d/%Y",
        dayfirst=True,
        timezone="Europe/Berlin",
        when=(
            (),
            (Condition("Stage", "eq", "Closed Won"), Condition("Type", "in", ("New", "Upsell"))),
            (),
        ),
        optional=frozenset({"Demo", "Amount"}),
        description="test",
    )
    doc = mapping_to_document(original)
    assert parse_mapping(json.loads(json.dumps(doc))) == original
    assert doc["milestones"][1] == {
        "column": "Close Date",
        "event": "closed_won",
        "when": {"Stage": "Closed Won", "Type": ["New", "Upsell"]},
    }
    assert Mapping("m", "Id", (("A", "a"),)).when == ((),)
    with pytest.raises(ValueError, match="one tuple of conditions per milestone"):
        Mapping("m", "Id", (("A", "a"),), when=((), ()))


def test_mapping_validation_lists_every_problem_with_its_path(tmp_path: Path) -> None:
    doc = {
        "format": "slaapp.mapping/2",
        "id_column": "",
        "milestones": [
            {"column": "Create Date", "event": "mql"},
            {"column": "Close Date"},
            {"column": "X", "event": 42, "when": {"Stage": {"ne": "Lost"}}, "extra": 1},
            "Demo Date",
        ],
        "owner_event": "assigned",
        "attributes": [
            {"column": "Tier", "attribute": "tier", "optional": "yes"},
            {"column": "Size", "attribute": "tier"},
            {"column": "Owner", "attribute": "owner"},
        ],
        "date_format": "%H:%M",
        "dayfirst": "no",
        "timezone": "Moon/Base",
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    shown = [str(problem) for problem in info.value.problems]
    assert shown == [
        "$.name: is required",
        '$.format: must be "slaapp.mapping/1" (found "slaapp.mapping/2")',
        '$.id_column: must be a non-empty text (found "")',
        "$.milestones[1].event: is required",
        "$.milestones[2].extra: unknown field (known fields: column, event, when, optional)",
        "$.milestones[2].event: must be a non-empty text (found 42)",
        "$.milestones[2].when.Stage: must be a value or a non-empty list of values "
        '(only equality and lists are supported) (found {"ne": "Lost"})',
        '$.milestones[3]: must be an object like {"column": "Create Date", "event": "mql"} '
        '(found "Demo Date")',
        "$.owner_event: must be one of the milestone events ('mql') (found \"assigned\")",
        "$.owner_event: needs an owner_column",
        '$.attributes[0].optional: must be true or false (found "yes")',
        '$.attributes[1].attribute: repeats attributes[0] (found "tier")',
        "$.attributes[2].attribute: is a reserved name (owner comes from owner_column; "
        'arrival is computed) (found "owner")',
        '$.date_format: must contain the year, month and day (like "%m/%d/%Y %I:%M %p") '
        '(found "%H:%M")',
        '$.dayfirst: must be true or false (found "no")',
        "$.timezone: unknown time zone 'Moon/Base' (use an IANA name like America/New_York)",
    ]
    assert str(info.value).startswith(f"{path}: 16 problem(s):")
    assert pickle.loads(pickle.dumps(info.value)).problems == info.value.problems


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("[1", "$: not valid JSON: Expecting ',' delimiter at line 1, column 3"),
        ([], "$: must be an object (found [])"),
        (
            {"format": FORMAT, "name": "n", "id_column": "Id", "milestones": []},
            "$.milestones: must be a non-empty list of {column, event} (found [])",
        ),
        (
            {
                "format": FORMAT,
                "name": "n",
                "id_column": "Id",
                "milestones": [{"column": "A", "event": "a", "when": []}],
            },
            '$.milestones[0].when: must be an object of column to value, like {"Stage": "Closed Won"} (found [])',
        ),
        (
            {
                "format": FORMAT,
                "name": "n",
                "id_column": "Id",
                "milestones": [{"column": "A", "event": "a"}],
                "date_format": "%Q",
            },
            "$.date_format: is not a strptime format that can read its own dates back",
        ),
        (
            {
                "format": FORMAT,
                "name": "n",
                "id_column": "Id",
                "milestones": [{"column": "Id", "event": "a", "optional": True}],
            },
            '$.id_column: is the record id, so no milestone or attribute using it can be optional (found "Id")',
        ),
    ],
)
def test_mapping_validation_cases(doc: object, expected: str) -> None:
    with pytest.raises(MappingError) as info:
        parse_mapping(doc, "m.json")
    assert str(info.value.problems[0]).startswith(expected)
    assert len(info.value.problems) == 1


def test_load_mapping_file_problems(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"\$: file not found"):
        load_mapping(tmp_path / "none.json")
    path = tmp_path / "bom.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps(mapping_to_document(mapping())).encode())
    assert load_mapping(path) == mapping()


# --- text files ----------------------------------------------------------------------------

SAMPLE = "Record ID,Owner\n1,Zoë Müller – Café\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"), "utf-32"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_text(data: bytes, encoding: str) -> None:
    assert decode_text(data) == (SAMPLE, encoding)


def test_decode_text_latin1_last_resort_and_empty() -> None:
    data = "Record ID\n\u00e9\u0081\n".encode("latin-1")  # 0x81 is undefined in cp1252
    assert decode_text(data) == ("Record ID\n\u00e9\u0081\n", "latin-1")
    assert decode_text(b"") == ("", "utf-8")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Record ID\n1\x00\n", "line 2 contains a NUL byte"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook or another ZIP archive"),
        (bytes(range(1, 32)) * 10, "control characters"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfd", "UTF-8-SIG byte order mark but byte 3"),
    ],
)
def test_decode_text_rejects_binary(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode_text(data)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_sniff_delimiter(delimiter: str) -> None:
    lines = [["Record ID", "Create Date", "Amount"], ["1", "3/2/2026", "1,5"], ["2", "", "2;5"]]
    others = [d for d in (",", ";", "\t", "|") if d != delimiter]
    quoted = '"' + "x".join(others) + " and more" + '"'
    lines.append(["3", quoted, "7"])
    text = "\n".join(delimiter.join(cell for cell in line) for line in lines) + "\n"
    if delimiter in ",;":  # the other of , and ; appears unquoted in the Amount values
        text = text.replace(f"1{delimiter}5", '"1,5"').replace(f"2{delimiter}5", '"2;5"')
    assert sniff_delimiter(text) == delimiter


def test_sniff_delimiter_uses_consistency_not_counts() -> None:
    # Commas outnumber semicolons but only the semicolons split every line alike.
    text = (
        "Lead ID;Company;Revenue\n1;Acme, Inc., Ltd.;1,234,567\n2;Widgets, Co.;2,000\n3;Foo;1,0\n"
    )
    assert sniff_delimiter(text) == ";"
    header_only = "a|b|c\n"
    assert sniff_delimiter(header_only) == "|"
    assert sniff_delimiter("just one column\nvalue\n") == ","
    assert sniff_delimiter("sep=;\na,b\n1,2\n") == ";"
    multiline = 'a,b\n"line one;\nline two; three",2\n"x;y",3\n'
    assert sniff_delimiter(multiline) == ","


def test_owner_and_condition_columns_are_never_optional(write: Callable[..., Path]) -> None:
    plan = mapping(
        milestones=[{"column": "Close Date", "event": "won", "when": {"Stage": "Won"}}],
        attributes=[
            {"column": "Stage", "attribute": "stage", "optional": True},
            {"column": "Contact owner", "attribute": "owner_text", "optional": True},
        ],
    )
    assert plan.optional == {"Stage", "Contact owner"}
    path = write("Record ID,Close Date\nA,2026-03-02T10:00:00Z\n")
    assert [p.column for p in rejected(path, plan).problems] == ["Stage", "Contact owner"]
