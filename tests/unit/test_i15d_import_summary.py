"""The import summary (issue 15 item 5): a pure function of the imported log and the matrix."""

from __future__ import annotations

import json

import numpy as np

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.import_summary import summarize_import
from slaapp.engine.matrix_document import parse_matrix

DAY = 86_400
T0 = 1_700_000_000

MATRIX = parse_matrix(
    json.dumps(
        {
            "format": "slaapp.matrix/1",
            "name": "t",
            "calendars": {"24x7": {"timezone": "UTC", "always": True}},
            "segments": [
                {"key": "big", "name": "Large deals", "when": {"amount": {"gte": 50000}}},
                {"key": "emea", "name": "EMEA", "when": {"region": "EMEA"}},
                {"key": "default", "name": "Everyone else", "when": {}},
            ],
            "handoffs": [
                {
                    "key": "contact", "name": "MQL to contact", "team": "Sales",
                    "start": "mql", "stop": "first_contact", "cancel": ["disqualified"],
                    "calendar": "24x7",
                    "rules": {"emea": {"target": "1d"}, "default": {"target": "2d"}},
                },
                {
                    "key": "close", "name": "Opportunity to decision", "team": "Sales",
                    "start": "opportunity", "stop": ["closed_won", "closed_lost"],
                    "pause": "on_hold", "resume": "off_hold", "calendar": "24x7",
                    "rules": {"big": {"target": "30d"}, "default": {"target": "60d"}},
                },
            ],
        }
    )
)  # fmt: skip


def row(record: str, event: str, day: float, **attributes: str) -> EventRow:
    return EventRow(record, event, T0 + int(day * DAY), attributes=attributes)


def test_a_clean_import_has_nothing_to_report() -> None:
    log = event_log(
        [
            row("L1", "mql", 0, region="EMEA"),
            row("L1", "first_contact", 0.5),
            row("L1", "opportunity", 1, amount="1000"),
            row("L1", "on_hold", 2),
            row("L1", "off_hold", 3),
            row("L1", "closed_lost", 9),
        ]
    )
    summary = summarize_import(log, MATRIX, rows=1)
    assert summary.clean and summary.lines() == []
    assert summary.text() == "Import summary: nothing to report."
    assert summary.to_json() == {
        "rows_without_milestone": 0,
        "unused_events": [],
        "stop_before_start": [],
        "missing_attributes": [],
    }


def test_rows_without_milestone_are_the_kept_rows_that_made_no_record() -> None:
    log = event_log([row("L1", "mql", 0, region="EMEA"), row("L2", "mql", 1, region="US")])
    assert summarize_import(log, MATRIX, rows=5).rows_without_milestone == 3
    assert summarize_import(log, MATRIX).rows_without_milestone is None  # an event log


def test_events_no_handoff_uses_are_named_with_counts_stop_lists_and_pauses_are_used() -> None:
    log = event_log(
        [
            row("L1", "mql", 0, region="EMEA"),
            row("L1", "webinar", 0.1),
            row("L2", "mql", 0, region="EMEA"),
            row("L2", "webinar", 0.2),
            row("L2", "unsubscribed", 0.3),
            row("L2", "disqualified", 1),
            row("L3", "opportunity", 0, amount="10"),
            row("L3", "on_hold", 1),
            row("L3", "off_hold", 2),
            row("L3", "closed_won", 3),
        ]
    )
    summary = summarize_import(log, MATRIX)
    assert [(e.event, e.count) for e in summary.unused_events] == [
        ("webinar", 2),
        ("unsubscribed", 1),
    ]
    assert "events no handoff uses: webinar (2), unsubscribed (1)" in summary.lines()


def test_a_stop_before_the_start_is_a_data_problem_and_the_clock_stays_open() -> None:
    log = event_log(
        [
            # won two days before the opportunity was created, nothing after: a data problem
            row("D1", "closed_won", 0, amount="10"),
            row("D1", "opportunity", 2),
            # a stop before and one after the start: a normal clock
            row("D2", "closed_lost", 0, amount="10"),
            row("D2", "opportunity", 2),
            row("D2", "closed_won", 3),
            # lost before created, on a stop of the stop list
            row("D3", "closed_lost", 5, amount="10"),
            row("D3", "opportunity", 6),
            # a stop without any start: no clock, no finding
            row("D4", "closed_won", 1, amount="10"),
        ]
    )
    summary = summarize_import(log, MATRIX)
    [found] = summary.stop_before_start
    assert (found.handoff, found.records, found.examples) == ("close", 2, ("D1", "D3"))
    assert summary.to_json()["stop_before_start"] == [
        {
            "handoff": "close",
            "handoff_name": "Opportunity to decision",
            "records": 2,
            "examples": ["D1", "D3"],
        }
    ]
    assert any(
        line.startswith("data problem: 2 records of 'Opportunity to decision' stop before")
        for line in summary.lines()
    )
    # The clocks are judged as DESIGN section 4 says: the summary changes nothing.
    clocks = evaluate(MATRIX, log, T0 + 100 * DAY)
    statuses = {
        clocks.records[int(clocks.record[i])]: clocks.row(i)["status"] for i in range(len(clocks))
    }
    assert statuses == {"D1": "breached", "D2": "met", "D3": "breached"}


def test_examples_are_capped() -> None:
    rows = []
    for i in range(10):
        rows += [row(f"D{i}", "closed_won", 0), row(f"D{i}", "opportunity", 1)]
    [found] = summarize_import(event_log(rows), MATRIX, examples=3).stop_before_start
    assert found.records == 10 and found.examples == ("D0", "D1", "D2")


def test_segment_attributes_that_never_arrive_count_the_clocks_that_fell_through() -> None:
    log = event_log(
        [
            # amount never arrives: the 'big' segment of 'close' is skipped for D1 and D2
            row("D1", "opportunity", 0),
            row("D1", "closed_won", 1),
            row("D1", "opportunity", 2),
            row("D2", "opportunity", 0, region="EMEA"),
            # amount arrived (too small): it fell through on its value, not for lack of it
            row("D3", "opportunity", 0, amount="100"),
            # region never arrives for L1: its 'contact' clock falls to default
            row("L1", "mql", 0),
            # an 'EMEA' lead: matched, nothing to report; 'amount' is not a segment of 'contact'
            row("L2", "mql", 0, region="EMEA"),
        ]
    )
    summary = summarize_import(log, MATRIX)
    found = {(m.attribute, m.segment): (m.clocks, m.records) for m in summary.missing_attributes}
    assert found == {("amount", "big"): (3, 2), ("region", "emea"): (1, 1)}
    assert (
        "attribute 'amount' of segment 'Large deals' never arrived: 3 clocks (2 records) "
        "fell through to a later segment"
    ) in summary.lines()


def test_an_empty_log() -> None:
    log = event_log([])
    assert summarize_import(log, MATRIX, rows=4).lines() == [
        "4 rows without any milestone (no date in any mapped milestone column): not imported"
    ]


def test_a_large_log_is_summarised_quickly() -> None:
    import time

    n = 100_000
    rng = np.random.default_rng(1)
    rows = []
    for i in range(n // 10):
        start = int(rng.integers(0, 100))
        rows.append(row(f"D{i}", "opportunity", start))
        rows.append(row(f"D{i}", "closed_won", start + int(rng.integers(-3, 30))))
    log = event_log(rows)
    began = time.perf_counter()
    summary = summarize_import(log, MATRIX)
    assert time.perf_counter() - began < 2.0
    assert summary.stop_before_start and summary.missing_attributes
