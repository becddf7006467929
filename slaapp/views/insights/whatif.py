"""The what-if panel: pick a handoff, segment, target or calendar; replay; before and after."""

from __future__ import annotations

from PySide6.QtCore import QT_TR_NOOP, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.durations import DurationError, parse_duration
from slaapp.engine.errors import BadInputError
from slaapp.engine.insights.frame import Frame
from slaapp.engine.insights.inputs import Period
from slaapp.engine.insights.whatif import Change, Side, WhatIf
from slaapp.engine.matrix import DEFAULT_SEGMENT, Matrix
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.table_model import Column, TableModel
from slaapp.views.insights.work import run_what_if

ALL_SEGMENTS = QT_TR_NOOP("All segments")
KEEP_CALENDAR = QT_TR_NOOP("Keep its calendar")

Row = tuple[str, str, str, str]


def _conversion(side: Side) -> str:
    return tr("n/a") if side.conversion is None else f"{side.conversion:.1%}"


def comparison_rows(run: WhatIf) -> list[Row]:
    """(figure, before, after, change) rows of a what-if."""
    b, a = run.before, run.after

    def delta(x: int, y: int) -> str:
        return f"{y - x:+,}" + (f" ({(y - x) / x:+.0%})" if x else "")

    points = run.conversion_points
    return [
        (tr("Clocks replayed"), f"{b.clocks:,}", f"{a.clocks:,}", ""),
        (tr("Late clocks"), f"{b.violations:,}", f"{a.violations:,}",
         delta(b.violations, a.violations)),
        (tr("Alerts (all steps)"), f"{b.alerts.total:,}", f"{a.alerts.total:,}",
         delta(b.alerts.total, a.alerts.total)),
        (tr("Warnings"), f"{b.alerts.warnings:,}", f"{a.alerts.warnings:,}",
         delta(b.alerts.warnings, a.alerts.warnings)),
        (tr("Late notices"), f"{b.alerts.breaches:,}", f"{a.alerts.breaches:,}",
         delta(b.alerts.breaches, a.alerts.breaches)),
        (tr("Escalations"), f"{b.alerts.escalations:,}", f"{a.alerts.escalations:,}",
         delta(b.alerts.escalations, a.alerts.escalations)),
        (tr("Estimated conversion"), _conversion(b), _conversion(a),
         "" if points is None else tr("{points:+.1f} pts").format(points=points)),
    ]  # fmt: skip


