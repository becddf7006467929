"""python-calamine and openpyxl read the same workbook into the same events (wide exports too)."""

from __future__ import annotations

import datetime as dt
import random

from openpyxl import Workbook

from slaapp.importers import event_file
from slaapp.importers.event_file import read_events


def _workbook(path, rows: int = 400) -> None:
    rng = random.Random(7)
    book = Workbook()
    sheet = book.active
    sheet.append(["record_id", "event", "occurred_at", "owner", "amount", "tier", "closed"])
    start = dt.datetime(2026, 10, 1, 8, 0)
    for n in range(rows):
        when = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 40))
        occurred: object = when if n % 3 else when.strftime("%Y-%m-%dT%H:%M:%S-05:00")
        sheet.append([
            f"{n % 120:05d}", rng.choice(["mql", "assigned", "first_contact"]), occurred,
            rng.choice(["ann@acme.test", None, "bob@acme.test"]),
            rng.choice([150000, 1.5, None, 0.1 + 0.2, 99999.99]),
            rng.choice(["Enterprise", "", None, "SMB"]),
            rng.choice([dt.date(2026, 11, 4), None, dt.datetime(2026, 11, 5)]),
        ])  # fmt: skip
    sheet.append([None] * 7)
    book.save(path)


def _read(path):
    log = read_events(path, tz="America/New_York").log
    return sorted(log.rows(), key=lambda r: (r.record_id, r.occurred_at, r.event))


def test_calamine_and_openpyxl_give_identical_events(tmp_path, monkeypatch) -> None:
    path = tmp_path / "export.xlsx"
    _workbook(path)
    fast = _read(path)
    monkeypatch.setattr(event_file, "calamine_sheet", lambda file: None)
    slow = _read(path)
    assert len(fast) == 400 and fast == slow
    assert any(r.attributes.get("amount") == "150000" for r in fast)
    assert any(r.attributes.get("closed") == "2026-11-04" for r in fast)
