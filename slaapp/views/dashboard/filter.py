"""The dashboard's one filter bar: period preset or dates, team, handoff, segment, source, day or week."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QT_TR_NOOP, QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from slaapp.services.dashboard import DashboardChoices, DashboardFilter
from slaapp.views.common.i18n import tr, tr_marked

PRESETS = (QT_TR_NOOP("Last 7 days"), QT_TR_NOOP("Last 30 days"), QT_TR_NOOP("Last 90 days"),
           QT_TR_NOOP("Month to date"), QT_TR_NOOP("Quarter to date"),
           QT_TR_NOOP("Custom dates"))  # fmt: skip
"""Period presets by their untranslated names (the combo shows them translated)."""
CUSTOM = PRESETS.index("Custom dates")
NOW = QDate(2000, 1, 1)  # the judge-at edit's lowest date, shown as "Now"
STEPS = (("day", QT_TR_NOOP("By day")), ("week", QT_TR_NOOP("By week")))


def preset_dates(preset: str, today: date) -> tuple[date, date]:
    """First and last day (both included) of a period preset ending today."""
    if preset.startswith("Last "):
        days = int(preset.split()[1])
        return today - timedelta(days=days - 1), today
    if preset == "Month to date":
        return today.replace(day=1), today
    if preset == "Quarter to date":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    raise ValueError(f"unknown period preset {preset!r}")


class FilterBar(QWidget):
    """Signals: changed(DashboardFilter) whenever the period or a filter changes."""

    changed = Signal(object)

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self._quiet = False
        self.period = QComboBox()
        for preset in PRESETS:
            self.period.addItem(tr_marked(preset), preset)
        self.period.setToolTip(tr("Clocks count in the period their start falls in"))
        self.period.setAccessibleName(tr("Period"))
        self.first = self._date_edit(tr("First day of the period (included)"))
        self.last = self._date_edit(tr("Last day of the period (included)"))
        self.team = self._combo(tr("Only clocks owned by this team's members"))
        self.handoff = self._combo(tr("Only this handoff"))
        self.segment = self._combo(tr("Only this segment"))
        self.source = self._combo(tr("Only records from this lead source"))
        self.step = QComboBox()
        for key, text in STEPS:
            self.step.addItem(tr_marked(text), key)
        self.step.setToolTip(tr("Adherence over time per day or per week"))
        self.judge = self._date_edit(
            tr(
                "Judge the clocks as they stood at the end of this day (Now: as they stand now); "
                "a period's clocks are never judged after its last day"
            )
        )
        self.judge.setMinimumDate(NOW)
        self.judge.setSpecialValueText(tr("Now"))
        self.judge.setDate(NOW)
        self.judge.setAccessibleName(tr("Judge at"))
        self.set_choices(DashboardChoices())
        layout = QVBoxLayout(self)  # two rows: the period, then the filters (fits 1280 px)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        rows = (
            ((tr("Period"), self.period), ("", self.first), (tr("to"), self.last),
             ("", self.step), (tr("Judge at"), self.judge)),
            ((tr("Team"), self.team), (tr("Handoff"), self.handoff), (tr("Segment"), self.segment),
             (tr("Source"), self.source)),
        )  # fmt: skip
        for widgets in rows:
            row = QHBoxLayout()
            for label, widget in widgets:
                if label:
                    row.addWidget(QLabel(label))
                row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        self.period.currentIndexChanged.connect(self._preset)
        for edit in (self.first, self.last):
            edit.dateChanged.connect(self._dates)
        self.judge.dateChanged.connect(self._emit)
        for combo in (self.team, self.handoff, self.segment, self.source, self.step):
            combo.currentIndexChanged.connect(self._emit)
        self.period.setCurrentIndex(PRESETS.index("Last 30 days"))

    def set_today(self, today: date) -> None:
        """A new day: a preset period moves with it (quietly; the caller reloads)."""
        if today == self.today:
            return
        self.today = today
        index = self.period.currentIndex()
        if index != CUSTOM:
            first, last = preset_dates(PRESETS[index], today)
            self._quiet = True
            self.first.setDate(QDate(first))
            self.last.setDate(QDate(last))
            self._quiet = False

    def _date_edit(self, tip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        edit.setToolTip(tip)
        return edit

    def _combo(self, tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setToolTip(tip)
        combo.setAccessibleName(tip)
        # Long names elide instead of widening the window (1280x720 must fit).
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        combo.setMaximumWidth(230)
        return combo

    def current(self) -> DashboardFilter:
        return DashboardFilter(
            first=self.first.date().toPython(),
            last=self.last.date().toPython(),
            team=self.team.currentData(),
            handoff=self.handoff.currentData(),
            segment=self.segment.currentData(),
            source=self.source.currentData(),
            step=str(self.step.currentData()),
            follow_data=self.period.currentIndex() != CUSTOM,
            judge_day=self.judge_day(),
        )

    def judge_day(self) -> date | None:
        """The day chosen to judge the clocks at, or None for now."""
        chosen = self.judge.date()
        if chosen == NOW:
            return None
        return date(chosen.year(), chosen.month(), chosen.day())

    def set_choices(self, choices: DashboardChoices) -> None:
        """Offer what the period holds, keeping the current choices (even if absent now)."""
        self._quiet = True
        _fill(self.team, tr("All teams"), [(t, t) for t in choices.teams])
        _fill(self.handoff, tr("All handoffs"), list(choices.handoffs))
        _fill(self.segment, tr("All segments"), list(choices.segments))
        _fill(self.source, tr("All sources"), [(s, s) for s in choices.sources])
        self._quiet = False

    def choose(self, combo: QComboBox, key: str | None) -> None:
        """Select the entry with this key (None: all)."""
        index = combo.findData(key) if key is not None else 0
        combo.setCurrentIndex(max(index, 0))

    def _preset(self, index: int) -> None:
        if index == CUSTOM:
            return
        first, last = preset_dates(PRESETS[index], self.today)
        self._quiet = True
        self.first.setDate(QDate(first))
        self.last.setDate(QDate(last))
        self._quiet = False
        self._emit()

    def _dates(self) -> None:
        if self._quiet:
            return
        if self.last.date() < self.first.date():
            self._quiet = True
            self.last.setDate(self.first.date())
            self._quiet = False
        self.period.blockSignals(True)
        self.period.setCurrentIndex(CUSTOM)
        self.period.blockSignals(False)
        self._emit()

    def _emit(self) -> None:
        if not self._quiet:
            self.changed.emit(self.current())


def _fill(combo: QComboBox, everything: str, entries: Sequence[tuple[str, str]]) -> None:
    chosen = combo.currentData()
    combo.clear()
    combo.addItem(everything, None)
    for key, text in entries:
        combo.addItem(text, key)
    if chosen is not None and combo.findData(chosen) < 0:
        combo.addItem(str(chosen), chosen)
    combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)
