"""Reading an XLSX export: python-calamine (what `slaapp import` uses) against openpyxl, same events."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import xlsxwriter

from benchmarks import Summary, line, rate, timed
from slaapp.importers import event_file
from slaapp.importers.event_file import read_events


def _write(path: Path, rows: int) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, ["record_id", "event", "occurred_at", "owner", "amount", "source"])
    start = dt.datetime(2026, 1, 5, 8, 0)
    for n in range(rows):
        sheet.write_string(n + 1, 0, f"L-{n // 3:07d}")
        sheet.write_string(n + 1, 1, ("mql", "assigned", "first_contact")[n % 3])
        sheet.write_datetime(n + 1, 2, start + dt.timedelta(minutes=n), stamp)
        sheet.write_string(n + 1, 3, f"rep{n % 40}@acme.test")
        sheet.write_number(n + 1, 4, 1000 + n % 977)
        sheet.write_string(n + 1, 5, ("Web", "Partner", "Event")[n % 3])
    book.close()


def run(rows: int = 100_000) -> list[Summary]:
    print(f"\nXLSX import: {rows:,} event rows read into an event log")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        _write(path, rows)
        fast_s, fast = timed(lambda: read_events(path, tz="America/New_York").log)
        original = event_file.calamine_sheet
        event_file.calamine_sheet = lambda file: None  # type: ignore[assignment]
        try:
            slow_s, slow = timed(lambda: read_events(path, tz="America/New_York").log)
        finally:
            event_file.calamine_sheet = original
    identical = list(fast.rows()) == list(slow.rows())
    line("python-calamine (slaapp)", f"{fast_s:.2f} s", rate(rows, fast_s))
    line("openpyxl read-only (baseline)", f"{slow_s:.2f} s", rate(rows, slow_s))
    line("identical events", str(identical))
    ratio = slow_s / fast_s if fast_s else None
    name = f"XLSX read, {rows:,} rows"
    return [Summary(name, f"{fast_s:.2f} s", f"{slow_s:.2f} s", ratio, "", None, identical)]


if __name__ == "__main__":
    run()
