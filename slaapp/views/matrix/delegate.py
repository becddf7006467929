"""In-place editing of a matrix cell: target with units, calendar, at-risk threshold, fallback."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from slaapp.engine.matrix import DEFAULT_SEGMENT
from slaapp.engine.matrix_draft import calendar_label, describe_target, draft_terms
from slaapp.views.common.i18n import tr
from slaapp.views.matrix.grid import RULE_ROLE, MatrixGridModel

UNITS = (("m", 60), ("h", 3600), ("d", 86400), ("bd", 0))
"""The target units offered, by code, with their length in seconds (business days vary)."""
_TOKEN = re.compile(r"(\d+(?:\.\d+)?)\s*(bd|d|h|m|min|s)", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
Index = QModelIndex | QPersistentModelIndex


def split_target(value: object) -> tuple[float, str]:
    """A target as (amount, unit code): `1h30m` -> (90, "m"), `3bd` -> (3, "bd"), 7200 -> (2, "h")."""
    text = str(value).strip().lower()
    parts = _TOKEN.findall(text)
    if len(parts) == 1 and parts[0][1] == "bd":
        return float(parts[0][0]), "bd"
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        seconds = float(text)
    else:
        unit_seconds = {"d": 86400, "h": 3600, "m": 60, "min": 60, "s": 1}
        seconds = sum(float(a) * unit_seconds.get(u, 0) for a, u in parts)
    for code, size in reversed(UNITS[:3]):
        if seconds >= size and seconds % size == 0:
            return seconds / size, code
    return round(seconds / 60, 2), "m"


def join_target(amount: float, unit: str) -> str:
    return f"{amount:g}{unit}"


def amount_problem(text: str) -> str:
    """Why `text` is not a target amount, in words; "" when it is one."""
    raw = text.strip()
    if not raw:
        return tr("Type the target's amount, e.g. 90 or 1.5, then pick its unit.")
    if not _NUMBER.fullmatch(raw):
        if raw.startswith("-"):
            return tr("“{text}” is negative: a target must be longer than zero.").format(text=raw)
        return tr(
            "“{text}” is not a number: type an amount like 90 or 1.5 and pick the unit."
        ).format(text=raw)
    if float(raw) <= 0:
        return tr("A target must be longer than zero.")
    return ""


class AmountField(QLineEdit):
    """The target's amount as typed: refused (never rewritten) unless it is a positive number."""

    def value(self) -> float | None:
        return None if amount_problem(self.text()) else float(self.text().strip())

    def setValue(self, value: float) -> None:
        self.setText(f"{value:g}")


