"""`slaapp clocks --as-of` takes a date (or a time without offset) in the business zone."""

from __future__ import annotations

import json
from pathlib import Path

from slaapp.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_a_date_as_of_is_midnight_in_the_business_zone(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'slaapp.db'}"
    sample = ROOT / "resources" / "samples" / "events-sample.csv"
    assert main(["import", str(sample), "--db", url]) == 0
    capsys.readouterr()
    assert main(["clocks", "--as-of", "2026-11-20", "--format", "json", "--db", url]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2026-11-20T05:00:00Z"  # midnight in New York
    assert (
        main(["clocks", "--as-of", "2026-11-20", "--tz", "UTC", "--format", "json", "--db", url])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["as_of"] == "2026-11-20T00:00:00Z"
