"""Issue 15: the stored pipeline judges won-or-lost stops and calendar days as `evaluate` does."""

from __future__ import annotations

from pathlib import Path

from slaapp.engine.clocks import evaluate
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.importers.wide_export import parse_mapping, read_wide
from slaapp.models.evaluation import refresh_clocks, stored_clocks
from slaapp.models.ingest import ingest_log
from slaapp.models.matrices import latest_number, load_version, publish
from tests.unit.test_i15_matrix_clocks import deals_doc, iso

NOW = iso("2026-12-01T00:00Z")
EXPORT = (
    "Opportunity ID,Opportunity Owner,Stage,Amount,Created Date,Close Date\n"
    "006A,Ann,Closed Won,90000,9/15/2026,11/14/2026\n"
    "006B,Bob,Closed Lost,5000,9/15/2026,11/15/2026\n"
    "006C,Ann,Open,7000,9/16/2026,\n"
    "006D,Bob,Closed Lost,150000,10/31/2026,11/1/2026\n"
)
MAPPING = parse_mapping(
    {
        "format": "slaapp.mapping/1",
        "name": "Salesforce opportunities",
        "id_column": "Opportunity ID",
        "milestones": [
            {"column": "Created Date", "event": "engaged"},
            {"column": "Close Date", "event": "closed_won", "when": {"Stage": "Closed Won"}},
            {"column": "Close Date", "event": "closed_lost", "when": {"Stage": "Closed Lost"}},
        ],
        "owner_column": "Opportunity Owner",
        "attributes": [{"column": "Amount", "attribute": "amount"}],
        "dayfirst": False,
        "timezone": "America/New_York",
    }
)


def test_stored_clocks_equal_the_stateless_ones(database, tmp_path: Path) -> None:
    matrix = matrix_from_document(
        deals_doc(business_timezone="America/Chicago", conversion="closed_won")
    )
    path = tmp_path / "opportunities.csv"
    path.write_text(EXPORT, encoding="utf-8")
    log = read_wide(path, MAPPING).log
    with database.session() as session:
        publish(session, matrix, author="ana", now=NOW, base_version=latest_number(session),
                effective_from=0)  # fmt: skip
        ingest_log(session, log, source="salesforce", now=NOW)
        refresh_clocks(session, NOW)
    with database.session() as session:
        stored = stored_clocks(session, NOW)
        again = load_version(session)[1]
    assert again == matrix
    assert again.business_zone == "America/Chicago"
    assert again.handoff("engaged_decision").stops == ("closed_won", "closed_lost")
    expected = list(evaluate(matrix, log, NOW).rows())
    assert list(stored.clocks.rows()) == expected
    by_record = {(c["record_id"], c["handoff"]): c["status"] for c in expected}
    assert by_record == {
        ("006A", "engaged_decision"): "met",
        ("006A", "won_onboarded"): "breached",
        ("006B", "engaged_decision"): "missed",
        ("006C", "engaged_decision"): "breached",
        ("006D", "engaged_decision"): "met",
    }
