"""The export-folder source: each file once, by content; a bad file reported and left out whole."""

from __future__ import annotations

import json
import shutil

from sqlalchemy import func, select

from slaapp.importers.bundled import RESOURCES
from slaapp.models.tables import Event, Record
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.service import probe_connection, sync_source

NOW = 1_764_500_000
HEADER = (
    "Record ID,Contact owner,Became a Marketing Qualified Lead Date,HubSpot Owner Assigned Date,"
    "Date of first engagement,Became a Sales Qualified Lead Date,Lifecycle Stage\n"
)


def counts(database) -> tuple[int, int]:
    with database.session() as session:
        records = session.scalar(select(func.count()).select_from(Record)) or 0
        events = session.scalar(select(func.count()).select_from(Event)) or 0
    return int(records), int(events)


def sync(database):
    return sync_source(database, "exports", None, lambda: NOW)


def test_wide_exports_are_imported_once_and_a_bad_file_is_left_out_whole(database, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    mapping = json.loads((RESOURCES / "mappings" / "hubspot-contacts.json").read_text())
    connection = Connection("exports", "folder", folder=str(folder), mapping=mapping,
                            options={"timezone": "America/New_York"})  # fmt: skip
    save_connection(database, connection, NOW)
    (folder / "week1.csv").write_text(
        HEADER + "501,Ana Lopez,11/02/2026 09:00,11/02/2026 09:40,,,lead\n"
        "502,Ben Okafor,11/03/2026 10:00,,,,marketingqualifiedlead\n"
    )
    assert probe_connection(database, "exports").detail == "1 files (wide CRM exports)"
    report = sync(database)
    assert report.ok, report.message
    assert counts(database) == (2, 3)
    assert sync(database).records == 0  # the same file is not imported again
    shutil.copy(folder / "week1.csv", folder / "week1 (copy).csv")
    assert sync(database).records == 0  # nor a copy of it under another name

    (folder / "week2.csv").write_text(
        HEADER + "503,Ana Lopez,11/09/2026 09:00,11/09/2026 09:10,,,lead\n"
        "504,Ana Lopez,not a date,11/09/2026 09:10,,,lead\n"
    )
    report = sync(database)
    assert report.state == "partial"
    assert "week2.csv" in report.message and "row 3" in report.message
    assert "Became a Marketing Qualified Lead Date" in report.message or "column" in report.message
    assert counts(database) == (2, 3)  # nothing of the bad file
    assert sync(database).state == "partial"  # still reported until fixed

    (folder / "week2.csv").write_text(
        HEADER + "503,Ana Lopez,11/09/2026 09:00,11/09/2026 09:10,,,lead\n"
    )
    report = sync(database)
    assert report.ok and counts(database) == (3, 5)
    with database.session() as session:
        events = session.scalars(
            select(Event).where(Event.name == "mql").order_by(Event.occurred_at)
        ).all()
        assert events[0].raw == "11/02/2026 09:00"  # the time as the export wrote it


def test_event_logs_without_a_mapping_and_a_missing_folder(database, tmp_path):
    folder = tmp_path / "logs"
    save_connection(database, Connection("exports", "folder", folder=str(folder)), NOW)
    report = sync(database)
    assert report.state == "failed" and "does not exist" in report.message
    folder.mkdir()
    shutil.copy(RESOURCES / "samples" / "events-sample.csv", folder)
    report = sync(database)
    assert report.ok, report.message
    records, events = counts(database)
    assert records > 0 and events > records
