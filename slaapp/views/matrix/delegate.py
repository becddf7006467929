"""In-place editing of a matrix cell: target with units, calendar, at-risk threshold, fallback."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from slaapp.engine.matrix import DEFAULT_SEGMENT
from slaapp.engine.matrix_draft import calendar_label
from slaapp.views.matrix.grid import RULE_ROLE, MatrixGridModel

UNITS = (
    ("minutes", "m", 60),
    ("hours", "h", 3600),
    ("days (24 h)", "d", 86400),
    ("business days", "bd", 0),
)
_TOKEN = re.compile(r"(\d+(?:\.\d+)?)\s*(bd|d|h|m|min|s)", re.IGNORECASE)
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
    for _, code, size in reversed(UNITS[:3]):
        if seconds >= size and seconds % size == 0:
            return seconds / size, code
    return round(seconds / 60, 2), "m"


def join_target(amount: float, unit: str) -> str:
    return f"{amount:g}{unit}"


class RuleEditor(QFrame):
    """The cell editor: four controls in a small panel over the cell."""

    def __init__(self, calendars: dict[str, Any], fallback_allowed: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.amount = QDoubleSpinBox()
        self.amount.setRange(0.25, 10_000)
        self.amount.setDecimals(2)
        self.unit = QComboBox()
        for label, code, _ in UNITS:
            self.unit.addItem(label, code)
        self.calendar = QComboBox()
        self.calendar.addItem("Handoff's calendar", None)
        for key, spec in calendars.items():
            self.calendar.addItem(calendar_label(key, spec), key)
        self.at_risk = QSpinBox()
        self.at_risk.setRange(0, 100)
        self.at_risk.setSuffix(" %")
        self.at_risk.setSpecialValueText("handoff's")
        self.fallback = QCheckBox("Use the default segment's rule")
        self.fallback.setVisible(fallback_allowed)
        self.fallback.toggled.connect(self._fallback)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        grid.addWidget(QLabel("Target"), 0, 0)
        grid.addWidget(self.amount, 0, 1)
        grid.addWidget(self.unit, 0, 2)
        grid.addWidget(QLabel("Calendar"), 1, 0)
        grid.addWidget(self.calendar, 1, 1, 1, 2)
        grid.addWidget(QLabel("At risk from"), 2, 0)
        grid.addWidget(self.at_risk, 2, 1, 1, 2)
        grid.addWidget(self.fallback, 3, 0, 1, 3)
        self.setFocusProxy(self.amount)

    def _fallback(self, on: bool) -> None:
        for widget in (self.amount, self.unit, self.calendar, self.at_risk):
            widget.setEnabled(not on)

    def set_rule(self, rule: dict[str, Any] | None, default_rule: dict[str, Any] | None) -> None:
        shown = rule or default_rule or {"target": "2h"}
        amount, unit = split_target(shown.get("target", "2h"))
        self.amount.setValue(amount)
        self.unit.setCurrentIndex(max(0, self.unit.findData(unit)))
        self.calendar.setCurrentIndex(max(0, self.calendar.findData(shown.get("calendar"))))
        risk = shown.get("at_risk")
        self.at_risk.setValue(round(float(risk) * 100) if isinstance(risk, int | float) else 0)
        self.fallback.setChecked(rule is None and self.fallback.isVisible())

    def rule(self) -> dict[str, Any] | None:
        if self.fallback.isVisible() and self.fallback.isChecked():
            return None
        rule: dict[str, Any] = {"target": join_target(self.amount.value(), self.unit.currentData())}
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
        editor = RuleEditor(calendars, model.segment_key(index.column()) != DEFAULT_SEGMENT, parent)
        return editor

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        rect = option.rect  # type: ignore[attr-defined]
        hint = editor.sizeHint()
        editor.setGeometry(rect.x(), rect.y(), max(rect.width(), hint.width()), hint.height())

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        model = index.model()
        assert isinstance(editor, RuleEditor) and isinstance(model, MatrixGridModel)
        default = model.draft.get(("handoffs", index.row(), "rules", DEFAULT_SEGMENT))
        editor.set_rule(index.data(RULE_ROLE), default)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, RuleEditor)
        old = index.data(RULE_ROLE)
        new = editor.rule()
        if new is not None and isinstance(old, dict) and "warn_at" in old:
            new["warn_at"] = old["warn_at"]
        model.setData(index, new, RULE_ROLE)
