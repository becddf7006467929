"""The live table says time left in each rule's terms: business days, or days of 24 hours."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import event_log_from_columns
from slaapp.engine.matrix_document import parse_matrix
from slaapp.views.live.clock_model import PCT, RECORD, REMAINING, ClockTableModel

WEEK = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
MATRIX = {
    "format": "slaapp.matrix/1",
    "name": "t",
    "calendars": {
        "office": {"timezone": "UTC", "hours": WEEK, "hours_per_day": 8},
        "24x7": {"timezone": "UTC", "always": True},
    },
    "segments": [
        {"key": "ent", "name": "Enterprise", "when": {"tier": "Enterprise"}},
        {"key": "default", "name": "Everyone else", "when": {}},
    ],
    "handoffs": [
        {
            "key": "h", "name": "Lead to contact", "team": "Sales", "start": "mql",
            "stop": "first_contact", "calendar": "office",
            "rules": {"ent": {"target": "1d", "calendar": "24x7"}, "default": {"target": "5bd"}},
        }
    ],
}  # fmt: skip


def _at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_remaining_and_share_in_rule_terms(qtmodeltester) -> None:
    matrix = parse_matrix(json.dumps(MATRIX))
    start = _at("2026-03-02T09:00:00")  # a Monday at opening time
    log = event_log_from_columns(
        ["biz", "ent"], ["mql", "mql"], [start, start], attributes={"tier": [None, "Enterprise"]}
    )
    model = ClockTableModel()
    # Monday 09:00 + 1 business day 2 h: 3 business days 6 h of the 5 left.
    model.set_clocks(evaluate(matrix, log, _at("2026-03-03T11:00:00")), {}, matrix)
    qtmodeltester.check(model)
    rows = {model.index(r, RECORD).data(): r for r in range(model.rowCount())}
    assert model.index(rows["biz"], REMAINING).data() == "3 business days 6 h"
    assert model.index(rows["ent"], REMAINING).data() == "late by 2 h"
    assert model.index(rows["ent"], PCT).data() == "108%"
    # Far past due: still a percentage, and business days late, never 24-hour days.
    model.set_clocks(evaluate(matrix, log, _at("2026-03-20T13:00:00")), {}, matrix)
    rows = {model.index(r, RECORD).data(): r for r in range(model.rowCount())}
    assert model.index(rows["biz"], REMAINING).data() == "late by 9 business days 4 h"
    assert model.index(rows["ent"], PCT).data() == "1817%"


def test_times_shown_in_the_display_zone_and_named(qtmodeltester) -> None:
    from PySide6.QtCore import Qt

    from slaapp.views.alerts.tables import ALERT_COLUMNS
    from slaapp.views.common.times import display_zone, set_display_zone
    from slaapp.views.live.clock_model import DUE, STARTED

    matrix = parse_matrix(json.dumps(MATRIX))
    start = _at("2026-03-02T14:00:00")
    log = event_log_from_columns(["biz"], ["mql"], [start])
    model = ClockTableModel()
    model.set_clocks(evaluate(matrix, log, _at("2026-03-02T15:00:00")), {}, matrix)
    before = display_zone()
    try:
        set_display_zone("America/New_York")
        assert model.index(0, STARTED).data() == "Mon 02 Mar 09:00"
        tip = Qt.ItemDataRole.ToolTipRole
        assert "New York time" in model.headerData(DUE, Qt.Orientation.Horizontal, tip)
        assert "(times in new york time" in model.index(0, DUE).data(tip)
        assert "New York time" in ALERT_COLUMNS[0].header_tooltip()
    finally:
        set_display_zone(before)
