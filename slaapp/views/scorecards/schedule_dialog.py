"""Dialog for the weekly scorecard: day, time, recipients, team and folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QWidget,
)

from slaapp.reports.schedule import DAYS, WeeklySchedule
from slaapp.views.common.i18n import tr
from slaapp.views.scorecards.export_dialog import chosen_team, team_choices


class ScheduleDialog(QDialog):
    """Edits a WeeklySchedule; the recipients field must hold addresses before saving."""

    def __init__(
        self, schedule: WeeklySchedule, teams: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Weekly scorecard"))
        self.base = schedule
        self.enabled = QCheckBox(tr("Send last week's scorecard every week while slaapp runs"))
        self.enabled.setChecked(schedule.enabled)
        self.day = QComboBox()
        self.day.addItems(list(DAYS))
        self.day.setCurrentIndex(schedule.weekday)
        hours, minutes = (int(p) for p in schedule.at.split(":"))
        self.time = QTimeEdit(QTime(hours, minutes))
        self.time.setDisplayFormat("HH:mm")
        self.recipients = QLineEdit(", ".join(schedule.recipients))
        self.recipients.setPlaceholderText("vp@company.com, cro@company.com")
        self.team = QComboBox()
        team_choices(self.team, teams, schedule.team)
        self.folder = QLineEdit(schedule.folder or str(Path.home()))
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        form = QFormLayout(self)
        form.addRow(self.enabled)
        form.addRow(tr("Day"), self.day)
        form.addRow(tr("Time ({zone})").format(zone=schedule.timezone), self.time)
        form.addRow(tr("Recipients"), self.recipients)
        form.addRow(tr("Team"), self.team)
        form.addRow(tr("Keep copies in"), self.folder)
        form.addRow(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def _addresses(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.recipients.text().split(",") if a.strip())

    def _save(self) -> None:
        bad = [a for a in self._addresses() if "@" not in a]
        if bad:
            self.problem.setText(
                tr("Not an email address: {addresses}").format(addresses=", ".join(bad))
            )
        elif self.enabled.isChecked() and not self._addresses():
            self.problem.setText(tr("Add at least one recipient, or turn the schedule off."))
        elif not Path(self.folder.text()).is_dir():
            self.problem.setText(
                tr("The folder {folder} does not exist.").format(folder=self.folder.text())
            )
        else:
            self.accept()

    def schedule(self, now: int) -> WeeklySchedule:
        """The edited schedule; it starts now, so the first run is the next one (a run already
        past is not sent), and it keeps when it was last really sent."""
        return WeeklySchedule(
            weekday=self.day.currentIndex(),
            at=self.time.time().toString("HH:mm"),
            timezone=self.base.timezone,
            recipients=self._addresses(),
            team=chosen_team(self.team),
            folder=self.folder.text().strip(),
            enabled=self.enabled.isChecked(),
            last_sent=self.base.last_sent,
            starts_at=now,
        )
