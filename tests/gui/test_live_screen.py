"""The live screen: filters by team, owner, handoff and segment; countdowns tick; records open."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from slaapp.app import build_services
from slaapp.engine.clocks import AT_RISK, BREACHED, ON_TRACK, OPEN_STATUSES
from slaapp.models.database import open_database
from slaapp.services.demo_org import load_demo
from slaapp.services.live_view import live_clocks
from slaapp.views.common.record_dialog import RecordDialog
from slaapp.views.live.clock_model import OWNER, REMAINING, STATUS
from slaapp.views.main_window import MainWindow


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('live') / 'demo.db'}")
    load_demo(db, days=21)
    yield db
    db.dispose()


@pytest.fixture
def window(qtbot, demo_db, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(build_services(demo_db, settings))
    qtbot.addWidget(win)
    win.resize(1300, 800)
    win.show()
    with qtbot.waitSignal(win.refreshed, timeout=30_000):
        win.refresh()
    yield win
    win.live.ticker.stop()
    qtbot.waitUntil(lambda: not win.jobs.running, timeout=20_000)


def test_filters_narrow_the_rows_to_exactly_the_matching_clocks(window):
    live = window.live.live
    clocks = live.clocks
    screen = window.live
    open_owners = [
        clocks.owners[o]
        for o, s in zip(clocks.owner, clocks.status)
        if o >= 0 and s in OPEN_STATUSES
    ]
    team = max(
        set(live.owner_teams.values()),
        key=lambda t: sum(live.owner_teams.get(o) == t for o in open_owners),
    )
    screen.team.setCurrentIndex(screen.team.findData(team))
    members = {k for k, t in live.owner_teams.items() if t == team}
    rows = [screen.model.clock_index(r) for r in range(screen.model.rowCount())]
    assert rows and {clocks.owners[clocks.owner[i]] for i in rows} <= members
    expected = sum(
        1 for i in range(len(clocks))
        if clocks.status[i] in OPEN_STATUSES and clocks.owner[i] >= 0
        and clocks.owners[clocks.owner[i]] in members
    )  # fmt: skip
    assert len(rows) == expected
    screen.handoff.setCurrentIndex(1)
    handoff = screen.handoff.currentData()
    rows = [screen.model.clock_index(r) for r in range(screen.model.rowCount())]
    assert all(clocks.handoff_keys[clocks.handoff[i]] == handoff for i in rows)
    screen.team.setCurrentIndex(0)
    screen.handoff.setCurrentIndex(0)
    screen.segment.setCurrentIndex(screen.segment.findData("enterprise"))
    rows = [screen.model.clock_index(r) for r in range(screen.model.rowCount())]
    assert rows and all(clocks.segment_keys[clocks.segment[i]] == "enterprise" for i in rows)


def test_my_handoffs_shows_one_persons_clocks_and_scorecard(window):
    screen = window.live
    live = screen.live
    shown_open = np.isin(live.clocks.status, list(OPEN_STATUSES))  # the table shows open clocks
    person = max(
        live.clocks.owners,
        key=lambda o: int(np.sum(shown_open & (live.clocks.owner == live.clocks.owners.index(o)))),
    )
    screen.owner.setCurrentIndex(screen.owner.findData(person))
    screen.mine.setChecked(True)
    assert not screen.card.isHidden() and live.people[person] in screen.card.text()
    assert "adherence last 30 days" in screen.card.text()
    shown = {screen.model.index(r, OWNER).data() for r in range(screen.model.rowCount())}
    assert shown == {live.people[person]}
    assert window.settings.value("my_person") == person


def test_countdowns_tick_in_business_time_and_turn_red_when_due(window):
    model = window.live.model
    clocks = model.clocks()
    running = [
        i for i in range(len(clocks))
        if clocks.status[i] in (ON_TRACK, AT_RISK) and clocks.has_due[i]
    ]  # fmt: skip
    i = running[0]
    due = int(clocks.due_at[i])
    rule = model._rule(i)
    assert rule is not None
    calendar = rule[0]
    later = clocks.as_of + 3600
    model.tick(later, 0, 10)
    expected = calendar.elapsed(later, due) if later <= due else -calendar.elapsed(due, later)
    assert model.live_remaining(i) == expected
    # One business second past due (a target used up at closing time is still due overnight).
    model.tick(calendar.add(due, 1), 0, 10)
    assert model.live_status(i) == BREACHED and model.live_remaining(i) < 0


def test_tick_repaints_only_the_visible_rows(qtbot, window):
    model = window.live.model
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, roles: changed.append((a.row(), b.row(), a.column(), b.column()))
    )
    window.live.tick()
    assert len(changed) == 1
    first, last, left, right = changed[0]
    visible = window.live.table.viewport().height() // window.live.table.rowHeight(0) + 1
    assert first == 0 and last - first + 1 <= visible < model.rowCount()
    assert (left, right) == (REMAINING, STATUS)


def test_double_click_opens_the_record_with_timeline_and_explained_clocks(qtbot, window):
    window.live.open_row(0)
    qtbot.waitUntil(lambda: bool(window.record_windows), timeout=20_000)
    dialog = window.record_windows[-1]
    assert isinstance(dialog, RecordDialog)
    record_row = window.live.model.index(0, 0).data()
    assert record_row in dialog.windowTitle() or dialog.view.timeline.external_id == record_row
    assert dialog.view.timeline.events and dialog.view.clocks
    assert all(d.explanation.startswith("started ") for d in dialog.view.clocks if d.explanation)
    dialog.clocks.selectRow(0)
    assert dialog.explanation.text() == dialog.view.clocks[0].explanation
    assert dialog.events.model().rowCount() == len(dialog.view.timeline.events)
    dialog.close()


def test_live_clocks_carry_directory_names_and_record_ids(demo_db):
    live = live_clocks(demo_db, 2_000_000_000)
    assert live is not None and live.record_ids is not None
    assert len(live.record_ids) == len(live.clocks.records)
    assert set(live.clocks.owners) <= set(live.people)


def test_self_test_opens_every_screen_and_exits_zero(tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "slaapp", "--self-test"],
        capture_output=True, text=True, timeout=240, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "self-test: passed" in done.stdout
    for screen in (
        "Live handoffs",
        "Dashboard",
        "SLA matrix",
        "Insights",
        "Alerts",
        "Scorecards",
        "Connections",
        "Settings",
    ):
        assert f"self-test: {screen} ok" in done.stdout


def test_risk_column_shows_the_predictors_probability_and_sorts_by_it(window):
    from PySide6.QtCore import Qt

    from slaapp.views.live.clock_model import RISK

    model = window.live.model
    assert model._risk is not None and window._risk_model is not None
    model.sort(RISK, Qt.SortOrder.DescendingOrder)
    texts = [model.index(r, RISK).data() for r in range(model.rowCount())]
    shown = [int(t.rstrip("%")) for t in texts if t]
    assert shown and shown == sorted(shown, reverse=True)
    assert "AUC" in model.index(0, RISK).data(Qt.ItemDataRole.ToolTipRole)


def test_status_bar_names_each_sources_last_sync(qtbot, window, demo_db):
    from slaapp.models.tables import SyncRun

    assert window.sync_state.text() == "No CRM connected"
    with demo_db.session() as session:
        session.add(
            SyncRun(
                source="hubspot", started_at=1_790_000_000, finished_at=1_790_000_060, state="ok"
            )
        )
        session.add(SyncRun(source="salesforce", started_at=1_790_000_000, state="suspended"))
    with qtbot.waitSignal(window.refreshed, timeout=30_000):
        window.refresh()
    text = window.sync_state.text()
    assert "hubspot synced" in text and "salesforce suspended" in text
    assert "d64541" in window.sync_state.styleSheet()
    with demo_db.session() as session:
        session.query(SyncRun).delete()


def test_record_window_lists_the_alerts_fired_for_the_record(demo_db):
    from slaapp.engine.clocks import BREACHED as BREACHED_STATUS
    from slaapp.notify.alerting import run_alerts
    from slaapp.services.record_view import record_view

    live = live_clocks(demo_db, int(__import__("time").time()))
    run_alerts(demo_db, live.as_of)
    clocks = live.clocks
    i = int(np.flatnonzero(clocks.status == BREACHED_STATUS)[-1])
    record_id = int(live.record_ids[clocks.record[i]])
    view = record_view(demo_db, record_id, live.as_of)
    alerts = [a for a in view.actions if "alert" in a.action]
    assert alerts, view.actions
    handoff = live.names[clocks.handoff_keys[clocks.handoff[i]]]
    assert any(handoff in a.detail for a in alerts)


def test_live_clocks_carry_each_records_crm_id_and_source(demo_db, window):
    from PySide6.QtCore import Qt
    from sqlalchemy import select

    from slaapp.models.tables import Record
    from slaapp.views.live.clock_model import RECORD, SOURCE

    live = live_clocks(demo_db, int(__import__("time").time()))
    assert live is not None and live.record_ids is not None
    with demo_db.session() as session:
        origin = {
            pk: (external, source)
            for pk, external, source in session.execute(
                select(Record.id, Record.external_id, Record.source)
            )
        }
    expected = [origin[int(pk)] for pk in live.record_ids]
    assert list(zip(live.external_ids, live.sources, strict=True)) == expected
    model = window.live.model
    assert model.headerData(SOURCE, Qt.Orientation.Horizontal) == "Source"
    i = model.clock_index(0)
    code = int(live.clocks.record[i])
    assert model.index(0, RECORD).data() == live.external_ids[code]
    assert model.index(0, SOURCE).data() == live.sources[code] == "demo"
    assert ":" not in model.index(0, RECORD).data()
