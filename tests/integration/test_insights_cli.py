"""`slaapp insights` on a stored demo org, SQLite and PostgreSQL: JSON, what-if, prompt, errors."""

from __future__ import annotations

import json
import re

import pytest

from slaapp.cli import main
from slaapp.demo.org import SLOW_REPS
from slaapp.models.database import Database
from slaapp.services.demo_org import load_demo
from slaapp.services.insights import load_insight_data
from slaapp.services.store import now


@pytest.fixture
def demo_db(database: Database, db_url: str) -> str:
    load_demo(database, days=21)
    return db_url


def run(capsys, url: str, *args: str) -> tuple[int, str, str]:
    code = main(["insights", *args, "--db", url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_report_with_a_what_if(capsys, demo_db):
    code, out, err = run(
        capsys, demo_db, "--format", "json", "--what-if", "demo_proposal:default=5bd",
        "--no-suggestions",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"as_of", "period", "findings", "what_if"}
    assert set(data["period"]) >= {"from", "to", "zone"}
    kinds = {f["kind"] for f in data["findings"]}
    assert kinds <= {"capacity_block", "capacity_day", "slow_person", "missing_data",
                     "speed_matters", "suggestion"}  # fmt: skip
    assert all(f["certainty"] in ("very likely", "likely", "possible") for f in data["findings"])
    slow_people = [f for f in data["findings"] if f["kind"] == "slow_person"]
    slow = {f["email"].split("@")[0] for f in slow_people}
    assert set(SLOW_REPS) <= slow  # the demo's planted slow reps
    assert all(f["rate"] > f["baseline_rate"] for f in slow_people)
    replay = data["what_if"]
    assert replay["changes"] == [
        {"handoff": "demo_proposal", "segment": "default", "target_seconds": 180000,
         "calendar": None}
    ]  # fmt: skip
    assert replay["after"]["violations"] <= replay["before"]["violations"]
    assert "to 5 business days" in replay["sentence"]


BAD_INPUT = [
    (("--what-if", "nope=5bd"), "no handoff 'nope'"),
    (("--what-if", "demo_proposal=soon"), "is not a duration"),
    (("--what-if", "demo_proposal"), "use HANDOFF[:SEGMENT]=TARGET"),
    (("--what-if", "demo_proposal:vip=2bd"), "no segment 'vip'"),
    (("--from", "2026-13-01"), "--from: '2026-13-01' is not a date"),
    (("--from", "2026-11-20", "--to", "2026-11-01"), "--to must not be before --from"),
    (("--threshold", "1.5"), "--threshold must be between 0 and 1"),
    (("--format", "csv"), "not csv"),
]


def test_table_prompt_and_bad_input(capsys, demo_db):
    code, out, _ = run(capsys, demo_db, "--no-suggestions", "--threshold", "0.5")
    assert code == 0
    assert out.startswith("SLA insights for clocks started from ")
    assert "Causes of late clocks" in out and "Quarterly review" in out
    # nothing behind a finding is not listed: no "About 0 ... more", no q of exactly 0
    assert "About 0 " not in out and not re.search(r"q = 0(?![.\d])", out)
    code, out, _ = run(capsys, demo_db, "--prompt", "--no-suggestions")
    assert code == 0
    assert out.startswith("You are a revenue operations analyst.")
    assert "## Causes of late clocks, ranked by the late clocks they explain" in out
    for args, message in BAD_INPUT:
        code, _, err = run(capsys, demo_db, "--no-suggestions", *args)
        assert (code, message in err) == (2, True), (args, err)


def test_an_empty_database_says_what_to_do(capsys, database, db_url):
    code, _, err = run(capsys, db_url)
    assert code == 2
    assert "slaapp demo" in err


def test_insight_data_carries_people_and_record_ids(demo_db, database):
    data = load_insight_data(database, now())
    assert data is not None
    inputs = data.inputs
    assert len(inputs.record_ids) == len(inputs.log.record.values)
    assert {p.team for p in inputs.people} >= {"SDR", "Account Executives"}
    assert data.names["first_contact"] == "Assigned to first contact"
