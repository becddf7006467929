"""Small helpers shared by the matrix side panels: list fields, fractions, problem labels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QLabel, QLineEdit, QWidget

from slaapp.engine.errors import Problem
from slaapp.engine.matrix_problems import problem_in_words


def split_list(text: str) -> list[str]:
    """`a, b ,c` -> ["a", "b", "c"]."""
    return [part.strip() for part in text.split(",") if part.strip()]


def join_list(values: object) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list) else ""


def parse_fractions(text: str) -> list[Any]:
    """`50%, 0.75` -> [0.5, 0.75]; text that is not a number is kept for the engine to reject."""
    values: list[Any] = []
    for part in split_list(text):
        raw = part.rstrip("%").strip()
        try:
            number = float(raw)
        except ValueError:
            values.append(part)
            continue
        values.append(number / 100 if part.endswith("%") or number > 1.0 else number)
    return values


def show_fractions(values: object) -> str:
    if not isinstance(values, list):
        return ""
    return ", ".join(f"{v:.0%}" if isinstance(v, int | float) else str(v) for v in values)


def line_edit(placeholder: str, done: Callable[[str], None], tip: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setToolTip(tip)
    edit.editingFinished.connect(lambda: done(edit.text()))
    return edit


def choice(
    items: Sequence[str], done: Callable[[str], None], *, editable: bool = True, blank: bool = False
) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(editable)
    if blank:
        combo.addItem("")
    combo.addItems(list(items))
    if editable:
        line = combo.lineEdit()
        assert line is not None
        line.editingFinished.connect(lambda: done(combo.currentText()))
    combo.activated.connect(lambda _: done(combo.currentText()))
    return combo


def set_choices(combo: QComboBox, items: Sequence[str], current: str, blank: bool = False) -> None:
    """Refill a combo box without emitting, keeping `current` (added when unknown).

    Items it lists already stay (refilling 600 time zones on every edit takes milliseconds);
    only an unknown value added before goes, or comes."""
    combo.blockSignals(True)
    wanted = ["", *items] if blank else list(items)
    listed = [combo.itemText(i) for i in range(combo.count())]
    if listed[: len(wanted)] != wanted:
        combo.clear()
        combo.addItems(wanted)
    else:
        for extra in range(combo.count() - 1, len(wanted) - 1, -1):
            combo.removeItem(extra)
    if current and combo.findText(current) < 0:
        combo.addItem(current)
    combo.setCurrentText(current)
    combo.blockSignals(False)


def set_text(edit: QLineEdit, text: str) -> None:
    if edit.text() != text:
        edit.blockSignals(True)
        edit.setText(text)
        edit.blockSignals(False)


def problem_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #d64541;")
    label.hide()
    return label


def show_problems(
    label: QLabel,
    problems: Sequence[Problem],
    widget: QWidget | None = None,
    doc: dict[str, Any] | None = None,
) -> None:
    """The problems as sentences naming the handoff, segment or calendar (with `doc`)."""
    label.setVisible(bool(problems))
    label.setText(
        "\n".join(f"• {problem_in_words(p, doc) if doc is not None else p}" for p in problems)
    )
    if widget is not None:
        widget.setToolTip(label.text())


class ListCompleter(QCompleter):
    """Completes the last name of a comma-separated list (`closed_won, clo` -> `closed_lost`)."""

    def __init__(self, edit: QLineEdit) -> None:
        super().__init__(edit)
        self._names = QStringListModel(self)  # owned by the completer, kept alive by Qt
        self.setModel(self._names)
        self._edit = edit
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        edit.setCompleter(self)

    def set_names(self, names: Sequence[str]) -> None:
        if self._names.stringList() != list(names):
            self._names.setStringList(list(names))

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        text = self._edit.text()
        head = text.rsplit(",", 1)[0] + ", " if "," in text else ""
        return head + str(index.data())