class WhatIfPanel(QWidget):
    """Replays the chosen period under one changed rule off the GUI thread. Signals: message(str)."""

    message = Signal(str)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.frame: Frame | None = None
        self.period: Period | None = None
        self.handoff = QComboBox()
        self.handoff.setToolTip(tr("The handoff (matrix row) whose rule changes"))
        self.segment = QComboBox()
        self.segment.setToolTip(tr("Change one segment's rule, or every rule of the handoff"))
        self.target = QLineEdit()
        self.target.setPlaceholderText(tr("e.g. 5bd, 4h, 90m"))
        self.target.setToolTip(tr("The new target: 90m, 4h, 1h30m, 14d or 3bd (business days)"))
        self.calendar = QComboBox()
        self.calendar.setToolTip(tr("Time the rule on another calendar of the matrix"))
        self.run_button = QPushButton(tr("Replay period"))
        self.run_button.setToolTip(tr("Re-evaluate the period's clocks under the changed rule"))
        self.run_button.clicked.connect(self.run)
        self.handoff.currentIndexChanged.connect(self._fill_target)
        self.segment.currentIndexChanged.connect(self._fill_target)
        form = QFormLayout()
        form.addRow(tr("Handoff"), self.handoff)
        form.addRow(tr("Segment"), self.segment)
        form.addRow(tr("New target"), self.target)
        form.addRow(tr("Calendar"), self.calendar)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        form.addRow(buttons)
        note = QLabel(
            tr(
                "The replay re-times every clock of the handoff started in the period under the "
                "changed matrix, from the same events. Alerts count each warning level, late "
                "notice and escalation step a clock reached. Estimated conversion applies the "
                "observed conversion by response-time band of each segment or source where speed "
                "matters (elsewhere conversion does not depend on speed), assuming clocks that "
                "met the old deadline take up the change of their deadline."
            )
        )
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addRow(note)
        box = QGroupBox(tr("Proposed change"))
        box.setLayout(form)
        self.sentence = QLabel(tr("Choose a change and replay the period to see its effect."))
        self.sentence.setWordWrap(True)
        self.sentence.setObjectName("whatIfSentence")
        self.model: TableModel[Row] = TableModel(
            (
                Column(tr("Figure"), lambda r: r[0]),
                Column(tr("Before"), lambda r: r[1], numeric=True),
                Column(tr("After"), lambda r: r[2], numeric=True),
                Column(tr("Change"), lambda r: r[3], numeric=True),
            ),
            self,
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, 150)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        layout = QHBoxLayout(self)
        layout.addWidget(box, 1)
        right = QVBoxLayout()
        right.addWidget(self.sentence)
        right.addWidget(self.table, 1)
        layout.addLayout(right, 2)
        self._matrix: Matrix | None = None

    def set_frame(self, frame: Frame, period: Period) -> None:
        self.frame, self.period = frame, period
        matrix = frame.inputs.matrix
        if matrix is not self._matrix:
            self._matrix = matrix
            self.handoff.clear()
            for h in matrix.handoffs:
                self.handoff.addItem(h.name, h.key)
            self.segment.clear()
            self.segment.addItem(tr_marked(ALL_SEGMENTS), None)
            for s in matrix.segments:
                self.segment.addItem(s.name, s.key)
            self.calendar.clear()
            self.calendar.addItem(tr_marked(KEEP_CALENDAR), None)
            for key in matrix.calendars:
                self.calendar.addItem(key, key)
            self._fill_target()

    def _fill_target(self) -> None:
        if self._matrix is None or self.handoff.currentData() is None:
            return
        handoff = self._matrix.handoff(self.handoff.currentData())
        segment = self.segment.currentData()
        rule = handoff.rules.get(segment or DEFAULT_SEGMENT, handoff.rules[DEFAULT_SEGMENT])
        self.target.setText(str(rule.target))

    def change(self) -> Change:
        """The change the form describes; ValueError with the reason when it is incomplete."""
        if self._matrix is None:
            raise BadInputError(tr("no history loaded yet"))
        key = self.handoff.currentData()
        calendar = self.calendar.currentData()
        handoff = self._matrix.handoff(key)
        segment = self.segment.currentData()
        spec = self._matrix.calendars[calendar or handoff.rule_calendar(
            segment if segment in handoff.rules else DEFAULT_SEGMENT)]  # fmt: skip
        text = self.target.text().strip()
        try:
            target = parse_duration(text, spec.business_day_seconds) if text else None
        except DurationError as exc:
            raise BadInputError(tr("New target: {error}").format(error=exc)) from None
        if target is None and calendar is None:
            raise BadInputError(tr("enter a new target or choose another calendar"))
        return Change(key, segment, target, calendar)

    def run(self) -> None:
        if self.frame is None or self.period is None:
            self.sentence.setText(tr("Load the history first."))
            return
        try:
            change = self.change()
        except ValueError as exc:
            self.sentence.setText(str(exc))
            return
        frame, period = self.frame, self.period
        self.run_button.setEnabled(False)
        self.sentence.setText(tr("Replaying the period…"))
        self.jobs.start(
            lambda: run_what_if(frame, (change,), period), self._done, self._failed, self._failed
        )

    def _done(self, result: WhatIf) -> None:
        self.run_button.setEnabled(True)
        self.sentence.setText(result.sentence)
        self.model.set_rows(comparison_rows(result))
        self.message.emit(tr("What-if replayed"))

    def _failed(self, text: str) -> None:
        self.run_button.setEnabled(True)
        self.sentence.setText(tr("The replay failed: {error}").format(error=text))
