"""Issue 15: stop lists, calendar days on 24x7 calendars, business zone and conversion events."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaapp.engine.calendar_days import shift_days
from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.matrix_document import (
    MatrixError,
    dump_matrix,
    matrix_from_document,
    matrix_to_document,
    parse_matrix,
)

from .reference_clocks import reference_clocks

NY = "America/New_York"
DAY = 86400


def iso(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def deals_doc(**extra: object) -> dict:
    """A deals matrix: engaged to decision (won or lost) on a 24x7 calendar in New York."""
    return {
        "format": "slaapp.matrix/1",
        "name": "Deals",
        "calendars": {
            "24x7": {"timezone": NY, "always": True},
            "ny": {"timezone": NY, "hours": {"mon": ["09:00-17:00"], "tue": ["09:00-17:00"]}},
        },
        "segments": [
            {"key": "big", "name": "Big", "when": {"amount": {"gte": 100000}}},
            {"key": "default", "name": "Everyone else", "when": {}},
        ],
        "handoffs": [
            {
                "key": "engaged_decision",
                "name": "Engaged to decision (won or lost)",
                "team": "Sales",
                "start": "engaged",
                "stop": ["closed_won", "closed_lost"],
                "cancel": ["disqualified"],
                "calendar": "24x7",
                "rules": {"big": {"target": "1d2h"}, "default": {"target": "60d"}},
            },
            {
                "key": "won_onboarded",
                "name": "Won to onboarded",
                "team": "CS",
                "start": "closed_won",
                "stop": "onboarded",
                "calendar": "24x7",
                "rules": {"default": {"target": "14d"}},
            },
        ],
        **extra,
    }


def clocks(doc: dict, rows: list[EventRow], as_of: int) -> list[dict]:
    matrix = matrix_from_document(copy.deepcopy(doc))
    return list(evaluate(matrix, event_log(rows), as_of).rows())


# ----- A: stop may be a list -------------------------------------------------------------


def test_won_or_lost_both_close_the_cycle() -> None:
    rows = [
        EventRow("D1", "engaged", iso("2026-03-02T10:00-05:00")),
        EventRow("D1", "closed_lost", iso("2026-03-20T10:00-04:00")),
        EventRow("D2", "engaged", iso("2026-03-02T10:00-05:00")),
        EventRow("D2", "closed_won", iso("2026-06-01T10:00-04:00")),
        EventRow("D3", "engaged", iso("2026-03-02T10:00-05:00")),
    ]
    found = {
        (c["record_id"], c["handoff"]): c
        for c in clocks(deals_doc(), rows, iso("2026-04-01T00:00Z"))
    }
    assert found["D1", "engaged_decision"]["status"] == "met"
    assert found["D1", "engaged_decision"]["stopped_at"] == iso("2026-03-20T10:00-04:00")
    # as_of is before D2's win: open, 30 days in of 60.
    assert found["D2", "engaged_decision"]["status"] == "on_track"
    assert found["D3", "engaged_decision"]["status"] == "on_track"
    later = {
        (c["record_id"], c["handoff"]): c
        for c in clocks(deals_doc(), rows, iso("2026-07-01T00:00Z"))
    }
    assert later["D2", "engaged_decision"]["status"] == "missed"
    assert later["D2", "won_onboarded"]["status"] == "breached"  # the win also starts a clock
    assert later["D3", "engaged_decision"]["status"] == "breached"
    assert ("D1", "won_onboarded") not in later


def test_a_second_stop_event_after_the_close_is_ignored() -> None:
    rows = [
        EventRow("D1", "engaged", iso("2026-03-02T10:00Z")),
        EventRow("D1", "closed_lost", iso("2026-03-03T10:00Z")),
        EventRow("D1", "closed_won", iso("2026-03-04T10:00Z")),
    ]
    found = [c for c in clocks(deals_doc(), rows, iso("2026-04-01T00:00Z"))]
    decision = [c for c in found if c["handoff"] == "engaged_decision"]
    assert [(c["cycle"], c["status"], c["stopped_at"]) for c in decision] == [
        (1, "met", iso("2026-03-03T10:00Z"))
    ]


def test_stop_list_round_trips_and_a_single_stop_stays_a_text() -> None:
    matrix = matrix_from_document(deals_doc())
    assert matrix.handoff("engaged_decision").stops == ("closed_won", "closed_lost")
    assert matrix.handoff("engaged_decision").stop == "closed_won"
    assert matrix.handoff("won_onboarded").stops == ("onboarded",)
    doc = matrix_to_document(matrix)
    assert doc["handoffs"][0]["stop"] == ["closed_won", "closed_lost"]
    assert doc["handoffs"][1]["stop"] == "onboarded"
    assert "business_timezone" not in doc and "conversion" not in doc
    assert parse_matrix(dump_matrix(matrix)) == matrix


@pytest.mark.parametrize(
    ("stop", "reason"),
    [
        ([], "non-empty list"),
        (["closed_won", 7], "non-empty text"),
        (["closed_won", "closed_won"], "more than once"),
        (["closed_won", "engaged"], "more than one role"),
        (["closed_lost", "disqualified"], "more than one role"),
        (12, "non-empty list"),
    ],
)
def test_bad_stop_lists_are_problems_with_path_and_value(stop: object, reason: str) -> None:
    doc = deals_doc()
    doc["handoffs"][0]["stop"] = stop
    with pytest.raises(MatrixError) as caught:
        matrix_from_document(doc)
    [problem] = [p for p in caught.value.problems if reason in p.message]
    assert problem.path is not None and problem.path.startswith("$.handoffs[0]")
    assert problem.found


def test_missing_stop_is_required() -> None:
    doc = deals_doc()
    del doc["handoffs"][1]["stop"]
    with pytest.raises(MatrixError) as caught:
        matrix_from_document(doc)
    assert [p.path for p in caught.value.problems] == ["$.handoffs[1].stop"]


# ----- B: `d` on an always-open calendar counts calendar days ----------------------------


def test_sixty_days_across_the_november_change_is_met_exactly() -> None:
    start, stop = iso("2026-09-15T10:00-04:00"), iso("2026-11-14T10:00-05:00")
    rows = [EventRow("D1", "engaged", start), EventRow("D1", "closed_won", stop)]
    [clock] = [
        c for c in clocks(deals_doc(), rows, stop + DAY) if c["handoff"] == "engaged_decision"
    ]
    assert clock["status"] == "met"
    assert clock["elapsed_seconds"] == clock["target_seconds"] == 60 * DAY + 3600
    assert clock["due_at"] == stop
    assert clock["remaining_seconds"] == 0


def test_a_second_late_is_missed_and_spring_days_are_shorter() -> None:
    start = iso("2026-02-20T10:00-05:00")
    stop = iso("2026-04-21T10:00:01-04:00")  # 60 local days and one second later
    rows = [EventRow("D1", "engaged", start), EventRow("D1", "closed_won", stop)]
    [clock] = [
        c for c in clocks(deals_doc(), rows, stop + DAY) if c["handoff"] == "engaged_decision"
    ]
    assert clock["target_seconds"] == 60 * DAY - 3600
    assert clock["status"] == "missed"
    assert clock["elapsed_seconds"] - clock["target_seconds"] == 1


def test_days_and_hours_add_the_hours_as_real_seconds() -> None:
    start = iso("2026-10-31T12:00-04:00")  # the day before the change
    rows = [EventRow("D1", "engaged", start, None, {"amount": "250000"})]
    [clock] = [
        c for c in clocks(deals_doc(), rows, start + 3600) if c["handoff"] == "engaged_decision"
    ]
    # 1d moves to 2026-11-01 12:00 EST (25 h later), then 2 h of real time.
    assert clock["segment"] == "big"
    assert clock["target_seconds"] == 27 * 3600
    assert clock["due_at"] == iso("2026-11-01T14:00-05:00")


def test_days_on_a_calendar_with_opening_hours_stay_business_time() -> None:
    doc = deals_doc()
    doc["handoffs"][1]["calendar"] = "ny"
    doc["handoffs"][1]["rules"]["default"]["target"] = "2d"
    start = iso("2026-10-26T09:00-04:00")  # Monday
    rows = [EventRow("D1", "closed_won", start)]
    [clock] = [c for c in clocks(doc, rows, start) if c["handoff"] == "won_onboarded"]
    assert clock["target_seconds"] == 2 * DAY


def test_shift_days_in_folds_and_gaps_matches_zoneinfo() -> None:
    zone = ZoneInfo(NY)
    starts = np.array(
        [
            iso("2026-11-01T01:30-04:00"),  # first 01:30 of the fall-back night
            iso("2026-11-01T01:30-05:00"),  # second 01:30
            iso("2026-03-07T02:30-05:00"),  # the next day's 02:30 does not exist
            iso("2026-10-31T01:30-04:00"),  # the next day's 01:30 occurs twice
            iso("2026-06-01T00:00Z"),
        ],
        dtype=np.int64,
    )
    got = shift_days(zone, starts, np.array([1, 1, 1, 1, 400], dtype=np.int64))
    assert got.tolist() == [
        iso("2026-11-02T01:30-05:00"),
        iso("2026-11-02T01:30-05:00"),
        iso("2026-03-08T03:30-04:00"),  # fold=0: 02:30 read with the offset before the gap
        iso("2026-11-01T01:30-04:00"),  # fold=0: the first 01:30
        iso("2027-07-05T20:00-04:00"),
    ]


PROPERTY_DOC = deals_doc()
PROPERTY_DOC["calendars"]["24x7"]["timezone"] = "Europe/Berlin"
PROPERTY_DOC["handoffs"][0]["rules"]["big"]["target"] = "2d12h"
PROPERTY_DOC["handoffs"][1]["rules"]["default"]["target"] = "1.5d"
PROPERTY_MATRIX = matrix_from_document(PROPERTY_DOC)
BEFORE_CHANGE = iso("2026-10-20T00:00Z")
EVENTS = ["engaged", "closed_won", "closed_lost", "disqualified", "onboarded"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.builds(
            EventRow,
            record_id=st.sampled_from(["d1", "d2", "d3"]),
            event=st.sampled_from(EVENTS),
            occurred_at=st.integers(BEFORE_CHANGE, BEFORE_CHANGE + 20 * DAY).map(
                lambda t: t - t % 900
            ),
            owner=st.none(),
            attributes=st.fixed_dictionaries(
                {}, optional={"amount": st.sampled_from(["150000", "10"])}
            ),
        ),
        max_size=30,
    ),
    st.integers(BEFORE_CHANGE, BEFORE_CHANGE + 25 * DAY),
)
def test_engine_equals_the_literal_reference(rows: list[EventRow], as_of: int) -> None:
    got = list(evaluate(PROPERTY_MATRIX, event_log(rows), as_of).rows())
    assert got == reference_clocks(PROPERTY_MATRIX, rows, as_of)


# ----- C: business_timezone and conversion -----------------------------------------------


def test_business_zone_defaults_to_the_first_calendar_with_opening_hours() -> None:
    assert matrix_from_document(deals_doc()).business_zone == NY
    doc = deals_doc()
    doc["calendars"]["ny"]["timezone"] = "America/Chicago"
    assert matrix_from_document(doc).business_zone == "America/Chicago"


def test_business_zone_of_an_always_open_only_matrix_is_its_first_calendar() -> None:
    doc = deals_doc()
    del doc["calendars"]["ny"]
    assert matrix_from_document(doc).business_zone == NY


def test_business_timezone_and_conversion_are_parsed_and_round_trip() -> None:
    doc = deals_doc(business_timezone="Europe/Berlin", conversion=["closed_won", "renewed"])
    matrix = matrix_from_document(doc)
    assert matrix.business_zone == "Europe/Berlin"
    assert matrix.conversion_events == ("closed_won", "renewed")
    written = json.loads(dump_matrix(matrix))
    assert written["business_timezone"] == "Europe/Berlin"
    assert written["conversion"] == ["closed_won", "renewed"]
    assert matrix_from_document(written) == matrix
    single = matrix_from_document(deals_doc(conversion="signed"))
    assert single.conversion_events == ("signed",)
    assert matrix_to_document(single)["conversion"] == "signed"


def test_conversion_defaults_to_closed_won() -> None:
    assert matrix_from_document(deals_doc()).conversion_events == ("closed_won",)


def test_bad_business_timezone_and_conversion_are_listed_together() -> None:
    with pytest.raises(MatrixError) as caught:
        matrix_from_document(deals_doc(business_timezone="Mars/Olympus", conversion=[]))
    paths = {p.path: p for p in caught.value.problems}
    assert set(paths) == {"$.business_timezone", "$.conversion"}
    assert paths["$.business_timezone"].found == '"Mars/Olympus"'


def test_editor_helpers_turn_stop_lists_into_text_and_back() -> None:
    from slaapp.engine.matrix_draft import events_text, events_value

    assert events_text(["closed_won", "closed_lost"]) == "closed_won, closed_lost"
    assert events_text("first_contact") == "first_contact"
    assert events_value(" closed_won, closed_lost ,closed_won") == ["closed_won", "closed_lost"]
    assert events_value("first_contact") == "first_contact"
    assert events_value(" , ") is None


def test_changes_name_stop_lists_business_zone_and_conversion() -> None:
    from slaapp.engine.matrix_changes import describe_changes

    after = deals_doc(business_timezone="Europe/Berlin", conversion=["closed_won", "renewed"])
    after["handoffs"][1]["stop"] = ["onboarded", "churned"]
    lines = describe_changes(matrix_from_document(deals_doc()), matrix_from_document(after))
    assert "Won to onboarded: stops at onboarded → onboarded, churned" in lines
    assert "Business time zone: America/New_York → Europe/Berlin" in lines
    assert "Conversion events: closed_won → closed_won, renewed" in lines
