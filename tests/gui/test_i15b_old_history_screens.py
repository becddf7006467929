"""Dashboard and Insights on a 2017 history: they open on the data's range and judge at a chosen day."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate

from slaapp.cli import main
from slaapp.models.database import open_database
from slaapp.views.common.jobs import JobRunner
from slaapp.views.dashboard.screen import DashboardScreen
from slaapp.views.insights.screen import InsightsScreen
from tests.integration.test_i15b_history import EVENTS


@pytest.fixture
def old_db(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert main(["import", str(events), "--db", url]) == 0
    database = open_database(url)
    yield database
    database.dispose()


def test_the_dashboard_opens_on_the_data_and_judges_at_a_chosen_day(qtbot, old_db):
    jobs = JobRunner()
    screen = DashboardScreen(old_db, jobs)
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.loaded, timeout=20_000) as shown:
        screen.refresh()
    data = shown.args[0]
    assert (data.first, data.last, len(data)) == (date(2017, 6, 5), date(2017, 6, 7), 6)
    assert "the data's own range" in screen.context.text()
    assert screen.notice.isHidden()
    with qtbot.waitSignal(screen.loaded, timeout=20_000) as judged:
        screen.filters.judge.setDate(QDate(2017, 6, 5))
    assert len(judged.args[0]) == 2  # as of the end of 5 June only L-1 had started
    assert judged.args[0].filter.judge_day == date(2017, 6, 5)
    qtbot.waitUntil(lambda: not jobs.running, timeout=20_000)
    jobs.shutdown()


def test_insights_open_on_the_data_and_judge_at_a_chosen_day(qtbot, old_db):
    jobs = JobRunner()
    screen = InsightsScreen(old_db, jobs)
    qtbot.addWidget(screen)
    screen.refresh()
    qtbot.waitUntil(lambda: not screen.loading, timeout=30_000)
    assert screen.first.date() == QDate(2017, 6, 5) and screen.last.date() == QDate(2017, 6, 7)
    assert "the data's own range" in screen.status.text()
    assert screen.cards["value"].value.text() == "$6k"  # L-1 and L-2, each once
    screen.judge.setDate(QDate(2017, 6, 5))
    screen.refresh()
    qtbot.waitUntil(lambda: not screen.loading, timeout=30_000)
    assert "judged at 06 Jun 2017 00:00" in screen.status.text()
    # By the end of 5 June only L-1 had started, and its first contact was already late.
    assert screen.cards["value"].value.text() == "$1k"
    qtbot.waitUntil(lambda: not jobs.running, timeout=20_000)
    jobs.shutdown()
