"""The dashboard screen: the filter bar drives every chart, clicks list the clocks behind, models are sound."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPalette

from slaapp.models.database import open_database
from slaapp.services.dashboard import DashboardData
from slaapp.services.demo_org import load_demo
from slaapp.views.common.chart_bars import BarChart
from slaapp.views.dashboard.clocks import COLUMNS, ClockListModel
from slaapp.views.dashboard.reps import RepScorecardModel, rep_order
from slaapp.views.dashboard.screen import EMPTY_DATABASE, DashboardScreen


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'demo.db'}"
    database = open_database(url)
    load_demo(database, days=21)
    database.dispose()
    return url


@pytest.fixture
def database(demo_url):
    db = open_database(demo_url)
    yield db
    db.dispose()


def _open(qtbot, database, jobs) -> tuple[DashboardScreen, DashboardData]:
    screen = DashboardScreen(database, jobs)
    qtbot.addWidget(screen)
    screen.resize(1400, 900)
    screen.show()
    qtbot.waitExposed(screen)
    with qtbot.waitSignal(screen.loaded, timeout=20_000) as blocker:
        screen.refresh()
    return screen, blocker.args[0]


def _charts(screen: DashboardScreen) -> dict[str, object]:
    """What every chart draws, to compare two loads."""
    return {
        "headline": {k: v.text() for k, v in screen.headline.values.items()},
        "adherence": screen.adherence.lines(),
        "heat": screen.heat.heat.breaches.tolist(),
        "distribution": screen.distribution.found.counts.tolist(),  # every handoff's bins
        "reps": screen.reps.chart.bars.labels,
        **{key: chart.bar_values() for key, chart in screen.breakdowns.items()},
    }


def test_changing_the_team_changes_every_chart(qtbot, database, jobs) -> None:
    screen, everyone = _open(qtbot, database, jobs)
    before = _charts(screen)
    assert len(everyone) > 0 and not screen.notice.isVisible()
    team = screen.filters.team
    with qtbot.waitSignal(screen.loaded, timeout=20_000) as blocker:
        team.setCurrentIndex(team.findData("SDR"))
    sdr: DashboardData = blocker.args[0]
    assert sdr.filter.team == "SDR" and 0 < len(sdr) < len(everyone)
    assert {sdr.team.labels[c] for c in set(sdr.team.codes.tolist())} == {"SDR"}
    after = _charts(screen)
    for name, drawn in before.items():
        assert after[name] != drawn, f"the {name} chart did not follow the team filter"
    shown = set(screen.reps.chart.bars.labels)
    sdr_reps = {sdr.owner.labels[c] for c in set(sdr.owner.codes.tolist()) if c >= 0}
    assert shown == sdr_reps
    assert screen.filters.team.currentData() == "SDR"  # the choice survives the new choices
    with qtbot.waitSignal(screen.loaded, timeout=20_000) as blocker:
        screen.filters.step.setCurrentIndex(screen.filters.step.findData("week"))
    weekly: DashboardData = blocker.args[0]
    assert weekly.clock_id is sdr.clock_id  # re-bucketed without reading the database again
    assert len(weekly.metrics.adherence.buckets) < len(sdr.metrics.adherence.buckets)
    assert len(screen.adherence.lines()["All handoffs"]) == len(weekly.metrics.adherence.buckets)


def _click(qtbot, chart: BarChart, x: float, y: float) -> None:
    view = chart.plot.getPlotItem().getViewBox()
    scene = view.mapViewToScene(QPointF(x, y))
    point = chart.plot.mapFromScene(scene)
    qtbot.mouseClick(chart.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_clicking_a_bar_lists_exactly_the_clocks_behind_it(qtbot, database, jobs) -> None:
    screen, data = _open(qtbot, database, jobs)
    chart = screen.breakdowns["source"]
    chart_index = 1
    source = chart.bars.labels[chart_index]
    value = chart.bar_values()[chart_index]
    with qtbot.waitSignal(chart.picked):
        _click(qtbot, chart, value / 2, chart_index)
    code = data.source.labels.index(source)
    expected = sorted(data.clock_id[data.source.codes == code].tolist())
    assert sorted(screen.list_model.clock_ids()) == expected
    assert (
        source in screen.list_caption.text()
        and f"{len(expected):,} clocks" in screen.list_caption.text()
    )

    with qtbot.waitSignal(screen.open_record) as opened:
        index = screen.list_model.index(0, 0)
        screen.list.doubleClicked.emit(index)
    assert opened.args[0] == screen.list_model.record_id(0)
    assert opened.args[0] in data.record_id.tolist()


def test_heat_cells_and_rep_bars_list_their_clocks_and_explain_themselves(
    qtbot, database, jobs
) -> None:
    screen, data = _open(qtbot, database, jobs)
    heat = screen.heat.heat
    cell = int(np.argmax(heat.breaches))
    day, hour = divmod(cell, 24)
    assert screen.heat.hit(QPointF(hour + 0.5, day + 0.5)) == cell
    assert f"{heat.breaches[day, hour]:,} breaches" in screen.heat.tooltip(cell)
    screen.heat.pick(cell)
    rows = screen.list_model.rows
    assert rows.size == heat.breaches[day, hour]
    assert data.columns.late[rows].all()

    reps = screen.reps
    first = reps.chart.bars.labels[0]
    tip = reps.chart.tooltip(reps.chart.hit(QPointF(0.1, 0)))
    assert first in tip and "team" in tip
    reps.pick_rep(reps.model.rep_at(0))
    owner = data.owner.labels.index(first)
    assert sorted(screen.list_model.clock_ids()) == sorted(
        data.clock_id[data.owner.codes == owner].tolist()
    )


def test_charts_export_as_png_and_follow_a_dark_palette(qtbot, database, jobs, tmp_path) -> None:
    screen, _ = _open(qtbot, database, jobs)
    for i, chart in enumerate(screen.charts()):
        path = tmp_path / f"chart{i}.png"
        assert chart.export_png(path)
        image = QImage(str(path))
        assert not image.isNull() and image.width() > 100
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#17181a"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    screen.setPalette(palette)
    assert all(chart.theme.dark for chart in screen.charts())
    assert screen.heat.plot.backgroundBrush().color() == QColor("#17181a")


def test_an_empty_database_says_what_to_do(qtbot, tmp_path, jobs) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        screen, data = _open(qtbot, database, jobs)
        assert len(data) == 0
        assert screen.notice.isVisible() and EMPTY_DATABASE in screen.notice.text()
        assert screen.breakdowns["team"].bar_values() == []
    finally:
        database.dispose()


def test_models_pass_the_model_tester(qtmodeltester, qtbot, database, jobs) -> None:
    screen, data = _open(qtbot, database, jobs)
    clocks = ClockListModel()
    clocks.set_clocks(data, np.arange(min(len(data), 200), dtype=np.int64))
    qtmodeltester.check(clocks)
    assert clocks.columnCount() == len(COLUMNS)
    clocks.sort(COLUMNS.index("Started"), Qt.SortOrder.DescendingOrder)
    started = data.columns.started_at[clocks.rows]
    assert (np.diff(started) <= 0).all()
    reps = RepScorecardModel()
    cards = data.metrics.reps
    reps.set_scorecards(cards, rep_order(cards))
    qtmodeltester.check(reps)
    qtmodeltester.check(screen.reps.model)
    qtmodeltester.check(screen.list_model)


def test_period_presets_and_custom_dates(qtbot) -> None:
    from datetime import date

    from slaapp.views.dashboard.filter import PRESETS, FilterBar, preset_dates

    bar = FilterBar(date(2026, 11, 27))
    qtbot.addWidget(bar)
    assert (bar.current().first, bar.current().last) == (date(2026, 10, 29), date(2026, 11, 27))
    assert preset_dates("Quarter to date", date(2026, 11, 27)) == (
        date(2026, 10, 1),
        date(2026, 11, 27),
    )
    with qtbot.waitSignal(bar.changed) as changed:
        bar.period.setCurrentIndex(PRESETS.index("Last 7 days"))
    assert changed.args[0].first == date(2026, 11, 21)
    bar.set_today(date(2026, 11, 28))  # the app stayed open past midnight
    assert bar.current().last == date(2026, 11, 28)
    with qtbot.waitSignal(bar.changed) as changed:
        bar.first.setDate(date(2026, 11, 1))
    assert bar.period.currentText() == "Custom dates" and changed.args[0].first == date(2026, 11, 1)
    bar.set_today(date(2026, 11, 29))  # custom dates stay put
    assert bar.current().last == date(2026, 11, 28)


def test_the_clock_list_fits_1280_pixels_and_shows_elided_text_whole(qtbot, database, jobs) -> None:
    screen, _ = _open(qtbot, database, jobs)
    screen.resize(1070, 700)  # the dashboard's share of a 1280x720 window beside the side bar
    qtbot.wait(50)
    screen.heat.pick(int(np.argmax(screen.heat.heat.breaches)))
    assert screen.list_model.rowCount() > 0
    header = screen.list.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(len(COLUMNS))]
    assert sum(widths) <= screen.list.viewport().width()
    assert min(widths) >= 40
    model = screen.list_model
    for column in range(6):  # record, handoff, segment, owner, team, source: whole in the tooltip
        index = model.index(0, column)
        shown = model.data(index, Qt.ItemDataRole.DisplayRole)
        assert shown in model.data(index, Qt.ItemDataRole.ToolTipRole)
