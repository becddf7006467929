"""The live table's Record column shows the CRM's own id, with the source in a column of its own."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import event_log_from_columns
from slaapp.engine.matrix_document import parse_matrix
from slaapp.views.live.clock_model import COLUMNS, RECORD, SOURCE, ClockTableModel
from tests.gui.test_duration_columns import MATRIX, _at


def _model(qtmodeltester) -> ClockTableModel:
    matrix = parse_matrix(json.dumps(MATRIX))
    start = _at("2026-03-02T09:00:00")
    labels = ["salesforce:00Q1", "hubspot:901", "import:A-7"]
    log = event_log_from_columns(labels, ["mql"] * 3, [start, start + 60, start + 120])
    clocks = evaluate(matrix, log, _at("2026-03-03T11:00:00"))
    by_label = {
        "salesforce:00Q1": ("00Q1", "salesforce"),
        "hubspot:901": ("901", "hubspot"),
        "import:A-7": ("A-7", "import"),
    }
    external = tuple(by_label[r][0] for r in clocks.records)
    sources = tuple(by_label[r][1] for r in clocks.records)
    model = ClockTableModel()
    model.set_clocks(clocks, {}, matrix, None, external, sources)
    qtmodeltester.check(model)
    return model


def test_record_column_shows_the_crm_id_and_source_its_own_column(qtmodeltester) -> None:
    model = _model(qtmodeltester)
    assert model.columnCount() == len(COLUMNS) == 11
    assert model.headerData(RECORD, Qt.Orientation.Horizontal) == "Record"
    assert model.headerData(SOURCE, Qt.Orientation.Horizontal) == "Source"
    shown = {
        model.index(r, RECORD).data(): model.index(r, SOURCE).data()
        for r in range(model.rowCount())
    }
    assert shown == {"00Q1": "salesforce", "901": "hubspot", "A-7": "import"}


def test_sorting_by_source_and_by_record_happens_in_the_model(qtmodeltester) -> None:
    model = _model(qtmodeltester)
    model.sort(SOURCE, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, SOURCE).data() for r in range(3)] == ["hubspot", "import", "salesforce"]
    model.sort(SOURCE, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, SOURCE).data() for r in range(3)] == ["salesforce", "import", "hubspot"]
    model.sort(RECORD, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, RECORD).data() for r in range(3)] == ["00Q1", "901", "A-7"]


def test_without_origins_the_record_column_falls_back_to_the_record_code(qtmodeltester) -> None:
    matrix = parse_matrix(json.dumps(MATRIX))
    log = event_log_from_columns(["L-1"], ["mql"], [_at("2026-03-02T09:00:00")])
    model = ClockTableModel()
    model.set_clocks(evaluate(matrix, log, _at("2026-03-03T11:00:00")), {}, matrix)
    qtmodeltester.check(model)
    assert model.index(0, RECORD).data() == "L-1"
    assert model.index(0, SOURCE).data() == ""
