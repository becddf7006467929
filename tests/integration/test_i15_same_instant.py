"""Issue 15 item 7: two rows of one record with the same event at the same instant stay two."""

from __future__ import annotations

from pathlib import Path

from slaapp.engine.clocks import evaluate
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.importers.event_file import read_events
from slaapp.models.evaluation import refresh_clocks, stored_clocks
from slaapp.models.ingest import ingest_log
from slaapp.models.matrices import latest_number, publish
from tests.unit.test_i15_matrix_clocks import deals_doc, iso

NOW = iso("2026-04-01T00:00Z")
EVENTS = (
    "record_id,event,occurred_at\n"
    "006A,engaged,2026-03-02T12:05:37-05:00\n"
    "006A,closed_lost,2026-03-02T17:05:37Z\n"
    "006A,engaged,2026-03-02T17:05:37Z\n"  # the same instant as row 2, written in UTC
)


def test_same_instant_duplicates_are_kept_and_reimport_is_idempotent(
    database, tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    log = read_events(path).log
    matrix = matrix_from_document(deals_doc())
    expected = list(evaluate(matrix, log, NOW).rows())
    assert [(c["cycle"], c["status"]) for c in expected] == [(1, "met"), (2, "on_track")]
    with database.session() as session:
        publish(session, matrix, author="ana", now=NOW, base_version=latest_number(session),
                effective_from=0)  # fmt: skip
        first = ingest_log(session, log, source="file", now=NOW)
        refresh_clocks(session, NOW)
    with database.session() as session:
        second = ingest_log(session, read_events(path).log, source="file", now=NOW + 60)
        stored = list(stored_clocks(session, NOW).clocks.rows())
    assert first.events_added == 3
    assert (second.events_added, second.events_unchanged) == (0, 3)
    assert stored == expected
