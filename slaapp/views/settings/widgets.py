"""Building blocks of the Settings screen: titled sections whose fields show their own error."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

ERROR_STYLE = "color: #e5484d; font-size: 12px;"
HINT_STYLE = "font-size: 12px;"
LABEL_WIDTH = 118


def note(text: str = "", style: str = HINT_STYLE) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    if style == HINT_STYLE:  # muted, and readable in light and dark palettes
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def line(placeholder: str = "", secret: bool = False) -> QLineEdit:
    editor = QLineEdit()
    editor.setPlaceholderText(placeholder)
    editor.setClearButtonEnabled(not secret)
    if secret:
        editor.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
    return editor


def spin(low: int, high: int, suffix: str = "", step: int = 1, special: str = "") -> QSpinBox:
    """A number box; `special` is shown instead of the lowest value (e.g. 'off' for 0)."""
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    box.setAccelerated(True)
    box.setMinimumWidth(130)
    box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    if special:
        box.setSpecialValueText(special)
    return box


def check(text: str, tip: str) -> QCheckBox:
    box = QCheckBox(text)
    box.setToolTip(tip)
    return box


class Section(QGroupBox):
    """A titled group of labelled fields; each field has a hint and an error line under it."""

    def __init__(self, title: str, purpose: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setStyleSheet("QGroupBox { font-weight: 600; } QGroupBox * { font-weight: normal; }")
        outer = QVBoxLayout(self)
        outer.setSpacing(6)
        if purpose:
            outer.addWidget(note(purpose))
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(4)
        outer.addLayout(self.form)
        self.errors: dict[str, QLabel] = {}
        self.editors: dict[str, QWidget] = {}
        self.hints: dict[str, QLabel] = {}

    def add(
        self, key: str, label: str, editor: QWidget, tip: str, hint: str = "", row: int = -1
    ) -> QWidget:
        """Add a row (at the end, or at `row`); `key` names the field in validation messages."""
        editor.setToolTip(tip)
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(editor)
        self.hints[key] = note(hint)
        self.hints[key].setVisible(bool(hint))
        column.addWidget(self.hints[key])
        error = note(style=ERROR_STYLE)
        error.setObjectName(f"error:{key}")
        error.hide()
        column.addWidget(error)
        self.errors[key] = error
        self.editors[key] = editor
        caption = QLabel(label)
        caption.setToolTip(tip)
        caption.setBuddy(editor)
        # Aligned with the editor, not with the editor plus its hint and error lines.
        caption.setFixedHeight(editor.sizeHint().height())
        caption.setMinimumWidth(LABEL_WIDTH)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.insertRow(row, caption, cell)
        return editor

    def remove(self, key: str) -> None:
        """Remove the row of field `key` (its widgets are deleted)."""
        self.hints.pop(key)
        self.errors.pop(key)
        cell = self.editors.pop(key).parentWidget()
        position, _ = self.form.getWidgetPosition(cell)
        self.form.removeRow(position)

    def add_widget(self, widget: QWidget) -> None:
        self.form.addRow(widget)

    def separator(self) -> None:
        rule = QFrame()
        rule.setFixedHeight(1)
        rule.setStyleSheet("background: palette(mid);")
        self.form.addRow(rule)

    def set_hint(self, key: str, text: str) -> None:
        self.hints[key].setText(text)
        self.hints[key].setVisible(bool(text))

    def show_errors(self, errors: dict[str, str]) -> list[QWidget]:
        """Show the errors of this section's fields; returns the editors that have one."""
        wrong: list[QWidget] = []
        for key, label in self.errors.items():
            text = errors.get(key, "")
            label.setText(text)
            label.setVisible(bool(text))
            if text:
                wrong.append(self.editors[key])
        return wrong
