"""Issue 18: `slaapp insights --format json` as DESIGN 7b lists it, on a stored demo org."""

from __future__ import annotations

import json

import pytest

from slaapp.cli import main
from slaapp.models.database import Database
from slaapp.services.demo_org import load_demo

FIELDS = {
    "capacity_block": {"team", "weekday", "hours", "weeks", "late", "clocks", "rate",
                       "baseline_rate"},
    "capacity_day": {"team", "day", "late", "clocks", "rate", "baseline_rate"},
    "slow_person": {"person", "email", "team", "handoff", "late", "clocks", "rate",
                    "baseline_rate"},
    "missing_data": {"source", "attribute", "segment", "missing", "records"},
    "speed_matters": {"handoff", "bands"},
    "suggestion": {"handoff", "segment", "action", "change", "effect"},
}  # fmt: skip


@pytest.fixture
def demo_db(database: Database, db_url: str) -> str:
    load_demo(database, days=28)
    return db_url


def test_findings_carry_kind_title_certainty_and_their_fields(capsys, demo_db):
    assert main(["insights", "--db", demo_db, "--format", "json", "--no-suggestions"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "what_if" not in data  # only with --what-if
    assert {"from", "to", "zone"} <= set(data["period"])
    assert data["findings"], "the demo plants causes"
    for finding in data["findings"]:
        kind = finding["kind"]
        assert FIELDS[kind] <= set(finding), kind
        assert finding["certainty"] in ("very likely", "likely", "possible")
        assert finding["title"].endswith(".")
        if kind == "speed_matters":
            assert ("segment" in finding) != ("source" in finding)
            assert [set(b) for b in finding["bands"]] == [
                {"label", "clocks", "converted", "rate"}
            ] * len(finding["bands"])
        if kind == "capacity_block":
            assert finding["weekday"] in ("Monday", "Tuesday", "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday")  # fmt: skip
            assert 0 <= finding["hours"][0] < finding["hours"][1] <= 24
        if kind == "suggestion":
            assert finding["action"] in ("tighten", "loosen", "staff", "coach")
