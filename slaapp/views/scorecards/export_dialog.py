"""Dialog asking for a scorecard's period, scope and file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from slaapp.reports.periods import last_full_week
from slaapp.views.common.i18n import tr


def team_choices(combo: QComboBox, teams: list[str], current: str | None = None) -> None:
    """ "All teams" (data None) and each team by name (data: the name); `current` chosen."""
    combo.addItem(tr("All teams"), None)
    for team in teams:
        combo.addItem(team, team)
    combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)


def chosen_team(combo: QComboBox) -> str | None:
    """The team picked with `team_choices`, None for all teams."""
    team = combo.currentData()
    return team if isinstance(team, str) else None


@dataclass(frozen=True)
class ExportChoice:
    """The first and last day (included), the team (None for all) and the file."""

    first: date
    last: date
    team: str | None
    path: Path


class ExportDialog(QDialog):
    """Period (defaults to last full week), scope and output file of a scorecard."""

    def __init__(
        self, teams: list[str], folder: Path, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Export scorecard"))
        first, last = last_full_week(today)
        self.first = QDateEdit(QDate(first.year, first.month, first.day))
        self.last = QDateEdit(QDate(last.year, last.month, last.day))
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
        self.team = QComboBox()
        team_choices(self.team, teams)
        self.path = QLineEdit(str(folder / f"slaapp-scorecard-{first.isoformat()}.xlsx"))
        browse = QPushButton(tr("Choose…"))
        browse.clicked.connect(self._choose)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow(tr("First day"), self.first)
        form.addRow(tr("Last day"), self.last)
        form.addRow(tr("Team"), self.team)
        form.addRow(tr("Save as"), file_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Export"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.first.dateChanged.connect(self._check)
        self.last.dateChanged.connect(self._check)
        self.path.textChanged.connect(self._check)

    def _choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save scorecard"), self.path.text(), tr("Excel workbook (*.xlsx)")
        )
        if path:
            self.path.setText(path if path.lower().endswith(".xlsx") else f"{path}.xlsx")

    def _check(self) -> None:
        ok = self.first.date() <= self.last.date() and self.path.text().strip().lower().endswith(
            ".xlsx"
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def _accept(self) -> None:
        if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            self.accept()

    def choice(self) -> ExportChoice:
        return ExportChoice(
            self.first.date().toPython(),  # type: ignore[arg-type]
            self.last.date().toPython(),  # type: ignore[arg-type]
            chosen_team(self.team),
            Path(self.path.text().strip()),
        )
