"""Issue 15: revenue insights count the matrix's conversion events, not only closed_won."""

from __future__ import annotations

from datetime import datetime

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.insights.frame import build_frame, outcome_times
from slaapp.engine.insights.inputs import InsightInputs
from slaapp.engine.matrix_document import matrix_from_document


def iso(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def doc(**extra: object) -> dict:
    return {
        "format": "slaapp.matrix/1",
        "name": "Funnel",
        "calendars": {"24x7": {"timezone": "UTC", "always": True}},
        "segments": [{"key": "default", "name": "Everyone", "when": {}}],
        "handoffs": [
            {
                "key": "mql_sql",
                "name": "MQL to SQL",
                "team": "Sales",
                "start": "mql",
                "stop": "sql",
                "calendar": "24x7",
                "rules": {"default": {"target": "2d"}},
            }
        ],
        **extra,
    }


ROWS = [
    EventRow("L1", "mql", iso("2026-03-02T10:00Z"), None, {"amount": "1000"}),
    EventRow("L1", "sql", iso("2026-03-03T10:00Z")),
    EventRow("L1", "signed", iso("2026-04-03T10:00Z")),
    EventRow("L2", "mql", iso("2026-03-02T10:00Z"), None, {"amount": "500"}),
    EventRow("L2", "sql", iso("2026-03-05T10:00Z")),
    EventRow("L2", "closed_won", iso("2026-04-10T10:00Z")),
    EventRow("L3", "mql", iso("2026-03-02T10:00Z")),
    EventRow("L3", "sql", iso("2026-03-03T10:00Z")),
]
AS_OF = iso("2026-05-01T00:00Z")


def converted(matrix_doc: dict) -> dict[str, bool]:
    matrix = matrix_from_document(matrix_doc)
    log = event_log(ROWS)
    inputs = InsightInputs(log, evaluate(matrix, log, AS_OF), matrix, (), AS_OF)
    frame = build_frame(inputs)
    records = inputs.clocks.records
    return {
        records[int(r)]: bool(c) for r, c in zip(inputs.clocks.record, frame.converted, strict=True)
    }


def test_default_conversion_is_closed_won() -> None:
    assert converted(doc()) == {"L1": False, "L2": True, "L3": False}


def test_matrix_conversion_events_count_as_converted() -> None:
    assert converted(doc(conversion=["closed_won", "signed"])) == {
        "L1": True,
        "L2": True,
        "L3": False,
    }
    assert converted(doc(conversion="signed")) == {"L1": True, "L2": False, "L3": False}


def test_outcome_label_names_every_conversion_event() -> None:
    matrix = matrix_from_document(doc(conversion=["closed_won", "signed"]))
    log = event_log(ROWS)
    inputs = InsightInputs(log, evaluate(matrix, log, AS_OF), matrix, (), AS_OF)
    assert inputs.outcome_events == ("closed_won", "signed")
    assert inputs.outcome_event == "closed_won or signed"


def test_outcome_times_takes_the_first_of_any_event() -> None:
    log = event_log(ROWS)
    times = dict(zip(log.record.values, outcome_times(log, ("signed", "closed_won")).tolist()))
    assert times["L1"] == iso("2026-04-03T10:00Z")
    assert times["L2"] == iso("2026-04-10T10:00Z")
