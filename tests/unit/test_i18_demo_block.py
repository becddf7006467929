"""Issue 18: the demo org's planted causes as insights find them (engine only, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from slaapp.demo.org import SLOW_REPS, generate_demo
from slaapp.engine.clocks import evaluate
from slaapp.engine.insights import InsightInputs, Period, analyze
from slaapp.engine.insights.export import report_json
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix

NOW = 1_795_000_000  # 2026-11-18


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    org = generate_demo(seed=7, days=90, now=NOW)
    matrix = load_matrix(DEFAULT_MATRIX)
    inputs = InsightInputs(org.log, evaluate(matrix, org.log, org.now), matrix, org.people, NOW)
    report = analyze(inputs, Period(NOW - 90 * 86400, NOW), with_suggestions=False)
    found: list[dict] = report_json(report)["findings"]
    return found


def test_the_demo_thursday_afternoon_block_is_found(findings):
    blocks = [f for f in findings if f["kind"] == "capacity_block"]
    assert [(b["team"], b["weekday"], b["hours"]) for b in blocks] == [
        ("SDR", "Thursday", [13, 17])
    ]
    assert blocks[0]["weeks"] >= blocks[0]["weeks_seen"] - 1
    assert blocks[0]["rate"] > 2 * blocks[0]["baseline_rate"]


def test_no_weekend_capacity_and_the_slow_sdrs(findings):
    days = [f for f in findings if f["kind"] == "capacity_day"]
    assert not any(d["day"] and _weekday(d["day"]) >= 5 for d in days)
    slow = {f["email"].split("@")[0] for f in findings if f["kind"] == "slow_person"}
    assert slow == set(SLOW_REPS)
    staff = [f for f in findings if f["kind"] == "suggestion" and f["action"] == "staff"]
    assert len(staff) == 1 and "Thursdays 13:00-17:00" in staff[0]["change"]


def _weekday(day: str) -> int:
    return date.fromisoformat(day).weekday()
