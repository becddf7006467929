"""The demo judged by its matrix looks like a working day: mostly on track, a few late by hours."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from slaapp.demo.org import generate_demo
from slaapp.demo.settle import LATE_KEPT
from slaapp.engine.clocks import AT_RISK, BREACHED, MISSED, ON_TRACK, OPEN_STATUSES, evaluate
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix

MONDAY = int(datetime(2026, 11, 30, 16, 0, tzinfo=UTC).timestamp())  # Mon 11:00 in New York


def test_open_clocks_on_a_monday_are_mostly_on_track_and_late_only_by_hours() -> None:
    matrix = load_matrix(DEFAULT_MATRIX)
    org = generate_demo(seed=7, days=60, now=MONDAY, matrix=matrix)
    clocks = evaluate(matrix, org.log, MONDAY)
    status = clocks.status[np.isin(clocks.status, list(OPEN_STATUSES))]
    assert (status == ON_TRACK).sum() > 0.7 * status.size
    assert 0 < (status == AT_RISK).sum() < 0.2 * status.size
    breached = clocks.status == BREACHED
    assert 0 < breached.sum() < 0.1 * status.size
    assert (clocks.elapsed[breached] - clocks.target[breached]).max() <= LATE_KEPT
    # The history still holds late work: what was overdue was handled late, not erased.
    assert (clocks.status == MISSED).sum() > 100


def test_without_a_matrix_the_generated_history_is_unchanged() -> None:
    plain = generate_demo(seed=7, days=10, now=MONDAY)
    again = generate_demo(seed=7, days=10, now=MONDAY, matrix=None)
    assert plain.log.occurred_at.tolist() == again.log.occurred_at.tolist()
