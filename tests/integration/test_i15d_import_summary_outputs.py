"""The import summary wherever an import result is shown: `slaapp import` (text and JSON),
the store service's result and the export-folder source's run report and history."""

from __future__ import annotations

import json

import pytest

from slaapp.cli import main
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.service import sync_history, sync_source

NOW = 1_764_500_000

MATRIX = {
    "format": "slaapp.matrix/1",
    "name": "Deals",
    "calendars": {"24x7": {"timezone": "America/New_York", "always": True}},
    "segments": [
        {"key": "big", "name": "Large deals", "when": {"amount": {"gte": 50000}}},
        {"key": "default", "name": "Everyone else", "when": {}},
    ],
    "handoffs": [
        {
            "key": "decision", "name": "Opportunity to decision", "team": "Sales",
            "start": "opportunity", "stop": ["closed_won", "closed_lost"], "calendar": "24x7",
            "rules": {"big": {"target": "30d"}, "default": {"target": "60d"}},
        }
    ],
}  # fmt: skip

MAPPING = {
    "format": "slaapp.mapping/1",
    "name": "Deals",
    "id_column": "Opportunity ID",
    "milestones": [
        {"column": "Created Date", "event": "opportunity"},
        {"column": "Demo Date", "event": "demo_held"},
        {"column": "Close Date", "event": "closed_won", "when": {"Stage": "Won"}},
        {"column": "Close Date", "event": "closed_lost", "when": {"Stage": "Lost"}},
    ],
    "owner_column": "Owner",
    "attributes": [{"column": "Amount", "attribute": "amount"}],
    "dayfirst": False,
    "timezone": "America/New_York",
}

DEALS = (
    "Opportunity ID,Owner,Created Date,Demo Date,Close Date,Stage,Amount\n"
    "O-1,ana@example.com,2026-03-02,2026-03-04,2026-03-20,Won,60000\n"
    "O-2,ana@example.com,2026-03-05,,2026-03-01,Won,1000\n"  # won before it was created
    "O-3,ben@example.com,2026-03-06,,,Open,\n"  # amount never arrives
    "O-4,ben@example.com,,,,Open,5000\n"  # no milestone at all
    "O-5,ben@example.com,,,,Open,\n"  # no milestone at all
)


SUMMARY_JSON = {
    "rows_without_milestone": 2,
    "unused_events": [{"event": "demo_held", "count": 1}],
    "stop_before_start": [
        {
            "handoff": "decision",
            "handoff_name": "Opportunity to decision",
            "records": 1,
            "examples": ["O-2"],
        }
    ],
    "missing_attributes": [
        {
            "attribute": "amount",
            "segment": "big",
            "segment_name": "Large deals",
            "clocks": 1,
            "records": 1,
        }
    ],
}


@pytest.fixture
def files(tmp_path):
    matrix = tmp_path / "matrix.json"
    matrix.write_text(json.dumps(MATRIX))
    mapping = tmp_path / "deals.mapping.json"
    mapping.write_text(json.dumps(MAPPING))
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS)
    return matrix, mapping, deals


def test_the_cli_prints_the_summary_in_text_and_json(capsys, db_url, files) -> None:
    matrix, mapping, deals = files
    assert main(["matrix", "publish", str(matrix), "--db", db_url]) == 0
    capsys.readouterr()
    assert main(["import", str(deals), "--mapping", str(mapping), "--db", db_url]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("deals.csv: 6 events added")
    assert lines[1:] == [
        "Import summary:",
        "  - 2 rows without any milestone (no date in any mapped milestone column): not imported",
        "  - events no handoff uses: demo_held (1)",
        "  - data problem: 1 record of 'Opportunity to decision' stop before they start "
        "(e.g. O-2); their clocks stay open from the start",
        "  - attribute 'amount' of segment 'Large deals' never arrived: 1 clock (1 record) "
        "fell through to a later segment",
    ]
    # the data problem stays judged as section 4 says: an open clock from the start
    assert main(["clocks", "--as-of", "2026-06-01T00:00:00Z", "--format", "json",
                 "--db", db_url]) == 0  # fmt: skip
    clocks = {c["record_id"]: c["status"] for c in json.loads(capsys.readouterr().out)["clocks"]}
    assert clocks == {"O-1": "met", "O-2": "breached", "O-3": "breached"}

    code = main(["import", str(deals), "--mapping", str(mapping), "--format", "json",
                 "--db", db_url])  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["events_unchanged"] == 6
    assert data["summary"] == SUMMARY_JSON


def test_an_event_log_import_says_when_there_is_nothing_to_report(capsys, db_url, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "record_id,event,occurred_at,amount\n"
        "O-1,opportunity,2026-03-02T10:00:00Z,100\n"
        "O-1,closed_lost,2026-03-03T10:00:00Z,\n"
    )
    matrix = tmp_path / "matrix.json"
    matrix.write_text(json.dumps(MATRIX))
    assert main(["matrix", "publish", str(matrix), "--db", db_url]) == 0
    capsys.readouterr()
    assert main(["import", str(events), "--db", db_url]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "Import summary: nothing to report."
    assert main(["import", str(events), "--db", db_url, "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["rows_without_milestone"] is None and summary["unused_events"] == []


def test_the_folder_source_reports_each_files_summary_in_its_run_and_history(
    capsys, db_url, database, files
) -> None:
    matrix, _, deals = files
    assert main(["matrix", "publish", str(matrix), "--db", db_url]) == 0
    folder = deals.parent / "exports"
    folder.mkdir()
    (folder / "deals.csv").write_text(DEALS)
    (folder / "clean.csv").write_text(
        "Opportunity ID,Owner,Created Date,Demo Date,Close Date,Stage,Amount\n"
        "O-9,ana@example.com,2026-03-02,,2026-03-20,Won,60000\n"
    )
    connection = Connection("exports", "folder", folder=str(folder), mapping=MAPPING)
    save_connection(database, connection, NOW)
    report = sync_source(database, "exports", None, lambda: NOW)
    assert report.ok, report.message
    assert sorted(name for name, _ in report.summaries) == ["clean.csv", "deals.csv"]
    assert "clean.csv" not in report.message.split("Synced:")[1]
    assert "Import summary of deals.csv: 2 rows without any milestone" in report.message
    assert "data problem: 1 record of 'Opportunity to decision'" in report.message
    [run] = sync_history(database, "exports")
    assert run.state == "ok"
    assert run.error is not None and run.error.startswith("Import summary of deals.csv: ")
    # nothing new: the next run reads no file and has nothing to report
    again = sync_source(database, "exports", None, lambda: NOW + 60)
    assert again.ok and again.summaries == () and "Import summary" not in again.message
    assert sync_history(database, "exports")[0].error is None
    # `slaapp sync --format json` gives each file's summary as the import gives it
    (folder / "more.csv").write_text(DEALS.replace("O-", "N-"))
    capsys.readouterr()
    assert main(["sync", "--source", "exports", "--format", "json", "--db", db_url]) == 0
    [data] = json.loads(capsys.readouterr().out)
    [(name, summary)] = data["summaries"]
    assert name == "more.csv"
    assert summary == json.loads(json.dumps(SUMMARY_JSON).replace("O-2", "N-2"))
