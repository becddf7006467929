"""Reading an event CSV column by column gives the very log, skipped rows and errors of the row reader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from slaapp.engine.eventlog import EventLog
from slaapp.importers import event_file
from slaapp.importers.event_file import EventFileError, ReadResult, read_events

Outcome = ReadResult | str

VARIED = (
    "record_id,event,occurred_at,owner,tier,notes\n"
    "R-1,mql,2026-03-02T14:00:00Z,,SMB,\n"
    " R-1 ,assigned,2026-03-02T09:20:00-05:00, ana@acme.test ,, first touch \n"
    "R-2,mql,2026-03-02T20:00:00+05:30,,Enterprise,Ünïcødé\n"
    "R-2,assigned,2026-03-02T20:00:00.250-0800,ben,,=cmd\n"
    "R-3,mql,2026-03-02 23:30:00.123456Z,,smb,\n"
    "R-1,first_contact,2026-03-03T01:00Z,,SMB,ok\n"
    "R-3,assigned,2026-03-02T09:15:00 +05:30,ana@acme.test,,\n"
    "R-4,mql,20260302T091500Z,, SMB ,\n"
    "R-4,assigned, 2026-03-02T10:00:00Z ,ben,,\n"
)
NAIVE = (
    "record_id,event,occurred_at,owner\n"
    "R-1,mql,2026-03-08T02:30:00,\n"
    "R-1,assigned,2026-11-01T01:30:00,ana\n"
    "R-2,mql,2026-03-02,\n"
    "R-2,assigned,2026-03-02 09:15,ben\n"
    "R-3,mql,2026-03-02T09:15:00Z,\n"
    "R-3,assigned,2026-03-02T09:15:00.5-03:00,\n"
)
GOOD_FILES = {
    "varied": VARIED,
    "crlf": VARIED.replace("\n", "\r\n"),
    "lone_cr": VARIED.replace("\n", "\r"),
    "semicolons": VARIED.replace(",", ";"),
    "tabs": VARIED.replace(",", "\t"),
    "bom": "\ufeff" + VARIED,
    "quoted": VARIED.replace("R-2,", '"R-2",').replace(" first touch ", '"first, touch\n2"'),
    "blank_lines": VARIED.replace("\nR-3,", "\n\nR-3,") + "\n\n",
    "leading_blank_line": "\n" + VARIED,
    "short_rows": VARIED.replace(",SMB,\n", ",SMB\n"),
    "blank_extra_cells": VARIED.replace(",SMB,\n", ",SMB,, ,\n"),
    "unnamed_empty_column": VARIED.replace("\n", ",\n"),
    "no_owner": "record_id,event,occurred_at\nR-1,mql,2026-03-02T14:00:00Z\nR-2,mql,2026-03-03T00:00Z\n",
    "header_only": "record_id,event,occurred_at,owner\n",
    "naive_with_tz": NAIVE,
}
BAD_FILES = {
    "empty_record": VARIED.replace("R-4,mql", ",mql"),
    "empty_event": VARIED.replace("R-4,mql", "R-4,"),
    "bad_time": VARIED.replace("20260302T091500Z", "yesterday"),
    "naive_time": VARIED.replace("2026-03-02T14:00:00Z", "2026-03-02T14:00:00"),
    "bad_date": VARIED.replace("2026-03-03T01:00Z", "2026-02-30T01:00Z"),
    "long_event": VARIED.replace("first_contact", "x" * 65),
    "long_record": VARIED.replace("R-3,mql", "R" * 256 + ",mql"),
    "long_owner": VARIED.replace("ben,,=cmd", "b" * 256 + ",,=cmd"),
    "extra_cells": VARIED.replace(",SMB,\n", ",SMB,,x\n"),
    "unnamed_column_with_values": VARIED.replace("notes\n", "notes,\n").replace(",ok\n", ",ok,v\n"),
    "blank_record_rows": VARIED + " ,mql,2026-03-02T14:00:00Z,,,\n",
    "old_year": VARIED.replace("2026-03-02T14:00:00Z", "1850-03-02T14:00:00Z"),
    "duplicate_header": VARIED.replace("notes", "Tier"),
}


def read(path: Path, tz: str | None, skip: bool) -> Outcome:
    try:
        return read_events(path, tz=tz, skip_bad_rows=skip)
    except EventFileError as exc:
        return f"{type(exc).__name__}: {exc}"


def row_by_row(monkeypatch: pytest.MonkeyPatch, path: Path, tz: str | None, skip: bool) -> Outcome:
    """The outcome of the row reader alone (the column path switched off)."""
    with monkeypatch.context() as patch:
        patch.setattr(event_file, "plain_table", lambda text, delimiter: None)
        patch.setattr(event_file, "log_from_columns", lambda columns, layout, tz: None)
        return read(path, tz, skip)


def assert_same(a: Outcome, b: Outcome) -> None:
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    assert a.skipped == b.skipped
    assert_same_log(a.log, b.log)


def assert_same_log(a: EventLog, b: EventLog) -> None:
    columns = [("record", a.record, b.record), ("event", a.event, b.event)]
    columns += [("owner", a.owner, b.owner)]
    assert list(a.attributes) == list(b.attributes)
    columns += [(name, a.attributes[name], b.attributes[name]) for name in a.attributes]
    for name, x, y in columns:
        assert x.values == y.values, name
        assert x.codes.dtype == y.codes.dtype == np.int32, name
        assert x.codes.tolist() == y.codes.tolist(), name
    assert a.occurred_at.dtype == b.occurred_at.dtype == np.int64
    assert a.occurred_at.tolist() == b.occurred_at.tolist()
    assert a.raw_time == b.raw_time


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per call of the column path: whether it produced the log."""
    calls: list[bool] = []
    real = event_file.log_from_columns

    def counted(*args: object) -> EventLog | None:
        log = real(*args)  # type: ignore[arg-type]
        calls.append(log is not None)
        return log

    monkeypatch.setattr(event_file, "log_from_columns", counted)
    return calls


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_good_files_give_the_row_readers_log(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spy: list[bool]
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(GOOD_FILES[name], encoding="utf-8", newline="")
    tz = "America/New_York" if name == "naive_with_tz" else None
    fast = read(path, tz, False)
    assert isinstance(fast, ReadResult), fast
    if name != "header_only":
        assert spy and spy[-1], "the column path read the file"
    assert_same(fast, row_by_row(monkeypatch, path, tz, False))


@pytest.mark.parametrize("skip", [False, True])
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_give_the_row_readers_errors_and_skips(
    name: str, skip: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(BAD_FILES[name], encoding="utf-8", newline="")
    fast = read(path, None, skip)
    assert_same(fast, row_by_row(monkeypatch, path, None, skip))
    if not skip:
        assert isinstance(fast, str) and "events.csv" in fast


def test_the_column_path_keeps_per_row_parsing_for_odd_times(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(VARIED, encoding="utf-8")
    log = read_events(path).log
    assert log.raw_time is not None
    assert log.raw_time[6:] == ("2026-03-02T09:15:00 +05:30", "20260302T091500Z",
                                " 2026-03-02T10:00:00Z ")  # fmt: skip
    assert log.occurred_at[6:].tolist() == [1772423100, 1772442900, 1772445600]


def test_many_rows_read_in_bulk(tmp_path: Path, write_many: Callable[[Path, int], str]) -> None:
    path = tmp_path / "events.csv"
    text = write_many(path, 5_000)
    log = read_events(path).log
    assert len(log) == 5_000
    assert log.raw_time == tuple(line.split(",")[2] for line in text.splitlines()[1:])


@pytest.fixture
def write_many() -> Callable[[Path, int], str]:
    def write(path: Path, rows: int) -> str:
        lines = ["record_id,event,occurred_at,owner"]
        for i in range(rows):
            lines.append(f"R{i % 997},e{i % 7},2026-03-{1 + i % 28:02d}T{i % 24:02d}:"
                         f"{i % 60:02d}:{i * 7 % 60:02d}{'Z' if i % 3 else '+02:00'},o{i % 5}")  # fmt: skip
        text = "\n".join(lines) + "\n"
        path.write_text(text, encoding="utf-8")
        return text

    return write
