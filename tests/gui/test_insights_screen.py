"""The Insights screen on the demo org: findings, what-if off the GUI thread, prompt, empty state."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication

from slaapp.engine.clocks import BREACHED, OPEN_STATUSES
from slaapp.models.database import open_database
from slaapp.services.demo_org import load_demo
from slaapp.services.live_view import live_view
from slaapp.services.store import now
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.table_model import Column
from slaapp.views.common.table_model import TableModel as RowsModel
from slaapp.views.insights.screen import EMPTY, InsightsScreen
from slaapp.views.insights.work import last_full_month


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('insights') / 'demo.db'}"
    db = open_database(url)
    load_demo(db, days=30)
    db.dispose()
    return url


@pytest.fixture
def screen(qtbot, demo_url):
    database = open_database(demo_url)
    jobs = JobRunner()
    widget = InsightsScreen(database, jobs)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    yield widget
    qtbot.waitUntil(lambda: not jobs.running, timeout=20_000)
    jobs.shutdown()
    database.dispose()


def loaded(qtbot, widget: InsightsScreen) -> None:
    widget.refresh()
    qtbot.waitUntil(lambda: not widget.loading, timeout=30_000)


def test_findings_cards_and_models(qtbot, qtmodeltester, screen):
    loaded(qtbot, screen)
    assert screen.result is not None
    assert screen.causes.rowCount() >= 2
    titles = [
        screen.causes.data(screen.causes.index(r, 1)) for r in range(screen.causes.rowCount())
    ]
    assert any("Ben Carter slow" in t for t in titles)
    assert screen.handoffs.rowCount() == 8
    assert screen.cards["auc"].value.text().startswith("0.")
    assert "%" in screen.cards["late"].value.text()
    assert "AUC" in screen.quality.text() and "Brier" in screen.quality.text()
    assert "SLA health report" in screen.report.toHtml()
    for model in (screen.causes, screen.handoffs, screen.review, screen.backtest):
        qtmodeltester.check(model)


def test_what_if_runs_off_the_gui_thread(qtbot, screen):
    loaded(qtbot, screen)
    panel = screen.what_if
    panel.handoff.setCurrentIndex(panel.handoff.findData("demo_proposal"))
    panel.segment.setCurrentIndex(panel.segment.findData("default"))
    assert panel.target.text() == "3bd"  # the current rule
    panel.target.setText("5bd")
    with qtbot.waitSignal(panel.message, timeout=20_000):
        panel.run()
    assert "to 5 business days" in panel.sentence.text()
    rows = {panel.model.data(panel.model.index(r, 0)): r for r in range(panel.model.rowCount())}
    before = int(panel.model.data(panel.model.index(rows["Late clocks"], 1)).replace(",", ""))
    after = int(panel.model.data(panel.model.index(rows["Late clocks"], 2)).replace(",", ""))
    assert after < before
    panel.target.setText("soon")
    panel.run()
    assert "New target" in panel.sentence.text() and "not a duration" in panel.sentence.text()


def test_copy_analysis_prompt(qtbot, screen):
    loaded(qtbot, screen)
    with qtbot.waitSignal(screen.message) as signal:
        screen.copy_button.click()
    assert "copied" in signal.args[0]
    text = QGuiApplication.clipboard().text()
    assert text.startswith("You are a revenue operations analyst.")
    assert last_full_month(now())[1] in screen.report.toPlainText()


def test_empty_database_says_what_to_do(qtbot, tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    jobs = JobRunner()
    widget = InsightsScreen(database, jobs)
    qtbot.addWidget(widget)
    loaded(qtbot, widget)
    assert widget.status.text() == EMPTY
    assert not widget.copy_button.isEnabled()
    jobs.shutdown()
    database.dispose()


def test_rows_model_passes_the_model_tester(qtmodeltester):
    model: RowsModel[tuple[str, int]] = RowsModel(
        [Column("Name", lambda r: r[0]), Column("Count", lambda r: str(r[1]), numeric=True)]
    )
    model.set_rows([("a", 1), ("b", 2)])
    qtmodeltester.check(model)


def test_risk_column_for_the_live_table(demo_url):
    database = open_database(demo_url)
    view = live_view(database, now())
    database.dispose()
    live = view.live
    assert live is not None and view.risk is not None and view.model is not None
    status = live.clocks.status
    running = np.isin(status, OPEN_STATUSES) & (status != BREACHED)
    assert np.all((view.risk[running] > 0) & (view.risk[running] < 1))
    assert np.all(view.risk[status == BREACHED] == 1.0)
    assert 0 < view.model.quality.alert_threshold < 1
