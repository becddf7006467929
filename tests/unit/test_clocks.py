"""Clocks: every rule of DESIGN.md section 4 on small hand-checked logs."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.matrix_document import matrix_from_document

NY = "America/New_York"
H = 3600
WEEK = ["mon", "tue", "wed", "thu", "fri"]


def at(text: str) -> int:
    """Local New York wall time to epoch seconds."""
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(NY)).timestamp())


DOC = {
    "format": "slaapp.matrix/1",
    "name": "Test",
    "calendars": {
        "ny": {
            "timezone": NY,
            "hours": {d: ["09:00-17:00"] for d in WEEK},
            "holidays": ["2026-12-24"],
        },
        "24x7": {"timezone": "UTC", "always": True},
    },
    "segments": [
        {"key": "enterprise", "name": "Enterprise", "when": {"tier": "Enterprise"}},
        {"key": "after_hours", "name": "After hours", "when": {"arrival": "after_hours"}},
        {"key": "big", "name": "Big", "when": {"amount": {"gte": 100000}}},
        {"key": "default", "name": "Everyone else", "when": {}},
    ],
    "handoffs": [
        {
            "key": "mql_contact",
            "name": "MQL to first contact",
            "team": "Sales",
            "start": "mql",
            "stop": "first_contact",
            "cancel": ["disqualified"],
            "pause": "hold",
            "resume": "unhold",
            "calendar": "ny",
            "quality": {"required": ["discovery_notes"]},
            "warn_at": [0.5, 0.75],
            "at_risk": 0.75,
            "rules": {
                "enterprise": {"target": "1h", "calendar": "24x7"},
                "after_hours": {"target": "4h", "calendar": "24x7"},
                "default": {"target": "2h"},
            },
        }
    ],
}


def run(rows, as_of, doc=DOC):
    matrix = matrix_from_document(copy.deepcopy(doc))
    table = evaluate(matrix, event_log(rows), as_of)
    return list(table.rows())


def ev(record, event, when, owner=None, **attrs):
    return EventRow(record, event, at(when), owner, attrs)


def test_met_clock_in_business_hours():
    [clock] = run(
        [ev("L1", "mql", "2026-03-02T10:00", "ann"), ev("L1", "first_contact", "2026-03-02T11:30")],
        at("2026-03-03T00:00"),
    )
    assert clock == {
        "record_id": "L1",
        "handoff": "mql_contact",
        "cycle": 1,
        "segment": "default",
        "owner": "ann",
        "started_at": at("2026-03-02T10:00"),
        "stopped_at": at("2026-03-02T11:30"),
        "due_at": at("2026-03-02T12:00"),
        "target_seconds": 2 * H,
        "elapsed_seconds": 90 * 60,
        "remaining_seconds": 30 * 60,
        "pct_elapsed": 0.75,
        "status": "met",
        "quality_ok": False,
    }


def test_stop_exactly_at_target_is_met_and_open_exactly_at_target_is_not_breached():
    rows = [ev("A", "mql", "2026-03-02T10:00"), ev("A", "first_contact", "2026-03-02T12:00")]
    assert run(rows, at("2026-03-03T00:00"))[0]["status"] == "met"
    [open_clock] = run(rows[:1], at("2026-03-02T12:00"))
    assert open_clock["status"] == "at_risk"
    assert open_clock["remaining_seconds"] == 0
    [late] = run(rows[:1], at("2026-03-02T12:00:01"))
    assert late["status"] == "breached"
    [missed] = run(
        [rows[0], ev("A", "first_contact", "2026-03-02T12:00:01")], at("2026-03-03T00:00")
    )
    assert missed["status"] == "missed"


def test_due_at_closing_time_when_target_used_up_exactly_then():
    [clock] = run([ev("A", "mql", "2026-03-02T15:00")], at("2026-03-02T15:30"))
    assert clock["due_at"] == at("2026-03-02T17:00")
    assert clock["status"] == "on_track"


def test_open_statuses_follow_pct_elapsed():
    start = ev("A", "mql", "2026-03-02T09:00")
    assert run([start], at("2026-03-02T10:29"))[0]["status"] == "on_track"
    assert run([start], at("2026-03-02T10:30"))[0]["status"] == "at_risk"
    assert run([start], at("2026-03-02T11:00"))[0]["pct_elapsed"] == 1.0


def test_events_after_as_of_are_ignored():
    rows = [ev("A", "mql", "2026-03-02T09:00"), ev("A", "first_contact", "2026-03-02T10:00")]
    [clock] = run(rows, at("2026-03-02T09:30"))
    assert clock["stopped_at"] is None and clock["elapsed_seconds"] == 1800
    assert run(rows, at("2026-03-02T08:00")) == []


def test_start_while_open_is_ignored_and_cycles_are_numbered():
    rows = [
        ev("A", "mql", "2026-03-02T09:00"),
        ev("A", "mql", "2026-03-02T09:30"),
        ev("A", "first_contact", "2026-03-02T10:00"),
        ev("A", "first_contact", "2026-03-02T10:10"),
        ev("A", "mql", "2026-03-03T09:00"),
        ev("A", "disqualified", "2026-03-03T09:20"),
        ev("A", "mql", "2026-03-04T09:00"),
    ]
    clocks = run(rows, at("2026-03-04T09:45"))
    assert [(c["cycle"], c["status"], c["started_at"], c["stopped_at"]) for c in clocks] == [
        (1, "met", at("2026-03-02T09:00"), at("2026-03-02T10:00")),
        (2, "cancelled", at("2026-03-03T09:00"), at("2026-03-03T09:20")),
        (3, "on_track", at("2026-03-04T09:00"), None),
    ]
    assert clocks[1]["quality_ok"] is None


def test_identical_timestamps_follow_input_order():
    same = "2026-03-02T09:00"
    stop_first = run([ev("A", "first_contact", same), ev("A", "mql", same)], at("2026-03-02T09:30"))
    assert [c["status"] for c in stop_first] == ["on_track"]
    start_first = run(
        [ev("A", "mql", same), ev("A", "first_contact", same)], at("2026-03-02T09:30")
    )
    assert [(c["status"], c["elapsed_seconds"]) for c in start_first] == [("met", 0)]


def test_events_are_processed_in_time_order_not_file_order():
    rows = [ev("A", "first_contact", "2026-03-02T10:00"), ev("A", "mql", "2026-03-02T09:00")]
    [clock] = run(rows, at("2026-03-03T00:00"))
    assert clock["status"] == "met" and clock["elapsed_seconds"] == H


def test_pause_across_a_weekend_and_resume():
    rows = [
        ev("A", "mql", "2026-03-06T16:00"),  # Friday
        ev("A", "hold", "2026-03-06T16:30"),
        ev("A", "unhold", "2026-03-09T10:00"),  # Monday, after the DST change
        ev("A", "first_contact", "2026-03-09T11:00"),
    ]
    [clock] = run(rows, at("2026-03-10T00:00"))
    # Running: Fri 16:00-16:30 and Mon 10:00-11:00; paused Fri 16:30-17:00 and Mon 09:00-10:00.
    assert clock["elapsed_seconds"] == 90 * 60
    assert clock["due_at"] == at("2026-03-09T11:30")
    assert clock["status"] == "met"


def test_paused_clock_has_no_due_and_status_paused():
    rows = [ev("A", "mql", "2026-03-02T09:00"), ev("A", "hold", "2026-03-02T09:30")]
    [clock] = run(rows, at("2026-03-02T16:00"))
    assert clock["status"] == "paused"
    assert clock["due_at"] is None
    assert clock["elapsed_seconds"] == 1800


def test_stop_while_paused_closes_with_elapsed_until_the_pause():
    rows = [
        ev("A", "mql", "2026-03-02T09:00"),
        ev("A", "hold", "2026-03-02T10:00"),
        ev("A", "first_contact", "2026-03-02T15:00"),
    ]
    [clock] = run(rows, at("2026-03-03T00:00"))
    assert (clock["status"], clock["elapsed_seconds"], clock["due_at"]) == ("met", H, None)


def test_pause_and_resume_that_do_not_apply_are_ignored():
    rows = [
        ev("A", "unhold", "2026-03-02T08:00"),
        ev("A", "hold", "2026-03-02T08:30"),  # before the clock: ignored
        ev("A", "mql", "2026-03-02T09:00"),
        ev("A", "unhold", "2026-03-02T09:10"),  # not paused: ignored
        ev("A", "hold", "2026-03-02T09:30"),
        ev("A", "hold", "2026-03-02T09:40"),  # already paused: ignored
        ev("A", "unhold", "2026-03-02T10:00"),
    ]
    [clock] = run(rows, at("2026-03-02T11:00"))
    assert clock["elapsed_seconds"] == H + 1800
    assert clock["status"] == "at_risk"
    assert clock["due_at"] == at("2026-03-02T11:30")


def test_breach_before_a_pause_keeps_the_due_instant():
    rows = [
        ev("A", "mql", "2026-03-02T09:00"),
        ev("A", "hold", "2026-03-02T12:00"),
        ev("A", "unhold", "2026-03-02T13:00"),
    ]
    [clock] = run(rows, at("2026-03-02T14:00"))
    assert clock["due_at"] == at("2026-03-02T11:00")
    assert clock["elapsed_seconds"] == 4 * H
    assert clock["status"] == "breached"


def test_segment_by_derived_arrival_uses_handoff_calendar():
    rows = [ev("A", "mql", "2026-03-06T18:05"), ev("B", "mql", "2026-03-06T16:55")]
    a, b = run(rows, at("2026-03-06T19:00"))
    assert a["segment"] == "after_hours"
    assert a["due_at"] == at("2026-03-06T22:05")  # 4 h on the 24x7 calendar
    assert b["segment"] == "default"
    assert b["due_at"] == at("2026-03-09T10:55")


def test_arrival_at_opening_instant_is_business_hours_and_at_closing_is_after_hours():
    a, b = run(
        [ev("A", "mql", "2026-03-02T09:00"), ev("B", "mql", "2026-03-02T17:00")],
        at("2026-03-02T17:30"),
    )
    assert (a["segment"], b["segment"]) == ("default", "after_hours")


def test_attributes_known_at_the_end_instant_choose_the_segment():
    rows = [
        ev("A", "mql", "2026-03-02T10:00", tier="SMB"),
        ev("A", "note", "2026-03-02T10:20", tier="Enterprise"),
        ev("A", "first_contact", "2026-03-02T10:30"),
        ev("A", "note", "2026-03-02T10:40", tier="SMB"),
    ]
    [clock] = run(rows, at("2026-03-03T00:00"))
    assert clock["segment"] == "enterprise"
    assert clock["target_seconds"] == H
    # An open clock uses the attributes known at as_of.
    [open_clock] = run(rows[:2], at("2026-03-02T10:30"))
    assert open_clock["segment"] == "enterprise"
    [before] = run(rows[:2], at("2026-03-02T10:10"))
    assert before["segment"] == "default"


def test_attributes_at_the_same_instant_as_the_stop_count_whatever_their_input_order():
    rows = [
        ev("A", "mql", "2026-03-02T10:00"),
        ev("A", "first_contact", "2026-03-02T10:30"),
        ev("A", "note", "2026-03-02T10:30", discovery_notes="budget ok", tier="Enterprise"),
    ]
    [clock] = run(rows, at("2026-03-03T00:00"))
    assert clock["quality_ok"] is True
    assert clock["segment"] == "enterprise"


def test_empty_values_do_not_erase_known_ones():
    rows = [
        ev("A", "mql", "2026-03-02T10:00", "ann", tier="Enterprise"),
        ev("A", "note", "2026-03-02T10:10", "", tier=""),
    ]
    [clock] = run(rows, at("2026-03-02T10:20"))
    assert (clock["segment"], clock["owner"]) == ("enterprise", "ann")


def test_owner_is_the_latest_at_the_end_instant():
    rows = [
        ev("A", "mql", "2026-03-02T10:00", "ann"),
        ev("A", "assigned", "2026-03-02T10:10", "bob"),
        ev("A", "first_contact", "2026-03-02T10:20"),
        ev("A", "assigned", "2026-03-02T10:30", "cat"),
    ]
    assert run(rows, at("2026-03-03T00:00"))[0]["owner"] == "bob"
    assert run(rows[:1], at("2026-03-03T00:00"))[0]["owner"] == "ann"


def test_numbers_compare_numerically_and_missing_attribute_matches_nothing():
    rows = [
        ev("A", "mql", "2026-03-02T10:00", amount="250000"),
        ev("B", "mql", "2026-03-02T10:00", amount="99999.5"),
        ev("C", "mql", "2026-03-02T10:00"),
        ev("D", "mql", "2026-03-02T10:00", amount="1e5"),
    ]
    doc = copy.deepcopy(DOC)
    doc["handoffs"][0]["rules"]["big"] = {"target": "3h"}
    clocks = run(rows, at("2026-03-02T10:30"), doc)
    assert [c["segment"] for c in clocks] == ["big", "default", "default", "big"]
    assert [c["target_seconds"] for c in clocks] == [3 * H, 2 * H, 2 * H, 3 * H]
    # Without a rule for "big" the clocks fall through to the next matching segment.
    assert {c["segment"] for c in run(rows, at("2026-03-02T10:30"))} == {"default"}


def test_first_matching_segment_with_a_rule_wins():
    doc = copy.deepcopy(DOC)
    del doc["handoffs"][0]["rules"]["enterprise"]
    rows = [ev("A", "mql", "2026-03-02T18:00", tier="Enterprise")]
    [clock] = run(rows, at("2026-03-02T18:30"), doc)
    assert clock["segment"] == "after_hours"


def test_rule_calendar_override_counts_target_in_that_calendar():
    rows = [ev("A", "mql", "2026-03-06T16:30", tier="Enterprise")]
    [clock] = run(rows, at("2026-03-06T18:00"))
    assert clock["due_at"] == at("2026-03-06T17:30")
    assert clock["elapsed_seconds"] == 90 * 60
    assert clock["status"] == "breached"


def test_holiday_in_the_handoff_calendar_is_skipped():
    [clock] = run([ev("A", "mql", "2026-12-23T16:00")], at("2026-12-23T16:30"))
    assert clock["due_at"] == at("2026-12-25T10:00")


def test_handoffs_are_independent_and_ordered_by_record_handoff_cycle():
    doc = copy.deepcopy(DOC)
    second = copy.deepcopy(doc["handoffs"][0])
    second.update(
        key="contact_demo",
        start="first_contact",
        stop="demo_held",
        cancel=[],
        pause=None,
        resume=None,
    )
    second["quality"] = {"required": []}
    doc["handoffs"].append(second)
    rows = [
        ev("B", "mql", "2026-03-02T09:00"),
        ev("A", "mql", "2026-03-02T09:00"),
        ev("A", "first_contact", "2026-03-02T09:30"),
        ev("B", "first_contact", "2026-03-02T10:00"),
        ev("B", "demo_held", "2026-03-02T11:00"),
    ]
    clocks = run(rows, at("2026-03-02T11:00"), doc)
    assert [(c["record_id"], c["handoff"], c["status"]) for c in clocks] == [
        ("B", "mql_contact", "met"),
        ("B", "contact_demo", "met"),
        ("A", "mql_contact", "met"),
        ("A", "contact_demo", "at_risk"),
    ]
    assert clocks[1]["quality_ok"] is None


def test_unknown_events_and_empty_log_give_no_clocks():
    assert run([ev("A", "webinar", "2026-03-02T09:00")], at("2026-03-03T00:00")) == []
    assert run([], at("2026-03-03T00:00")) == []


@pytest.mark.parametrize("as_of", ["2026-03-02T09:00", "2026-03-02T13:00"])
def test_clock_started_at_as_of_or_long_before(as_of):
    [clock] = run([ev("A", "mql", "2026-03-02T09:00")], at(as_of))
    assert clock["elapsed_seconds"] == at(as_of) - at("2026-03-02T09:00")
