"""What-if on a tiny hand-checked log, and the breach predictor on the demo org."""

from __future__ import annotations

import numpy as np
import pytest

from slaapp.demo.org import generate_demo
from slaapp.engine.clocks import BREACHED, OPEN_STATUSES, evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.insights import (
    Change,
    InsightInputs,
    Period,
    breach_risk,
    build_frame,
    fit_breach_model,
    predictive_alerts,
    what_if,
)
from slaapp.engine.insights.whatif import changed_matrix
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix

from .test_insights_engine import DOC

H = 3600
T0 = 1_789_344_000


def tiny() -> InsightInputs:
    """Three leads contacted after 1 h, 3 h and 5 h against a 2 h target (24x7)."""
    rows = []
    for i, hours in enumerate((1, 3, 5)):
        rows.append(EventRow(f"r{i}", "assigned", T0 + i * H, "ana@example.com"))
        rows.append(EventRow(f"r{i}", "first_contact", T0 + i * H + hours * H))
    log = event_log(rows)
    matrix = matrix_from_document(DOC)
    as_of = T0 + 30 * H
    return InsightInputs(log, evaluate(matrix, log, as_of), matrix, (), as_of)


def test_what_if_on_a_hand_checked_log():
    inputs = tiny()
    run = what_if(
        build_frame(inputs), (Change("first_contact", None, 4 * H),), Period(T0, T0 + H * 3)
    )
    # Before (2 h): shares 0.5, 1.5, 2.5. Warnings at 0.5 and 0.75: 3 + 2; breaches 2;
    # escalation at 1.5: 2 (the step at 1.0 is the breach notice itself).
    assert (run.before.clocks, run.before.violations) == (3, 2)
    assert (run.before.alerts.warnings, run.before.alerts.breaches) == (5, 2)
    assert run.before.alerts.escalations == 2
    # After (4 h): shares 0.25, 0.75, 1.25: warnings 2 + 2, one breach, no escalation.
    assert (run.after.violations, run.after.alerts.warnings) == (1, 4)
    assert (run.after.alerts.breaches, run.after.alerts.escalations) == (1, 0)
    assert run.violations_change == pytest.approx(-0.5)
    assert run.conversion_points is None  # no record converts in this log
    assert run.sentence.startswith(
        "Extending Assigned to first contact from 2 hours to 4 hours cuts late clocks by 50 % (2 to 1)"
    )


def test_what_if_period_and_calendar_changes():
    inputs = tiny()
    only_first = what_if(
        build_frame(inputs), (Change("first_contact", None, 4 * H),), Period(T0, T0 + 1)
    )
    assert only_first.before.clocks == 1
    with pytest.raises(ValueError, match="no calendar 'nope'"):
        changed_matrix(inputs.matrix, (Change("first_contact", None, None, "nope"),))
    with pytest.raises(ValueError, match="no handoff 'x'"):
        changed_matrix(inputs.matrix, (Change("x", None, H),))


def test_a_segment_rule_change_adds_a_rule_only_there():
    demo = load_matrix(DEFAULT_MATRIX)
    changed = changed_matrix(demo, (Change("demo_proposal", "partner_referral", 4 * 36000),))
    rules = changed.handoff("demo_proposal").rules
    assert rules["partner_referral"].target_seconds == 4 * 36000
    assert (
        rules["default"].target_seconds
        == demo.handoff("demo_proposal").rules["default"].target_seconds
    )


@pytest.fixture(scope="module")
def demo_inputs() -> InsightInputs:
    org = generate_demo(seed=7, days=90, now=1_795_000_000)
    matrix = load_matrix(DEFAULT_MATRIX)
    return InsightInputs(org.log, evaluate(matrix, org.log, org.now), matrix, org.people, org.now)


def test_the_predictor_beats_the_base_rate_on_the_demo_org(demo_inputs):
    model = fit_breach_model(demo_inputs.clocks, demo_inputs.matrix, "America/New_York")
    quality = model.quality
    # Figures for the README (seed 7, 90 days): AUC 0.91, Brier 0.080 vs 0.160 at base rate 20 %.
    assert quality.test_samples > 5000
    assert quality.auc > 0.8
    assert quality.brier < 0.75 * quality.base_brier
    assert quality.alert_precision is not None and quality.alert_precision > quality.base_rate
    risk = breach_risk(model, demo_inputs.clocks)
    status = demo_inputs.clocks.status
    running = np.isin(status, OPEN_STATUSES) & (status != BREACHED)
    assert np.all((risk[running] > 0) & (risk[running] < 1))
    assert np.all(risk[status == BREACHED] == 1.0)
    assert np.isnan(risk[~np.isin(status, OPEN_STATUSES)]).all()
    flagged = predictive_alerts(model, risk)
    assert flagged.size and running[flagged].all()


def test_demo_what_if_extending_demo_to_proposal(demo_inputs):
    frame = build_frame(demo_inputs)
    period = Period(demo_inputs.as_of - 90 * 86400, demo_inputs.as_of)
    run = what_if(frame, (Change("demo_proposal", "default", 5 * 36000),), period)
    assert run.after.violations < run.before.violations
    assert run.after.alerts.total < run.before.alerts.total
    assert run.conversion_points is not None and run.conversion_points <= 0
    assert "from 3 business days to 5 business days cuts late clocks by" in run.sentence
