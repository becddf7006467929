"""An escalation step's `critical` flag and every channel survive the matrix editor's step row."""

from __future__ import annotations

from slaapp.views.matrix.handoff_panel import _StepRow


def test_a_critical_sms_step_round_trips_through_the_editor(qtbot) -> None:
    changes: list[int] = []
    row = _StepRow(lambda: changes.append(1), lambda: None)
    qtbot.addWidget(row)
    step = {"at": 1.5, "notify": ["vp"], "channels": ["teams", "sms"], "critical": True}
    row.load(step)
    assert row.step() == step and changes == []  # loading is not an edit
    row.critical.setChecked(False)
    assert "critical" not in row.step() and changes == [1]
