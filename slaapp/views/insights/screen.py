"""Insights: where SLAs slip and why, what a change would do, the predictor and the monthly report."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QT_TR_NOOP, QDate, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDateEdit,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.insights.predict import describe_quality
from slaapp.engine.insights.report_text import predictor_problem
from slaapp.engine.insights.text import money, rate
from slaapp.services.database import Database
from slaapp.services.store import now
from slaapp.views.common.i18n import tr, tr_marked, translated
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.table_model import TableModel
from slaapp.views.insights.tables import (
    BACKTEST_COLUMNS,
    CAUSE_COLUMNS,
    HANDOFF_COLUMNS,
    REVIEW_COLUMNS,
    backtest_rows,
)
from slaapp.views.insights.tabs import make_table, monthly_html, titled
from slaapp.views.insights.whatif import WhatIfPanel
from slaapp.views.insights.work import InsightsResult, load_insights

DEFAULT_DAYS = 90
NOW = QDate(2000, 1, 1)  # the judge-at edit's lowest date, shown as "Now"
EMPTY = QT_TR_NOOP(
    "No history yet: import events or load the demo org (File ▸ Load demo data), then refresh."
)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class Card(QFrame):
    """A headline figure with its caption."""

    def __init__(self, caption: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip(tip)
        self.value = QLabel("–")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setForegroundRole(self.caption.foregroundRole())
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def show_value(self, text: str) -> None:
        self.value.setText(text)


class InsightsScreen(QWidget):
    """A Screen. Signals: open_record(int), message(str), data_changed()."""

    title: str
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()

    def __init__(self, database: Database, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = tr("Insights")
        self.database = database
        self.jobs = jobs
        self.result: InsightsResult | None = None
        self.loading = False
        self._quiet = False
        title = QLabel(self.title)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(tr("Where SLAs slip, why, and what a change would do"))
        today = datetime.now(UTC).date()
        self.first = QDateEdit(_qdate(date.fromordinal(today.toordinal() - DEFAULT_DAYS + 1)))
        self.last = QDateEdit(_qdate(today))
        self.follow_data = True  # until a date is picked: the last days, or the data's range
        for edit, tip in (
            (
                self.first,
                tr("First start day of the clocks analysed (in the matrix's business zone)"),
            ),
            (self.last, tr("Last start day of the clocks analysed, included")),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setToolTip(tip)  # fmt: skip
            edit.dateChanged.connect(self._picked)
        self.judge = QDateEdit(NOW)
        self.judge.setCalendarPopup(True)
        self.judge.setDisplayFormat("d MMM yyyy")
        self.judge.setMinimumDate(NOW)
        self.judge.setSpecialValueText(tr("Now"))
        self.judge.setDate(NOW)
        self.judge.setAccessibleName(tr("Judge at"))
        self.judge.setToolTip(
            tr(
                "Judge the clocks as they stood at the end of this day (Now: as they stand now); "
                "a period's clocks are never judged after its last day"
            )
        )
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(10, 95)
        self.threshold.setSingleStep(5)
        self.threshold.setDecimals(0)
        self.threshold.setSuffix(" %")
        self.threshold.setValue(30)
        self.threshold.setToolTip(
            tr(
                "A single team-day late at least this often (and far above the team's normal) is "
                "flagged as a capacity day"
            )
        )
        self.refresh_button = QPushButton(tr("Analyse"))
        self.refresh_button.setToolTip(tr("Re-read the history and recompute every insight"))
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        for label, widget in (
            (tr("From"), self.first),
            (tr("to"), self.last),
            (tr("Judge at"), self.judge),
            (tr("Capacity threshold"), self.threshold),
        ):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)  # fmt: skip
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.cards = {
            "late": Card(tr("late of decided clocks"), tr("Late clocks started in the period")),
            "value": Card(tr("pipeline behind late clocks"),
                          tr("Amount of the records with a late clock")),
            "stake": Card(tr("at stake on open clocks"), tr("Amount of records whose open clock "
                          "is at risk or late now")),
            "auc": Card(tr("late predictor AUC"), tr("Held-out AUC of the late-clock predictor "
                        "(1 = perfect ranking, 0.5 = chance)")),
            "warned": Card(tr("late clocks warned in time"), tr("Late clocks whose first warning "
                           "left at least the typical response time")),
        }  # fmt: skip
        cards = QGridLayout()
        for column, card in enumerate(self.cards.values()):
            cards.addWidget(card, 0, column)
        self.tabs = QTabWidget()
        self.causes = TableModel(translated(CAUSE_COLUMNS), self)
        self.handoffs = TableModel(translated(HANDOFF_COLUMNS), self)
        self.review = TableModel(translated(REVIEW_COLUMNS), self)
        self.backtest = TableModel(translated(BACKTEST_COLUMNS), self)
        findings = QSplitter(Qt.Orientation.Vertical)
        self.causes_table = make_table(self.causes, findings, stretch=4)  # the numbers
        self.handoffs_table = make_table(self.handoffs, findings, stretch=0)
        findings.addWidget(titled(tr("Root causes, largest first"), self.causes_table))
        findings.addWidget(titled(tr("Handoffs in the period"), self.handoffs_table))
        findings.setStretchFactor(0, 3)
        findings.setStretchFactor(1, 2)
        self.tabs.addTab(findings, tr("Findings"))
        self.what_if = WhatIfPanel(jobs, self)
        self.what_if.message.connect(self.message)
        self.tabs.addTab(self.what_if, tr("What-if"))
        predictor = QWidget()
        self.quality = QLabel("")
        self.quality.setWordWrap(True)
        predictor_layout = QVBoxLayout(predictor)
        predictor_layout.addWidget(
            titled(tr("Late-clock predictor (held-out history)"), self.quality)
        )
        self.backtest_table = make_table(self.backtest, predictor, stretch=0)
        predictor_layout.addWidget(titled(tr("Alert backtest: the first warning of each handoff"),
                                          self.backtest_table), 1)  # fmt: skip
        self.tabs.addTab(predictor, tr("Predictor && alerts"))
        self.review_table = make_table(self.review, self)
        self.tabs.addTab(self.review_table, tr("Suggestions"))
        monthly = QWidget()
        self.report = QTextBrowser()
        self.copy_button = QPushButton(tr("Copy analysis prompt"))
        self.copy_button.setToolTip(
            tr(
                "Copy last month's aggregated late-clock data, with the questions to answer, for "
                "an AI assistant (no record names)"
            )
        )
        self.copy_button.clicked.connect(self.copy_prompt)
        self.copy_button.setEnabled(False)
        monthly_layout = QVBoxLayout(monthly)
        monthly_layout.addWidget(self.report, 1)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        monthly_layout.addLayout(copy_row)
        self.tabs.addTab(monthly, tr("Monthly report"))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addLayout(cards)
        layout.addWidget(self.tabs, 1)

    def widget(self) -> QWidget:
        return self

    def shutdown(self) -> None:
        """Nothing of its own runs in the background (its jobs run on the app's runner)."""

    def days(self) -> tuple[date, date] | None:
        """The picked first and last day, or None for the default period."""
        if self.follow_data:
            return None
        return self.first.date().toPython(), self.last.date().toPython()

    def judge_day(self) -> date | None:
        """The day chosen to judge the clocks at, or None for now."""
        chosen = self.judge.date()
        if chosen == NOW:
            return None
        return date(chosen.year(), chosen.month(), chosen.day())

    def _picked(self) -> None:
        if not self._quiet:
            self.follow_data = False

    def _show_days(self, first: date, last: date) -> None:
        """Show the days analysed without counting it as the user's pick."""
        self._quiet = True
        self.first.setDate(_qdate(first))
        self.last.setDate(_qdate(last))
        self._quiet = False

    def refresh(self) -> None:
        if self.loading:
            return
        if self.last.date() < self.first.date():
            self.status.setText(tr("The last day is before the first day: pick a later last day."))
            return
        self.loading = True
        self.refresh_button.setEnabled(False)
        self.status.setText(tr("Analysing the history…"))
        database, days, threshold = self.database, self.days(), self.threshold.value() / 100
        judge = self.judge_day()
        self.jobs.start(
            lambda: load_insights(database, days, threshold, now(), judge),
            self._loaded, self._failed, self._crashed,
        )  # fmt: skip

    def _finish(self) -> None:
        self.loading = False
        self.refresh_button.setEnabled(True)

    def _failed(self, text: str) -> None:
        self._finish()
        self.status.setText(tr("Could not analyse the history: {error}").format(error=text))

    def _crashed(self, text: str) -> None:
        self._finish()
        self.status.setText(
            tr("Analysis failed unexpectedly ({error}); details are in the log.").format(error=text)
        )

    def _loaded(self, result: InsightsResult | None) -> None:
        self._finish()
        if result is None:
            self.result = None
            self.status.setText(tr_marked(EMPTY))
            for model in (self.causes, self.handoffs, self.review, self.backtest):
                model.set_rows([])
            self.copy_button.setEnabled(False)
            return
        self.result = result
        report = result.report
        if result.chosen is not None:
            self._show_days(result.chosen.first, result.chosen.last)
        late = sum(h.violations for h in report.handoffs)
        decided = sum(h.judged for h in report.handoffs)
        findings = (
            tr("{count} finding over {clocks:,} clocks started in the period. ")
            if len(report.causes) == 1
            else tr("{count} findings over {clocks:,} clocks started in the period. ")
        ).format(count=len(report.causes), clocks=sum(h.clocks for h in report.handoffs))
        self.status.setText(
            findings + result.status_words() if result.started else result.status_words()
        )
        self.cards["late"].show_value(f"{late:,} ({rate(late / decided if decided else None)})")
        self.cards["value"].show_value(money(report.revenue.breached_value))
        self.cards["stake"].show_value(money(report.revenue.at_stake_value))
        quality = report.quality
        self.cards["auc"].show_value(tr("n/a") if quality is None else f"{quality.auc:.2f}")
        self.cards["warned"].show_value(rate(report.backtest.in_time))
        self.causes.set_rows(report.causes)
        self.handoffs.set_rows(report.handoffs)
        self.review.set_rows(report.review)
        self.backtest.set_rows(backtest_rows(report.backtest.handoffs, report.names))
        self.quality.setText(
            describe_quality(quality) + (
                tr(" Predictive alerts fire at a risk of {share:.0%}.").format(
                    share=quality.alert_threshold)
                if quality is not None else "")
            if quality is not None else predictor_problem(report.model_problem or "")
        )  # fmt: skip
        for table, widths in (
            (self.causes_table, (90, 330, 150, 70, 0, 100)),
            (self.handoffs_table, (300, 80, 80, 80)),
            (self.review_table, (240, 110, 70, 100)),
            (self.backtest_table, (260, 100, 90, 140, 80)),
        ):
            for column, width in enumerate(widths):
                if width:  # 0: the column that stretches
                    table.setColumnWidth(column, width)  # fmt: skip
        self.report.setHtml(monthly_html(result.monthly, result.month))
        self.copy_button.setEnabled(True)
        self.what_if.set_frame(result.frame, report.period)
        self.message.emit(tr("Insights updated"))

    def copy_prompt(self) -> None:
        if self.result is None:
            return
        QGuiApplication.clipboard().setText(self.result.prompt)
        self.message.emit(tr("Analysis prompt copied: paste it into your AI assistant"))
