"""`slaapp evaluate --format csv`: CRM text that looks like a formula is written so a spreadsheet shows it."""

from __future__ import annotations

import csv
import io

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.reports.clock_output import write_csv

DOC = {
    "format": "slaapp.matrix/1", "name": "m",
    "calendars": {"24x7": {"timezone": "UTC", "always": True}},
    "segments": [{"key": "default", "name": "Everyone", "when": {}}],
    "handoffs": [{"key": "h", "name": "H", "team": "T", "start": "a", "stop": "b",
                  "calendar": "24x7", "rules": {"default": {"target": "2h"}}}],
}  # fmt: skip


def test_formula_like_ids_and_owners_are_quoted_in_csv() -> None:
    log = event_log([
        EventRow('=HYPERLINK("http://x","y")', "a", 1_790_000_000, "+cmd|' /C calc'!A0", {}),
        EventRow("@SUM(1)", "a", 1_790_000_000, "ann", {}),
    ])  # fmt: skip
    out = io.StringIO()
    write_csv(evaluate(matrix_from_document(DOC), log, 1_790_003_600), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert sorted(r["record_id"] for r in rows) == ['\'=HYPERLINK("http://x","y")', "'@SUM(1)"]
    assert "'+cmd|' /C calc'!A0" in {r["owner"] for r in rows}
