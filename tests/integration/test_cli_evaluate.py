"""`slaapp evaluate` end to end: files in, JSON/CSV out, exit codes and messages for bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from slaapp.cli import main
from slaapp.reports.clock_output import CLOCK_FIELDS

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "resources" / "matrices" / "revenue-default.json"

EVENTS = """record_id,event,occurred_at,owner,tier,source,discovery_notes
L-1,mql,2026-03-02T14:00:00Z,,SMB,Web,
L-1,assigned,2026-03-02T14:20:00Z,ana@acme.test,,,
L-1,first_contact,2026-03-02T15:10:00Z,,,,Budget approved
L-2,mql,2026-03-02T23:30:00Z,,SMB,Web,
L-2,assigned,2026-03-03T00:10:00Z,ben@acme.test,,,
L-3,mql,2026-03-02T15:00:00-05:00,,Enterprise,Partner,
"""


@pytest.fixture
def files(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    return events


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_output_has_every_field_and_utc_times(capsys, files):
    code, out, err = run(
        capsys,
        "evaluate",
        "--matrix",
        str(MATRIX),
        "--events",
        str(files),
        "--as-of",
        "2026-03-03T16:00:00Z",
        "--format",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["as_of"] == "2026-03-03T16:00:00Z"
    clocks = {(c["record_id"], c["handoff"], c["cycle"]): c for c in doc["clocks"]}
    assert all(tuple(c) == CLOCK_FIELDS for c in doc["clocks"])
    assert set(clocks) == {
        ("L-1", "mql_assigned", 1),
        ("L-1", "first_contact", 1),
        ("L-2", "mql_assigned", 1),
        ("L-2", "first_contact", 1),
        ("L-3", "mql_assigned", 1),
    }
    first = clocks[("L-1", "first_contact", 1)]
    assert first == {
        "record_id": "L-1",
        "handoff": "first_contact",
        "cycle": 1,
        "segment": "default",
        "owner": "ana@acme.test",
        "started_at": "2026-03-02T14:20:00Z",
        "stopped_at": "2026-03-02T15:10:00Z",
        "due_at": "2026-03-02T16:20:00Z",
        "target_seconds": 7200,
        "elapsed_seconds": 3000,
        "remaining_seconds": 4200,
        "pct_elapsed": 3000 / 7200,
        "status": "met",
        "quality_ok": True,
    }
    # L-2 arrived at 18:30 New York time: after hours, 4 h on the 24x7 calendar.
    late = clocks[("L-2", "mql_assigned", 1)]
    assert (late["segment"], late["due_at"], late["status"]) == (
        "after_hours",
        "2026-03-03T03:30:00Z",
        "met",
    )
    # L-3 is an enterprise lead: 15 minutes, never assigned.
    ent = clocks[("L-3", "mql_assigned", 1)]
    assert (ent["segment"], ent["stopped_at"], ent["status"]) == ("enterprise", None, "breached")


def test_csv_output(capsys, files):
    code, out, _ = run(
        capsys,
        "evaluate",
        "--matrix",
        str(MATRIX),
        "--events",
        str(files),
        "--as-of",
        "2026-03-03T16:00:00Z",
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == CLOCK_FIELDS
    met = next(r for r in rows if r["record_id"] == "L-1" and r["handoff"] == "first_contact")
    assert (met["quality_ok"], met["stopped_at"]) == ("true", "2026-03-02T15:10:00Z")
    open_clock = next(r for r in rows if r["record_id"] == "L-3")
    assert (open_clock["stopped_at"], open_clock["quality_ok"]) == ("", "")


def test_table_output_is_readable(capsys, files):
    code, out, _ = run(
        capsys,
        "evaluate",
        "--matrix",
        str(MATRIX),
        "--events",
        str(files),
        "--as-of",
        "2026-03-03T16:00:00Z",
    )
    assert code == 0
    assert out.splitlines()[0].split()[:3] == ["record", "handoff", "#"]
    lines = out.splitlines()
    assert lines[-1] == "5 clocks as of 2026-03-03T16:00:00Z: 2 breached, 3 met"
    assert lines[5].split()[:4] == ["L-3", "mql_assigned", "1", "enterprise"]
    assert lines[5].endswith("breached  late by 5 h 45 min")


def test_as_of_defaults_to_now(capsys, files):
    code, out, _ = run(
        capsys, "evaluate", "--matrix", str(MATRIX), "--events", str(files), "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["as_of"] >= "2026-"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "yesterday"], "--as-of: 'yesterday' is not an ISO 8601 time"),
        (["--as-of", "2026-03-03T16:00:00"], "--as-of: 2026-03-03T16:00:00 has no UTC offset"),
        (["--tz", "Mars/Base"], "unknown time zone 'Mars/Base'"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(capsys, files, args, message):
    code, out, err = run(capsys, "evaluate", "--matrix", str(MATRIX), "--events", str(files), *args)
    assert code == 2
    assert out == ""
    assert message in err


def test_naive_as_of_with_tz(capsys, files):
    code, out, _ = run(
        capsys,
        "evaluate",
        "--matrix",
        str(MATRIX),
        "--events",
        str(files),
        "--as-of",
        "2026-03-03T11:00:00",
        "--tz",
        "America/New_York",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["as_of"] == "2026-03-03T16:00:00Z"


def test_bad_matrix_exit_2_lists_problems(capsys, files, tmp_path):
    bad = tmp_path / "m.json"
    doc = json.loads(MATRIX.read_text())
    doc["handoffs"][0]["rules"]["default"]["target"] = "soon"
    doc["segments"].pop()
    bad.write_text(json.dumps(doc))
    code, out, err = run(capsys, "evaluate", "--matrix", str(bad), "--events", str(files))
    assert code == 2 and out == ""
    assert f"{bad}: 2 problem(s)" in err
    assert "$.handoffs[0].rules.default.target: 'soon' is not a duration" in err


def test_bad_event_file_exit_2_with_row_and_column(capsys, tmp_path):
    events = tmp_path / "e.csv"
    events.write_text(EVENTS + "L-9,mql,03/02/2026 9:00,,,,\n", encoding="utf-8")
    code, out, err = run(
        capsys,
        "evaluate",
        "--matrix",
        str(MATRIX),
        "--events",
        str(events),
        "--as-of",
        "2026-03-03T16:00:00Z",
    )
    assert code == 2 and out == ""
    assert str(events) in err
    assert "row 8" in err and "occurred_at" in err


def test_skip_bad_rows_reports_them_and_evaluates_the_rest(capsys, tmp_path):
    events = tmp_path / "e.csv"
    events.write_text(EVENTS + "L-9,mql,03/02/2026 9:00,,,,\n", encoding="utf-8")
    code, out, err = run(
        capsys,
        "evaluate",
        "--matrix",
        str(MATRIX),
        "--events",
        str(events),
        "--as-of",
        "2026-03-03T16:00:00Z",
        "--skip-bad-rows",
        "--format",
        "json",
    )
    assert code == 0
    assert "skipped row 8" in err
    assert len(json.loads(out)["clocks"]) == 5


def test_missing_files_exit_2(capsys, files, tmp_path):
    code, _, err = run(
        capsys, "evaluate", "--matrix", str(tmp_path / "nope.json"), "--events", str(files)
    )
    assert code == 2 and "file not found" in err
    code, _, err = run(
        capsys, "evaluate", "--matrix", str(MATRIX), "--events", str(tmp_path / "nope.csv")
    )
    assert code == 2 and "nope.csv" in err


def test_installed_console_script_runs(files):
    script = Path(sys.executable).with_name("slaapp")
    result = subprocess.run(
        [
            str(script),
            "evaluate",
            "--matrix",
            str(MATRIX),
            "--events",
            str(files),
            "--as-of",
            "2026-03-03T16:00:00Z",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["clocks"]) == 5


def test_as_of_at_the_epoch_is_taken_literally(capsys, files):
    code, out, _ = run(
        capsys,
        "evaluate",
        "--matrix",
        str(MATRIX),
        "--events",
        str(files),
        "--as-of",
        "1970-01-01T00:00:00Z",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out) == {"as_of": "1970-01-01T00:00:00Z", "clocks": []}
