"""The log says, in words a support person can read, how each sync, import and delivery ended."""

from __future__ import annotations

import json
import logging

from slaapp.engine.eventlog import event_log_from_columns
from slaapp.importers.bundled import RESOURCES
from slaapp.notify.alerting_send import Batch, send_batch
from slaapp.notify.channel import ChannelError, Notice
from slaapp.services.store import store_log
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.service import sync_source

NOW = 1_764_500_000
HEADER = (
    "Record ID,Contact owner,Became a Marketing Qualified Lead Date,HubSpot Owner Assigned Date,"
    "Date of first engagement,Became a Sales Qualified Lead Date,Lifecycle Stage\n"
)


def _lines(caplog, logger: str) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == logger]


def _folder(database, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    mapping = json.loads((RESOURCES / "mappings" / "hubspot-contacts.json").read_text())
    connection = Connection("exports", "folder", folder=str(folder), mapping=mapping,
                            options={"timezone": "America/New_York"})  # fmt: skip
    save_connection(database, connection, NOW)
    return folder


def test_each_sync_outcome_is_logged_in_words(database, tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="slaapp.sync.service")
    folder = _folder(database, tmp_path)
    (folder / "week1.csv").write_text(
        HEADER + "501,Ana Lopez,11/02/2026 09:00,11/02/2026 09:40,,,lead\n"
        "502,Ben Okafor,11/03/2026 10:00,,,,marketingqualifiedlead\n"
    )
    assert sync_source(database, "exports", None, lambda: NOW).ok
    assert (logging.INFO, "sync of exports finished: 2 records, 3 events") in _lines(
        caplog, "slaapp.sync.service"
    )
    caplog.clear()
    (folder / "week2.csv").write_text(HEADER + "504,Ana Lopez,not a date,11/09/2026 09:10,,,lead\n")
    report = sync_source(database, "exports", None, lambda: NOW)
    assert report.state == "partial"
    [(level, line)] = _lines(caplog, "slaapp.sync.service")
    assert level == logging.WARNING
    assert line.startswith("sync of exports finished with gaps: 0 records, 0 events; 1 problems")
    assert "week2.csv" in line
    caplog.clear()
    report = sync_source(database, "nowhere", None, lambda: NOW)
    assert report.state == "failed"
    [(level, line)] = _lines(caplog, "slaapp.sync.service")
    assert level == logging.WARNING and line.startswith("sync of nowhere did not start: ")


def test_a_failed_sync_is_logged_with_what_was_kept(database, tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="slaapp.sync.service")
    folder = _folder(database, tmp_path)
    folder.rmdir()  # the folder went away
    report = sync_source(database, "exports", None, lambda: NOW)
    assert report.state == "failed", report.message
    [(level, line)] = _lines(caplog, "slaapp.sync.service")
    assert level == logging.WARNING
    assert line.startswith("sync of exports failed: ") and line.endswith(
        "(kept 0 records, 0 events)"
    )


def test_an_import_is_logged_with_its_counts(database, caplog) -> None:
    caplog.set_level(logging.INFO, logger="slaapp.services.store")
    log = event_log_from_columns(["A1", "A2"], ["mql", "mql"], [NOW - 7200, NOW - 3600])
    store_log(database, log, source="import", at=NOW)
    [(level, line)] = _lines(caplog, "slaapp.services.store")
    assert level == logging.INFO
    assert line.startswith(
        "import of import events stored: 2 records added, 0 updated; 2 events added, 0 updated, "
        "0 unchanged; "
    )
    assert line.endswith("clocks judged again")


class _Refusing:
    name = "webhook"

    def send(self, notice: Notice) -> None:
        raise ChannelError(
            "webhook: hooks.example.com refused https://hooks.example.com/T0/secret-path?k=1",
            retryable=False,
        )


def test_a_failed_delivery_is_logged_without_the_urls_path(caplog) -> None:
    caplog.set_level(logging.INFO, logger="slaapp.notify.alerting_send")
    notice = Notice((7, 9), "digest", "ann", "Ann", None, "2 alerts", ())
    outcome = send_batch(Batch("webhook", (70, 90), notice), {"webhook": _Refusing()})
    assert outcome.error is not None
    [(level, line)] = _lines(caplog, "slaapp.notify.alerting_send")
    assert level == logging.WARNING
    assert line == (
        "delivery of alert 7, 9 to ann by webhook failed: "
        "webhook: hooks.example.com refused https://hooks.example.com/..."
    )
    assert "secret-path" not in line


def test_sync_log_lines_never_carry_a_urls_path() -> None:
    from slaapp.sync.service import _no_paths

    said = _no_paths("cannot reach https://acme.my.salesforce.com/services/data?token=x; retry")
    assert said == "cannot reach https://acme.my.salesforce.com/... retry"
