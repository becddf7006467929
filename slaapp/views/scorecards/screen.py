"""Scorecards: export the Excel scorecard of a period, and the weekly scorecard sent by mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import QT_TR_NOOP, QDate, QSettings, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.collector import collector_paused
from slaapp.reports.export import ExportResult, day_bounds, export_scorecard, period_zone
from slaapp.reports.schedule import WeeklySchedule
from slaapp.services.database import Database
from slaapp.services.display import display_zones
from slaapp.services.scorecard_delivery import load_schedule, save_schedule, smtp_settings
from slaapp.services.store import now, team_names
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.common.jobs import JobRunner, ProgressRelay
from slaapp.views.common.page_header import page_header
from slaapp.views.matrix.dialogs import local_time
from slaapp.views.scorecards.export_dialog import ExportChoice, ExportDialog
from slaapp.views.scorecards.schedule_dialog import ScheduleDialog

SHEETS = (  # the workbook's sheet names (as written in the file) and what each holds
    ("Summary", QT_TR_NOOP("adherence, breaches and the ranked causes, against the previous period")),
    ("Handoffs", QT_TR_NOOP(
        "every handoff and segment with volume, adherence, median and p90 response")),
    ("Teams", QT_TR_NOOP("each team with a chart, for the leaders' own meetings")),
    ("Rep scorecards", QT_TR_NOOP("every rep against the team average")),
    ("Trend", QT_TR_NOOP(
        "adherence per handoff over the whole period, week by week (monthly beyond two years)")),
    ("Breaches", QT_TR_NOOP("every breach with owner, value and a link to the CRM record")),
    ("Definitions", QT_TR_NOOP("the matrix in force: targets, calendars and segments")),
)  # fmt: skip


@dataclass(frozen=True)
class ScheduleState:
    schedule: WeeklySchedule | None
    teams: tuple[str, ...]
    can_mail: bool = True


def _schedule_state(database: Database) -> ScheduleState:
    can_mail = smtp_settings(database) is not None
    return ScheduleState(load_schedule(database), tuple(team_names(database)), can_mail)


class ScorecardsScreen(QWidget):
    """A Screen. Signals: open_record(int), message(str), data_changed(), exported(object),
    failed(str)."""

    title: str
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()
    exported = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        database: Database,
        jobs: JobRunner,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = tr("Scorecards")
        self.database = database
        self.jobs = jobs
        self.settings = settings
        self.open_exports = True
        self.state = ScheduleState(None, ())
        self.relay = ProgressRelay(self)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.relay.progress.connect(lambda share: self.progress.setValue(round(share * 100)))

        export_box = QGroupBox(tr("Export a scorecard"))
        export_layout = QVBoxLayout(export_box)
        about = QLabel(
            tr(
                "The workbook leadership opens in its meetings: seven sheets, formatted for "
                "print, with native Excel charts."
            )
            + "<br>"
            + "".join(f"<br>• <b>{name}</b>: {tr_marked(what)}" for name, what in SHEETS)
        )
        about.setWordWrap(True)
        self.export_button = QPushButton(tr("Other period…"))
        self.export_button.clicked.connect(lambda: self.choose_export())
        self.last_export = QLabel()
        self.last_week = QPushButton(tr("Last week"))
        self.last_week.clicked.connect(lambda: self.choose_export("week"))
        self.last_month = QPushButton(tr("Last month"))
        self.last_month.clicked.connect(lambda: self.choose_export("month"))
        row = QHBoxLayout()
        row.addWidget(self.last_week)
        row.addWidget(self.last_month)
        row.addWidget(self.export_button)
        row.addWidget(self.progress)
        row.addWidget(self.last_export, 1)
        export_layout.addWidget(about)
        export_layout.addLayout(row)

        schedule_box = QGroupBox(tr("Weekly scorecard by mail"))
        schedule_layout = QVBoxLayout(schedule_box)
        self.schedule_text = QLabel()
        self.schedule_text.setWordWrap(True)
        self.schedule_button = QPushButton(tr("Set up the weekly scorecard…"))
        self.schedule_button.clicked.connect(self.edit_schedule)
        schedule_layout.addWidget(self.schedule_text)
        schedule_row = QHBoxLayout()
        schedule_row.addWidget(self.schedule_button)
        schedule_row.addStretch(1)
        schedule_layout.addLayout(schedule_row)

        layout = QVBoxLayout(self)
        layout.addWidget(
            page_header(
                self.title, tr("The Excel workbook leadership reads, on demand or every week.")
            )
        )
        layout.addWidget(export_box)
        layout.addWidget(schedule_box)
        layout.addStretch(1)

    def widget(self) -> QWidget:
        return self

    def shutdown(self) -> None:
        """Nothing of its own runs in the background (exports run on the app's job runner)."""

    def refresh(self) -> None:
        self.jobs.start(
            partial(_schedule_state, self.database), self._loaded, self._fail, self._fail
        )

    def _loaded(self, result: ScheduleState) -> None:
        self.state = result
        schedule = result.schedule
        if schedule is None or not schedule.enabled:
            self.schedule_text.setText(
                tr(
                    "Not set up. slaapp can write last week's scorecard every Monday morning and "
                    "mail it to leadership while the app runs (or from cron with "
                    "`slaapp export --last-week --mail`)."
                )
            )
        else:
            if schedule.last_sent:
                sent = tr("Last sent {time}.").format(time=local_time(schedule.last_sent))
            elif not result.can_mail:
                sent = tr("Not sent yet: no mail server is set up (Settings > Email).")
            else:
                sent = tr("Not sent yet.")
            self.schedule_text.setText(
                tr("Sent {when}. {sent}").format(when=schedule.describe(), sent=sent)
            )

    # ----- export ------------------------------------------------------------------------
    def choose_export(self, period: str | None = None) -> None:
        """Ask for period, team and file; `week`/`month` preset last week or last month."""
        folder = Path(str(self.settings.value("export_folder", str(Path.home()))))
        dialog = ExportDialog(list(self.state.teams), folder, date.today(), self)
        if period == "month":
            last = date.today().replace(day=1) - timedelta(days=1)
            dialog.first.setDate(QDate(last.year, last.month, 1))
            dialog.last.setDate(QDate(last.year, last.month, last.day))
        if dialog.exec() == ExportDialog.DialogCode.Accepted:
            choice = dialog.choice()
            self.settings.setValue("export_folder", str(choice.path.parent))
            self.export(choice)

    def export(self, choice: ExportChoice) -> None:
        """Write a scorecard on a worker thread, with progress; opens it when done."""
        relay, database = self.relay, self.database

        def work() -> ExportResult:
            zone = display_zones(database)[1]  # the zone every screen shows (Settings)
            start, end = day_bounds(choice.first, choice.last, zone)
            with collector_paused():  # full collections here would stop the GUI thread
                return export_scorecard(database, choice.path, start=start, end=end, now=now(),
                                        team=choice.team, progress=relay.report, zone=zone)  # fmt: skip

        self.progress.setValue(0)
        self.progress.show()
        self.export_button.setEnabled(False)
        self.message.emit(tr("Writing {name}…").format(name=choice.path.name))
        self.jobs.start(work, self._exported, self._fail, self._fail)

    def _exported(self, result: ExportResult) -> None:
        self.progress.hide()
        self.export_button.setEnabled(True)
        self.last_export.setText(
            tr("Saved {name}: {summary}").format(name=result.path.name, summary=result.summary())
        )
        self.message.emit(tr("Scorecard saved: {summary}").format(summary=result.summary()))
        self.exported.emit(result)
        if self.open_exports:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))

    # ----- weekly schedule ---------------------------------------------------------------
    def edit_schedule(self) -> None:
        schedule = self.state.schedule or WeeklySchedule(timezone=period_zone(self.database))
        dialog = ScheduleDialog(schedule, list(self.state.teams), self)
        if dialog.exec() == ScheduleDialog.DialogCode.Accepted:
            chosen = dialog.schedule(now())
            work = partial(save_schedule, self.database, chosen, now())
            self.jobs.start(work, lambda _: self._saved(chosen), self._fail, self._fail)

    def _saved(self, chosen: WeeklySchedule) -> None:
        self.message.emit(tr("Weekly scorecard: {when}").format(when=chosen.describe()))
        self.refresh()

    def _fail(self, message: str) -> None:
        self.progress.hide()
        self.export_button.setEnabled(True)
        self.message.emit(message)
        self.failed.emit(message)