class RuleEditor(QFrame):
    """The cell editor: amount, unit, calendar and at-risk, reached with Tab, with an inline reason."""

    def __init__(
        self,
        calendars: dict[str, Any],
        fallback_allowed: bool,
        parent: QWidget,
        handoff_calendar: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._calendars, self._handoff_calendar = calendars, handoff_calendar
        self.amount = AmountField()
        self.amount.setAccessibleName(tr("Target amount"))
        self.amount.setMaximumWidth(90)
        self.unit = QComboBox()
        self.unit.setAccessibleName(tr("Target unit"))
        labels = {"m": tr("minutes"), "h": tr("hours"), "d": tr("days (24 h)"),
                  "bd": tr("business days")}  # fmt: skip
        for code, _ in UNITS:
            self.unit.addItem(labels[code], code)
        self.calendar = QComboBox()
        self.calendar.setAccessibleName(tr("Calendar of the rule"))
        self.calendar.addItem(tr("Handoff's calendar"), None)
        for key, spec in calendars.items():
            self.calendar.addItem(calendar_label(key, spec), key)
        self.at_risk = QSpinBox()
        self.at_risk.setAccessibleName(tr("At risk from"))
        self.at_risk.setRange(0, 100)
        self.at_risk.setSuffix(" %")
        self.at_risk.setSpecialValueText(tr("handoff's"))
        self.fallback = QCheckBox(tr("Use the default segment's rule"))
        self.fallback.setVisible(fallback_allowed)
        self.fallback.toggled.connect(self._fallback)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setMaximumWidth(320)
        for signal in (self.amount.textChanged, self.unit.currentIndexChanged,
                       self.calendar.currentIndexChanged):  # fmt: skip
            signal.connect(self._explain)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        grid.addWidget(QLabel(tr("Target")), 0, 0)
        grid.addWidget(self.amount, 0, 1)
        grid.addWidget(self.unit, 0, 2)
        grid.addWidget(QLabel(tr("Calendar")), 1, 0)
        grid.addWidget(self.calendar, 1, 1, 1, 2)
        grid.addWidget(QLabel(tr("At risk from")), 2, 0)
        grid.addWidget(self.at_risk, 2, 1, 1, 2)
        grid.addWidget(self.fallback, 3, 0, 1, 3)
        grid.addWidget(self.reason, 4, 0, 1, 3)
        self.setFocusProxy(self.amount)

    def chain(self) -> list[QWidget]:
        """The fields in Tab order."""
        fields: list[QWidget] = [self.amount, self.unit, self.calendar, self.at_risk]
        return [self.fallback, *fields] if self.fallback.isVisible() else fields

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab moves through the fields; past the last one it commits, unless the amount is wrong."""
        chain = [w for w in self.chain() if w.isEnabled()]
        focus = QApplication.focusWidget()
        here = next_index = -1
        for i, widget in enumerate(chain):
            if focus is widget or (focus is not None and widget.isAncestorOf(focus)):
                here = i
        if here >= 0:
            next_index = here + (1 if next else -1)
        if 0 <= next_index < len(chain):
            chain[next_index].setFocus(Qt.FocusReason.TabFocusReason)
            return True
        if self.problem():
            self.amount.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().focusNextPrevChild(next)

    def problem(self) -> str:
        """Why the rule as typed cannot be saved ("" when it can)."""
        if self.fallback.isVisible() and self.fallback.isChecked():
            return ""
        return amount_problem(self.amount.text())

    def _explain(self) -> None:
        problem = self.problem()
        if problem:
            self.reason.setStyleSheet("color: #c62828; font-weight: 600;")
            self.reason.setText(problem)
            return
        self.reason.setStyleSheet("")
        key = self.calendar.currentData() or self._handoff_calendar
        terms = draft_terms(self._calendars.get(key)) if key else draft_terms(None)
        target = join_target(self.amount.value() or 0, self.unit.currentData())
        shown = describe_target(target, terms)
        label = calendar_label(key, self._calendars.get(key)) if key else ""
        self.reason.setText(f"= {shown}" + (f" ({label})" if label else ""))

    def _fallback(self, on: bool) -> None:
        for widget in (self.amount, self.unit, self.calendar, self.at_risk):
            widget.setEnabled(not on)
        self._explain()

    def set_rule(self, rule: dict[str, Any] | None, default_rule: dict[str, Any] | None) -> None:
        shown = rule or default_rule or {"target": "2h"}
        amount, unit = split_target(shown.get("target", "2h"))
        self.amount.setValue(amount)
        self.unit.setCurrentIndex(max(0, self.unit.findData(unit)))
        self.calendar.setCurrentIndex(max(0, self.calendar.findData(shown.get("calendar"))))
        risk = shown.get("at_risk")
        self.at_risk.setValue(round(float(risk) * 100) if isinstance(risk, int | float) else 0)
        self.fallback.setChecked(rule is None and self.fallback.isVisible())
        self._explain()

    def rule(self) -> dict[str, Any] | None:
        """The rule as typed; ValueError when the amount is refused (see `problem`)."""
        if self.fallback.isVisible() and self.fallback.isChecked():
            return None
        amount = self.amount.value()
        if amount is None:
            raise ValueError(self.problem())
        rule: dict[str, Any] = {"target": join_target(amount, self.unit.currentData())}
        if self.calendar.currentData():
            rule["calendar"] = self.calendar.currentData()
        if self.at_risk.value():
            rule["at_risk"] = self.at_risk.value() / 100
        return rule


class RuleDelegate(QStyledItemDelegate):
    """Edits matrix cells with a RuleEditor; keeps fields of the rule it does not show."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        model = index.model()
        assert isinstance(model, MatrixGridModel)
        calendars = model.draft.get(("calendars",), {}) or {}
        handoff_calendar = model.draft.get(("handoffs", index.row(), "calendar"))
        editor = RuleEditor(
            calendars,
            model.segment_key(index.column()) != DEFAULT_SEGMENT,
            parent,
            handoff_calendar if isinstance(handoff_calendar, str) else None,
        )
        return editor

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        """Enter with a refused amount keeps the editor open with its reason (nothing is saved)."""
        if (
            isinstance(editor, RuleEditor)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and editor.problem()
        ):
            editor.amount.setFocus()
            return True
        return super().eventFilter(editor, event)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        """Over the cell, moved left or up as needed so the whole editor stays visible."""
        rect = option.rect  # type: ignore[attr-defined]
        hint = editor.sizeHint()
        width, height = max(rect.width(), hint.width()), hint.height()
        area = editor.parentWidget()
        x, y = rect.x(), rect.y()
        if area is not None:
            x = max(0, min(x, area.width() - width))
            y = max(0, min(y, area.height() - height))
        editor.setGeometry(x, y, width, height)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        model = index.model()
        assert isinstance(editor, RuleEditor) and isinstance(model, MatrixGridModel)
        default = model.draft.get(("handoffs", index.row(), "rules", DEFAULT_SEGMENT))
        editor.set_rule(index.data(RULE_ROLE), default)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, RuleEditor)
        old = index.data(RULE_ROLE)
        if editor.problem():  # refused text is never saved nor rewritten; the reason was shown
            return
        new = editor.rule()
        if new is not None and isinstance(old, dict) and "warn_at" in old:
            new["warn_at"] = old["warn_at"]
        model.setData(index, new, RULE_ROLE)
