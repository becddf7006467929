"""Database-backed commands end to end: matrix publish/export/history/rollback, import, clocks."""

from __future__ import annotations

import email
import email.policy
import json
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from slaapp.cli import main
from slaapp.engine.clocks import BREACHED, MET, MISSED, evaluate
from slaapp.engine.instants import parse_instant
from slaapp.importers.event_file import read_events
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import open_database
from slaapp.models.tables import Event, Record
from slaapp.reports.build import build_scorecard

from .smtp_server import PASSWORD, USER, smtp_server

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "resources" / "matrices" / "revenue-default.json"
SAMPLE = ROOT / "resources" / "samples" / "events-sample.csv"
AS_OF = "2026-11-27T14:00:00Z"


@pytest.fixture
def run(capsys, db_url):
    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--db", db_url])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_stored_clocks_agree_with_stateless_evaluate_record_for_record(run):
    assert (
        run(
            "matrix",
            "publish",
            str(MATRIX),
            "--note",
            "first",
            "--effective-from",
            "2020-01-01T00:00:00Z",
        )[0]
        == 0
    )
    code, out, err = run("import", str(SAMPLE), "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["events_added"], summary["records_added"]) == (223, 60)
    stored = json.loads(run("clocks", "--as-of", AS_OF, "--format", "json")[1])
    stateless = json.loads(
        run(
            "evaluate",
            "--matrix",
            str(MATRIX),
            "--events",
            str(SAMPLE),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        )[1]
    )
    assert stored == stateless
    again = json.loads(run("import", str(SAMPLE), "--format", "json")[1])
    assert (again["events_added"], again["events_unchanged"]) == (0, 223)


def test_clocks_filter_by_status(run):
    run("import", str(SAMPLE))
    code, out, _ = run(
        "clocks", "--as-of", AS_OF, "--status", "breached", "at_risk", "--format", "csv"
    )
    assert code == 0
    statuses = {line.split(",")[12] for line in out.splitlines()[1:]}
    assert statuses == {"breached"} or statuses <= {"breached", "at_risk"}
    assert len(out.splitlines()) > 1
    code, _, err = run("clocks", "--status", "late")
    assert code == 2 and "unknown status late" in err


def test_import_without_a_matrix_publishes_the_default_first(run):
    code, _, err = run("import", str(SAMPLE))
    assert code == 0, err
    code, out, _ = run("matrix", "history", "--format", "json")
    versions = json.loads(out)["versions"]
    assert [(v["version"], v["note"]) for v in versions] == [(1, "Default revenue matrix")]


def test_history_shows_readable_changes_and_rollback(run, tmp_path):
    run("matrix", "publish", str(MATRIX), "--author", "ana")
    doc = json.loads(MATRIX.read_text())
    doc["handoffs"][1]["rules"]["default"]["target"] = "90m"
    changed = tmp_path / "m2.json"
    changed.write_text(json.dumps(doc))
    assert run("matrix", "publish", str(changed), "--author", "ben", "--note", "tighter")[0] == 0
    code, out, _ = run("matrix", "history")
    assert code == 0
    assert "version 2" in out and "by ben" in out and "— tighter" in out
    assert "Assigned to first contact, Everyone else: 2 h → 1 h 30 min" in out
    assert "First version: covers all history" in out
    assert run("matrix", "rollback", "1", "--author", "cat")[0] == 0
    code, out, _ = run("matrix", "export")
    assert json.loads(out)["handoffs"][1]["rules"]["default"]["target"] == "2h"
    code, out, _ = run("matrix", "export", "--version", "2")
    assert json.loads(out)["handoffs"][1]["rules"]["default"]["target"] == "90m"
    code, _, err = run("matrix", "export", "--version", "9")
    assert code == 2 and "there is no matrix version 9" in err


def test_publish_on_a_stale_base_version_exits_2_and_explains(run):
    run("matrix", "publish", str(MATRIX), "--author", "ana")
    run("matrix", "publish", str(MATRIX), "--author", "ben")
    code, out, err = run("matrix", "publish", str(MATRIX), "--base-version", "1")
    assert code == 2 and out == ""
    assert "not published: version 2 was published by ben" in err
    code, out, _ = run("matrix", "history", "--format", "json")
    assert len(json.loads(out)["versions"]) == 2


def test_bad_import_stores_nothing_and_names_row_and_column(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(SAMPLE.read_text() + "L-9,mql,not a time,,,,,\n")
    code, out, err = run("import", str(bad))
    assert code == 2 and out == ""
    assert "row 225" in err and "occurred_at" in err
    code, out, err = run("clocks", "--as-of", AS_OF, "--format", "json")
    assert code == 2 and "no matrix has been published yet" in err
    code, out, err = run("import", str(bad), "--skip-bad-rows", "--format", "json")
    assert code == 0 and json.loads(out)["skipped_rows"] == 1 and "skipped row 225" in err


def test_bad_database_url_is_a_clear_error(capsys):
    assert main(["clocks", "--db", "nonsense://x"]) == 2
    assert "slaapp: nonsense://x uses an unsupported database" in capsys.readouterr().err
    assert main(["clocks", "--db", "not a url"]) == 2
    assert "'not a url' is not a database URL" in capsys.readouterr().err


def test_demo_fills_the_database_and_a_second_run_replaces_it(run):
    code, out, err = run("demo", "--days", "10", "--seed", "5", "--format", "json")
    assert code == 0, err
    first = json.loads(out)
    assert first["people"] == first["people_added"] >= 25
    assert first["records"] > 1000 and first["clocks"] > first["records"]
    open_now = json.loads(
        run("clocks", "--status", "on_track", "at_risk", "breached", "--format", "json")[1]
    )["clocks"]
    assert {c["status"] for c in open_now} >= {"on_track", "breached"}
    code, out, _ = run("demo", "--days", "5", "--seed", "5", "--format", "json")
    second = json.loads(out)
    assert second["people_added"] == 0
    assert second["records"] < first["records"]
    stored = json.loads(run("clocks", "--format", "json")[1])["clocks"]
    assert len({c["record_id"] for c in stored}) <= second["records"]
    assert run("demo", "--days", "0")[0] == 2


HUBSPOT_EXPORT = (
    "\ufeffRecord ID,First Name,Contact owner,Became a Marketing Qualified Lead Date,HubSpot Owner Assigned Date,"
    "Date of first engagement,Became a Sales Qualified Lead Date,Lifecycle Stage,Original Source,Company size\n"
    "101,Ada,ana@acme.test,2026-03-02 09:00,2026-03-02 09:20,2026-03-02 10:30,,Lead,Organic Search,SMB\n"
    "102,Bo,ben@acme.test,03/02/2026 6:15 PM,03/02/2026 6:40 PM,,,MQL,Partner,Enterprise\n"
)


def test_wide_crm_export_imports_through_a_mapping(run, tmp_path):
    export = tmp_path / "hubspot.csv"
    export.write_text(HUBSPOT_EXPORT, encoding="utf-8")
    mapping = ROOT / "resources" / "mappings" / "hubspot-contacts.json"
    code, out, err = run(
        "import",
        str(export),
        "--mapping",
        str(mapping),
        "--tz",
        "America/New_York",
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)["events_added"] == 5
    clocks = json.loads(run("clocks", "--as-of", "2026-03-03T15:00:00Z", "--format", "json")[1])[
        "clocks"
    ]
    found = {(c["record_id"], c["handoff"]): c for c in clocks}
    assert found[("101", "mql_assigned")]["status"] == "met"
    assert found[("101", "first_contact")]["elapsed_seconds"] == 70 * 60
    assert found[("101", "first_contact")]["owner"] == "ana@acme.test"
    assert found[("102", "mql_assigned")]["segment"] == "enterprise"
    assert found[("102", "first_contact")]["status"] == "breached"
    code, _, err = run("import", str(export), "--mapping", str(mapping))
    assert code == 2 and "offset" in err.lower()


def test_bad_mapping_file_exits_2_with_its_problems(run, tmp_path):
    bad = tmp_path / "map.json"
    bad.write_text(
        json.dumps(
            {
                "format": "slaapp.mapping/1",
                "name": "x",
                "id_column": "Id",
                "milestones": [{"column": "C"}],
            }
        )
    )
    export = tmp_path / "e.csv"
    export.write_text("Id,C\n1,2026-01-01T00:00:00Z\n")
    code, out, err = run("import", str(export), "--mapping", str(bad))
    assert code == 2 and out == ""
    assert "$.milestones[0].event" in err


def test_export_writes_the_scorecard_of_a_period(run, tmp_path):
    run("import", str(SAMPLE))
    out = tmp_path / "week.xlsx"
    code, stdout, err = run(
        "export",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--out",
        str(out),
        "--format",
        "json",
    )
    assert code == 0, err
    result = json.loads(stdout)
    assert result["out"] == str(out) and out.exists() and result["clocks"] > 0
    code, _, err = run(
        "export", "--from", "2026-11-16", "--to", "2026-11-22", "--out", str(tmp_path / "week.pdf")
    )
    assert code == 2 and "should end in .xlsx" in err
    code, _, err = run(
        "export",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--out",
        str(tmp_path / "no" / "x.xlsx"),
    )
    assert code == 2 and "does not exist" in err
    code, _, err = run("export", "--from", "2026-11-22", "--to", "2026-11-16", "--out", str(out))
    assert code == 2 and "must end after it starts" in err
    code, _, err = run(
        "export",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--out",
        str(out),
        "--team",
        "Nobody",
    )
    assert code == 2 and "no team 'Nobody'" in err


def test_export_mails_the_workbook_over_starttls_with_login(run, tmp_path, monkeypatch):
    run("import", str(SAMPLE))
    with smtp_server(tmp_path) as (mailbox, port, ca_file):
        code, _, err = run(
            "settings", "smtp", "--host", "127.0.0.1", "--port", str(port), "--user", USER,
            "--sender", "RevOps <reports@acme.test>", "--ca-file", str(ca_file),
        )  # fmt: skip
        assert code == 0, err
        monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", PASSWORD)
        out = tmp_path / "week.xlsx"
        args = ("export", "--from", "2026-11-16", "--to", "2026-11-22", "--out", str(out))
        code, stdout, err = run(*args, "--mail", "vp@acme.test, cro@acme.test", "--format", "json")
        assert code == 0, err
        assert json.loads(stdout)["mailed"] == ["vp@acme.test", "cro@acme.test"]
        [(sender, recipients, raw)] = mailbox.received
        assert sender == "reports@acme.test"
        assert recipients == ["vp@acme.test", "cro@acme.test"]
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        assert mail["Subject"] == "SLA scorecard: All teams"
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_filename() == "week.xlsx"
        assert attachment.get_content() == out.read_bytes()
        monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", "wrong")
        code, _, err = run(*args, "--mail", "vp@acme.test")
        assert code == 1 and "written to" in err and "refused the login" in err
        assert len(mailbox.received) == 1
    code, _, err = run(*args, "--mail", "not-an-address")
    assert code == 2 and "not an email address: not-an-address" in err


def test_export_last_week_into_a_folder_for_schedulers(run, tmp_path):
    run("import", str(SAMPLE))
    code, stdout, err = run("export", "--last-week", "--out", str(tmp_path), "--format", "json")
    assert code == 0, err
    written = Path(json.loads(stdout)["out"])
    assert (
        written.parent == tmp_path
        and written.name.startswith("slaapp-scorecard-")
        and written.exists()
    )
    code, _, err = run("export", "--last-week", "--from", "2026-11-16", "--out", str(tmp_path))
    assert code == 2 and "either --last-week or --from and --to" in err
    code, _, err = run("export", "--out", str(tmp_path))
    assert code == 2 and "give the period" in err


def test_breach_links_follow_the_record_url_setting(run, db_url):
    run("import", str(SAMPLE))
    code, _, err = run("settings", "record-url", "import", "https://crm.example/{external_id}")
    assert code == 0, err
    assert run("settings", "record-url", "import", "crm.example/x")[0] == 2
    with open_database(db_url) as database, database.session() as session:
        data = build_scorecard(session, start=0, end=2_000_000_000, now=1_795_000_000)
    assert data.breaches and all(
        b.url == f"https://crm.example/{b.record_id}" for b in data.breaches
    )


def test_exported_workbook_shows_the_engines_figures(run, tmp_path):
    run("import", str(SAMPLE))
    matrix, log = load_matrix(MATRIX), read_events(SAMPLE).log
    start, end = (
        parse_instant("2026-11-16T00:00:00-05:00"),
        parse_instant("2026-11-23T00:00:00-05:00"),
    )

    def engine_figures() -> tuple[int, float, int]:
        """Clocks, adherence and breaches of the week by the engine, judged at the week's end
        or now, whichever is earlier; adherence = met / (met + missed + open breached) (7a)."""
        table = evaluate(matrix, log, min(end, int(time.time())))
        status = table.status[(table.started_at >= start) & (table.started_at < end)]
        met, missed, breached = (int((status == s).sum()) for s in (MET, MISSED, BREACHED))
        return status.size, met / (met + missed + breached), missed + breached

    before = engine_figures()
    out = tmp_path / "week.xlsx"
    assert run("export", "--from", "2026-11-16", "--to", "2026-11-22", "--out", str(out))[0] == 0
    after = engine_figures()  # a clock may breach between the two instants: either is right
    book = load_workbook(out, read_only=True)
    summary = {
        row[1]: row[2] for row in book["Summary"].iter_rows(values_only=True) if len(row) > 2
    }
    shown = (summary["Handoffs clocked"], summary["Adherence"], summary["Breaches"])
    breach_rows = [r for r in book["Breaches"].iter_rows(min_row=4, values_only=True) if r[0]]
    book.close()
    assert any(
        shown[0] == f[0] and shown[1] == pytest.approx(f[1], rel=1e-12) and shown[2] == f[2]
        for f in (before, after)
    ), (shown, before, after)
    assert len(breach_rows) == shown[2]


def test_events_keep_the_time_as_the_source_wrote_it(run, db_url, tmp_path):
    run("import", str(SAMPLE))
    export = tmp_path / "hubspot.csv"
    export.write_text(HUBSPOT_EXPORT, encoding="utf-8")
    mapping = ROOT / "resources" / "mappings" / "hubspot-contacts.json"
    assert run("import", str(export), "--mapping", str(mapping), "--tz", "America/New_York")[0] == 0
    with open_database(db_url) as database, database.session() as session:
        rows = dict(
            session.execute(
                select(Record.external_id + ":" + Event.name, Event.raw).join(
                    Record, Record.id == Event.record_id
                )
            ).all()
        )
    first = next(r for r in read_events(SAMPLE).log.rows())
    written = SAMPLE.read_text().splitlines()[1].split(",")[2]
    assert rows[f"{first.record_id}:{first.event}"] == written
    assert rows["102:mql"] == "03/02/2026 6:15 PM"
    assert rows["101:first_contact"] == "2026-03-02 10:30"
