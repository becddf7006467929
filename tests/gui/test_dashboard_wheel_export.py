"""Dashboard charts: the wheel scrolls the page over a chart; a chart exports at 2x with its header, no buttons."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPalette, QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

from slaapp.models.database import open_database
from slaapp.services.dashboard import load_dashboard
from slaapp.services.demo_org import load_demo
from slaapp.services.store import now
from slaapp.views.common.chart_base import ChartCard
from slaapp.views.dashboard.caption import export_caption
from slaapp.views.dashboard.screen import DashboardScreen


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('wheel') / 'demo.db'}"
    database = open_database(url)
    load_demo(database, days=21)
    database.dispose()
    return url


@pytest.fixture
def database(demo_url):
    db = open_database(demo_url)
    yield db
    db.dispose()


@pytest.fixture
def screen(qtbot, database, jobs) -> DashboardScreen:
    shown = DashboardScreen(database, jobs)
    qtbot.addWidget(shown)
    shown.resize(1090, 620)  # a 1280x720 laptop's dashboard: the charts need scrolling
    shown.show()
    qtbot.waitExposed(shown)
    with qtbot.waitSignal(shown.loaded, timeout=30_000):
        shown.refresh()
    return shown


def _wheel(dy: int) -> QWheelEvent:
    return QWheelEvent(
        QPointF(40, 40), QPointF(40, 40), QPoint(0, 0), QPoint(0, dy),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False,
    )  # fmt: skip


def test_the_wheel_over_a_chart_scrolls_the_page_and_never_zooms(screen) -> None:
    for card in (screen.adherence, screen.breakdowns["source"], screen.reps.chart):
        area = next(a for a in screen.findChildren(QScrollArea) if a.isAncestorOf(card))
        bar = area.verticalScrollBar()
        bar.setValue(0)
        assert bar.maximum() > 0
        before = card.plot.getPlotItem().getViewBox().viewRange()
        QApplication.sendEvent(card.plot.viewport(), _wheel(-120))
        assert bar.value() == 120, card.title.text()
        QApplication.sendEvent(card.plot.viewport(), _wheel(120))
        assert bar.value() == 0
        assert card.plot.getPlotItem().getViewBox().viewRange() == before  # no zoom


def _row_is_plain(image: QImage, y: int, x0: int, x1: int, colour: QColor) -> bool:
    return all(image.pixelColor(x, y).rgb() == colour.rgb() for x in range(x0, x1))


def test_an_exported_chart_is_2x_with_its_title_and_no_button(screen, tmp_path) -> None:
    card: ChartCard = screen.breakdowns["source"]
    assert card.export_button.isVisible()
    size = card.export_size()
    assert size.width() == card.width() and size.height() > card.plot.height()
    path = tmp_path / "source.png"
    assert card.export_png(path)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (2 * size.width(), 2 * size.height())
    assert card.export_button.isVisible()  # the card itself is untouched
    background = card.palette().color(QPalette.ColorRole.Base)
    title_h = 2 * card.title.fontMetrics().height()
    top = 2 * 12  # the picture's margin
    # the title is drawn at the top left...
    assert not all(
        _row_is_plain(image, y, 0, image.width() // 3, background)
        for y in range(top, top + title_h)
    )
    # ...and where the card has its Export button (top right) the picture has only background
    button_w = 2 * card.export_button.width()
    for y in range(0, top + title_h):
        assert _row_is_plain(image, y, image.width() - button_w, image.width(), background), y
    lines = card.export_lines()
    assert lines[0] == card.title.text() and lines[1] == card.subtitle.text()
    assert [line for line in lines[2:]] == card.export_context.splitlines()


def test_the_header_names_the_period_and_every_filter(screen, database) -> None:
    shown = screen.data
    assert shown is not None
    handoff_key, handoff_name = shown.choices.handoffs[0]
    segment_key, segment_name = shown.choices.segments[0]
    chosen = replace(shown.filter, team="SDR", handoff=handoff_key, segment=segment_key)
    data = load_dashboard(database, chosen, now())
    caption = export_caption(data)
    period, filters, judged = caption.splitlines()
    first, last = data.first or chosen.first, data.last or chosen.last
    assert f"{first.day} {first:%b %Y}" in period and f"{last.day} {last:%b %Y}" in period
    assert f"{len(data):,} clocks" in period
    assert filters == f"Filters: Team: SDR · Handoff: {handoff_name} · Segment: {segment_name}"
    assert judged.startswith("Clocks judged at") and ("time" in judged or "UTC" in judged)
    unfiltered = export_caption(shown)
    assert "Filters: none" in unfiltered.splitlines()[1]
    assert all(card.export_context == unfiltered for card in screen.charts())


def test_value_labels_and_axis_names_are_never_cut(qtbot, screen) -> None:
    import pyqtgraph as pg
    from PySide6.QtGui import QFontMetrics

    from slaapp.views.common.chart_bars import _short

    screen.scroll.verticalScrollBar().setValue(0)
    for chart in (*screen.breakdowns.values(), screen.reps.chart):
        chart.grab()  # a paint: the items' places in the scene follow the view's range
        axis = chart.plot.getPlotItem().getAxis("left")
        metrics = QFontMetrics(chart.plot.font())
        widest = max(metrics.horizontalAdvance(_short(label)) for label in chart.bars.labels)
        assert axis.width() >= widest, chart.title.text()  # from the first frame on
        view = chart.plot.getPlotItem().getViewBox()
        inside = view.sceneBoundingRect().adjusted(-1, -1, 1, 1)
        texts = [item for item in view.addedItems if isinstance(item, pg.TextItem)]
        assert len(texts) >= len(chart.bars.labels)  # every value, and the goal's name
        for text in texts:
            assert inside.contains(text.sceneBoundingRect()), (
                chart.title.text(),
                text.toPlainText(),
            )
        goal = next(t for t in texts if t.toPlainText().startswith("Goal"))
        bars = [b for b in view.addedItems if isinstance(b, pg.BarGraphItem)]
        assert not any(goal.sceneBoundingRect().intersects(b.sceneBoundingRect()) for b in bars)
