"""Issue 18: distinct-record revenue, a predictor that does not beat the base rate, findings
without anything behind them, and the JSON shape of DESIGN 7b."""

from __future__ import annotations

import pytest

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventLogBuilder
from slaapp.engine.insights import InsightInputs, Period, analyze
from slaapp.engine.insights.blocks import certainty, p_text
from slaapp.engine.insights.export import report_json
from slaapp.engine.insights.predict import Quality, describe_quality
from slaapp.engine.matrix_document import matrix_from_document

H, D = 3600, 86400
MONDAY = 1_789_344_000  # 2026-09-14 00:00 UTC
DOC = {
    "format": "slaapp.matrix/1",
    "name": "Two steps",
    "calendars": {"utc": {"timezone": "UTC", "always": True}},
    "segments": [{"key": "default", "name": "Everyone", "when": {}}],
    "handoffs": [
        {"key": "route", "name": "Route", "team": "Ops", "start": "created", "stop": "routed",
         "calendar": "utc", "rules": {"default": {"target": "1h"}}},
        {"key": "call", "name": "Call", "team": "Ops", "start": "routed", "stop": "called",
         "calendar": "utc", "rules": {"default": {"target": "1h"}}},
    ],
}  # fmt: skip
MATRIX = matrix_from_document(DOC)


def test_revenue_at_stake_and_late_value_count_each_record_once():
    builder = EventLogBuilder(("amount",))
    for i in range(3):
        start = MONDAY + i * D
        builder.add(f"R{i}", "created", start, "a@x.test", {"amount": "1000"})
        builder.add(f"R{i}", "routed", start + 3 * H, "a@x.test")  # late on route
        if i < 2:
            builder.add(f"R{i}", "called", start + 6 * H, "a@x.test")  # late on call too
    log = builder.build()
    as_of = MONDAY + 2 * D + 10 * H  # R2's call clock is open and breached
    inputs = InsightInputs(log, evaluate(MATRIX, log, as_of), MATRIX, (), as_of)
    report = analyze(inputs, Period(MONDAY, MONDAY + 7 * D), with_suggestions=False)
    assert report.revenue.breached_value == 3000.0  # three records, six late clocks
    per_handoff = sum(h.breached_value for h in report.revenue.handoffs)
    assert per_handoff == 6000.0
    assert report.revenue.at_stake_value == 1000.0


def test_a_predictor_worse_than_the_base_rate_says_so_plainly():
    worse = Quality(800, 200, MONDAY, 0.52, 0.26, 0.3, 0.21, 0.5, None, None)
    text = describe_quality(worse)
    assert "does not beat the base rate" in text and "no risk is shown" in text
    assert "% better" not in text and "(-" not in text
    better = Quality(800, 200, MONDAY, 0.8, 0.15, 0.3, 0.21, 0.5, 0.6, 0.5)
    assert "(29% better)" in describe_quality(better)


@pytest.mark.parametrize(
    ("p", "words"), [(1e-9, "very likely"), (1e-4, "likely"), (0.02, "possible")]
)
def test_certainty_words_and_p_values_never_print_zero(p, words):
    assert certainty(p) == words
    assert p_text(0.0) == "< 1e-300" and p_text(3e-91) == "= 3e-91"


def test_the_json_has_the_7b_top_level_and_no_empty_findings():
    builder = EventLogBuilder(())
    for i in range(40):
        builder.add(f"R{i}", "created", MONDAY + i * H, "a@x.test")
        builder.add(f"R{i}", "routed", MONDAY + i * H + 600, "a@x.test")
    log = builder.build()
    inputs = InsightInputs(log, evaluate(MATRIX, log, MONDAY + 5 * D), MATRIX, (), MONDAY + 5 * D)
    data = report_json(analyze(inputs, Period(MONDAY, MONDAY + 7 * D)))
    assert set(data) == {"as_of", "period", "findings", "revenue"}
    assert data["findings"] == []
