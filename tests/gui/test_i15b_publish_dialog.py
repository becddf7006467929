"""The Publish dialog's "Apply to history too": on by default over the provisional default."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaapp.cli import main
from slaapp.models.database import open_database
from slaapp.services.matrix_versions import ALL_HISTORY
from slaapp.views.common.jobs import JobRunner
from slaapp.views.matrix.dialogs import PublishDialog
from slaapp.views.matrix.grid import RULE_ROLE
from slaapp.views.matrix.screen import MatrixScreen
from tests.gui.test_matrix_editor import _cell

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "events-sample.csv"


@pytest.fixture
def imported(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    assert main(["import", str(SAMPLE), "--db", url]) == 0  # publishes the provisional default
    db = open_database(url)
    yield db
    db.dispose()


@pytest.fixture
def screen(qtbot, imported):
    jobs = JobRunner()
    widget = MatrixScreen(imported, jobs)
    widget.user = "ana"
    qtbot.addWidget(widget)
    widget.refresh()
    qtbot.waitUntil(lambda: widget.state is not None and not jobs.running, timeout=10_000)
    yield widget
    widget.save_timer.stop()
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    jobs.shutdown()


def _publish_through_dialog(qtbot, screen, monkeypatch, choose) -> tuple[PublishDialog, object]:
    seen: list[PublishDialog] = []

    def answer(dialog: PublishDialog) -> int:
        seen.append(dialog)
        choose(dialog)
        return PublishDialog.DialogCode.Accepted

    monkeypatch.setattr(PublishDialog, "exec", answer)
    with qtbot.waitSignal(screen.published, timeout=20_000) as done:
        screen.choose_publish()
    qtbot.waitUntil(lambda: screen.state is not None, timeout=10_000)
    return seen[0], done.args[0]


def test_first_publish_replaces_the_default_then_later_ones_count_older_clocks(
    qtbot, screen, monkeypatch
):
    total = len(screen.state.reach.starts)
    assert total > 0
    screen.model.setData(_cell(screen, "first_contact", "default"), {"target": "3h"}, RULE_ROLE)

    def keep_defaults(dialog: PublishDialog) -> None:
        assert dialog.history.isChecked()  # over the provisional default: all history
        assert not dialog.now.isEnabled()
        assert f"Every existing clock ({total:,})" in dialog.staying.text()
        assert "provisional default (version 1)" in dialog.staying.text()
        assert dialog.effective_from() == ALL_HISTORY

    _, first = _publish_through_dialog(qtbot, screen, monkeypatch, keep_defaults)
    assert (first.info.number, first.older_clocks, first.clocks) == (2, 0, total)
    assert first.replaced == 1

    qtbot.waitUntil(lambda: screen.state.latest.number == 2, timeout=10_000)
    screen.model.setData(_cell(screen, "first_contact", "default"), {"target": "4h"}, RULE_ROLE)

    def now_only(dialog: PublishDialog) -> None:
        assert not dialog.history.isChecked() and dialog.now.isEnabled()
        assert f"{total:,} existing clocks stay under an older version" in dialog.staying.text()
        assert dialog.effective_from() is None

    _, second = _publish_through_dialog(qtbot, screen, monkeypatch, now_only)
    assert (second.info.number, second.older_clocks) == (3, total)
    assert f"{total:,} existing clocks stay under an older version" in second.words

    qtbot.waitUntil(lambda: screen.state.latest.number == 3, timeout=10_000)
    screen.model.setData(_cell(screen, "first_contact", "default"), {"target": "5h"}, RULE_ROLE)

    def apply_to_history(dialog: PublishDialog) -> None:
        dialog.history.setChecked(True)
        assert dialog.effective_from() == ALL_HISTORY

    _, third = _publish_through_dialog(qtbot, screen, monkeypatch, apply_to_history)
    assert (third.info.number, third.older_clocks, third.replaced) == (4, 0, None)
