"""Ingestion's column-wise path for logs of distinct events gives what the row loop gives."""

from __future__ import annotations

import numpy as np
import pytest

from slaapp.engine.eventlog import EventRow, event_log, event_log_from_columns
from slaapp.models import ingest

T0 = 1_767_225_600


def _log(with_raw: bool):
    rows = [
        EventRow(f"R{n % 7}", ("mql", "assigned", "sql")[n % 3], T0 + n * 60,
                 None if n % 4 == 0 else f"rep{n % 5}",
                 {k: v for k, v in (("tier", "SMB" if n % 2 else ""), ("note", f"n{n}")) if v})
        for n in range(200)
    ]  # fmt: skip
    log = event_log(rows)
    if not with_raw:
        return log
    attributes = {name: [column.text(i) for i in range(len(log))]
                  for name, column in log.attributes.items()}  # fmt: skip
    return event_log_from_columns(
        [r.record_id for r in rows], [r.event for r in rows], [r.occurred_at for r in rows],
        [r.owner for r in rows], attributes, raw_time=[f"t{i}" for i in range(len(rows))],
    )  # fmt: skip


def _row_loop(monkeypatch, log, pk, repeats):
    with monkeypatch.context() as patch:
        patch.setattr(ingest, "_same_instants", lambda *args: True)
        return ingest._incoming(log, pk, repeats)


@pytest.mark.parametrize("with_raw", [False, True])
@pytest.mark.parametrize("repeats", [False, True])
def test_distinct_events_column_wise_equal_the_row_loop(monkeypatch, with_raw, repeats) -> None:
    log = _log(with_raw)
    pk = np.arange(len(log.record.values), dtype=np.int64) * 10 + 3
    assert not ingest._same_instants(log, pk)
    fast = ingest._incoming(log, pk, repeats)
    assert list(fast.items()) == list(_row_loop(monkeypatch, log, pk, repeats).items())
    assert len(fast) == 200


def test_same_instant_rows_take_the_row_loop() -> None:
    log = event_log([EventRow("R1", "mql", T0, "ann"), EventRow("R1", "mql", T0, "bob")])
    pk = np.array([1], dtype=np.int64)
    assert ingest._same_instants(log, pk)
    assert list(ingest._incoming(log, pk, True)) == [(1, "mql", T0, 1), (1, "mql", T0, 2)]
    assert ingest._incoming(log, pk, False) == {(1, "mql", T0, 1): ("bob", {}, None)}
