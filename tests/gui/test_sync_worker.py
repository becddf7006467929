"""Background sync keeps the GUI thread responsive; schedule, sync-now, cancel and shutdown."""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QTimer
from sqlalchemy import func, select

from slaapp.infra.secrets import connection_token, default_store
from slaapp.models.tables import Record
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.mapping import CrmMapping, default_mapping
from slaapp.sync.sources import ConnectOptions
from slaapp.views.connections.sync_worker import SyncService

from ..integration.fake_hubspot import TOKEN, Fault, fake_hubspot, seed_org

NOW = 1_764_500_000


def contacts_only() -> dict:
    mapping = default_mapping()
    return CrmMapping({"contacts": mapping.objects["contacts"]}, "").to_document()


def records(database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


def test_50000_records_sync_while_the_gui_keeps_ticking(qtbot, database):
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=50_000)
        gc.collect()
        gc.freeze()  # the fake's 50,000 records are scaffolding: keep them out of GC pauses
        save_connection(
            database, Connection("crm", "hubspot", url=url, mapping=contacts_only()), NOW
        )
        default_store().set(connection_token("crm"), TOKEN)
        service = SyncService(database, schedule=False, clock=lambda: NOW)
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        progress = []
        service.progress.connect(progress.append)
        timer.start()
        try:
            with qtbot.waitSignal(service.finished, timeout=180_000) as finished:
                assert service.sync_now("crm")
                assert not service.sync_now("crm")  # already waiting: not queued twice
        finally:
            timer.stop()
            gc.unfreeze()
            assert service.shutdown()
        report = finished.args[0]
        assert report.ok, report.message
        assert report.records == 50_000 and records(database) == 50_000
        assert progress[-1].records == 50_000 and len(progress) == report.pages
        assert len(gaps) > 50
        assert max(gaps) < 0.1, f"the GUI thread stalled {max(gaps) * 1000:.0f} ms"


def test_schedule_runs_due_connections_and_cancel_stops_after_a_page(qtbot, database):
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=1_000)
        save_connection(database, Connection("crm", "hubspot", url=url, mapping=contacts_only(),
                                             schedule_minutes=5), NOW)  # fmt: skip
        save_connection(database, Connection("manual", "hubspot", url=url, schedule_minutes=0), NOW)
        default_store().set(connection_token("crm"), TOKEN)
        clock = [NOW]
        state.faults = [Fault("429:TEN_SECONDLY_ROLLING", "/search")]
        service = SyncService(database, schedule=False, clock=lambda: clock[0],
                              options=ConnectOptions(page_size=100, sleep=lambda s: None))  # fmt: skip
        try:
            waits = []
            service.progress.connect(
                lambda p: waits.append(p.waiting_seconds) if p.waiting_seconds else None
            )
            service.progress.connect(lambda p: service.cancel() if p.pages == 2 else None)
            with qtbot.waitSignal(service.finished, timeout=30_000) as first:
                service.check_schedule()
            assert first.args[0].source == "crm" and first.args[0].state == "cancelled"
            assert waits == [10.0]
            assert 0 < records(database) < 1_000
            with qtbot.assertNotEmitted(service.started, wait=200):
                service.check_schedule()  # ran at NOW; not due again for 5 minutes
            clock[0] = NOW + 301
            service.progress.disconnect()
            with qtbot.waitSignal(service.finished, timeout=30_000) as second:
                service.check_schedule()
            assert second.args[0].ok and records(database) == 1_000
            assert not service.running
        finally:
            assert service.shutdown()
