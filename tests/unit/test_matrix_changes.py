"""Matrix differences in plain words: names, not paths; durations in each rule's own terms."""

from __future__ import annotations

import copy
import json

from slaapp.engine.matrix_changes import describe_changes
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.importers.bundled import DEFAULT_MATRIX

DOC = json.loads(DEFAULT_MATRIX.read_text())


def _changes(edit) -> list[str]:
    doc = copy.deepcopy(DOC)
    edit(doc)
    return describe_changes(matrix_from_document(DOC), matrix_from_document(doc))


def test_rule_targets_read_as_durations_of_their_calendar() -> None:
    def edit(doc):
        doc["handoffs"][1]["rules"]["default"]["target"] = "90m"
        doc["handoffs"][3]["rules"]["default"]["target"] = "4bd"

    assert _changes(edit) == [
        "Assigned to first contact, Everyone else: 2 h → 1 h 30 min",
        "Demo to proposal sent, Everyone else: 3 business days → 4 business days",
    ]


def test_fallbacks_calendars_segments_and_fields_in_words() -> None:
    def edit(doc):
        del doc["handoffs"][2]["rules"]["enterprise"]
        doc["segments"][2]["name"] = "After-hours inbound"
        doc["calendars"]["us_business"]["hours"]["thu"] = ["08:00-17:00"]
        doc["handoffs"][0]["at_risk"] = 0.8

    lines = _changes(edit)
    assert "Segment “Inbound after hours” renamed “After-hours inbound”" in lines
    assert any(line.startswith("Calendar “US business”: Thursday hours ") for line in lines)
    assert "MQL to owner assigned: at risk from 75% → 80%" in lines
    assert (
        "SQL to demo held, Enterprise: now follows the default rule (was 7 business days)" in lines
    )
    assert not any("[" in line or "$." in line for line in lines)


def test_no_change_no_lines() -> None:
    assert _changes(lambda doc: None) == []


def test_problems_name_the_calendar_day_and_say_what_to_write() -> None:
    from slaapp.engine.matrix_changes import count_document_changes
    from slaapp.engine.matrix_draft import check
    from slaapp.engine.matrix_problems import problem_in_words

    doc = copy.deepcopy(DOC)
    doc["calendars"]["us_business"]["hours"]["thu"] = ["8-5pm"]
    doc["handoffs"][1]["rules"]["default"]["target"] = "2x"
    words = [problem_in_words(p, doc) for p in check(doc)[1]]
    assert "Calendar “US business”: Thursday's hours “8-5pm”: write them like 09:00-17:00" in words
    assert any(w.startswith("Assigned to first contact: Everyone else, target: ") for w in words)
    assert not any("$." in w for w in words)
    assert count_document_changes(DOC, doc) == 2
