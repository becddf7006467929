"""The live-table benchmark's synthetic input: exactly the asked number of open clocks."""

from __future__ import annotations

import numpy as np

from benchmarks.bench_gui import open_clocks
from slaapp.engine.clocks import OPEN_STATUSES


def test_open_clocks_are_all_open_and_owned():
    clocks, matrix = open_clocks(500)
    assert len(clocks) == 500 and bool(np.isin(clocks.status, OPEN_STATUSES).all())
    assert int((clocks.owner >= 0).sum()) == 500
    assert matrix.handoff("first_contact").key == "first_contact"
