"""Segment editor: ordered segments (drag to reorder) and a predicate builder for the selected one."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.matrix import DEFAULT_SEGMENT
from slaapp.engine.matrix_draft import problems_under
from slaapp.engine.matrix_keys import renamed_segment
from slaapp.views.common.i18n import tr
from slaapp.views.matrix.form import line_edit, problem_label, set_text, show_problems, split_list
from slaapp.views.matrix.undo import MatrixDraft

ATTRIBUTES = ("tier", "source", "amount", "region", "arrival", "country", "industry", "employees")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def predicate_rows(when: object) -> list[tuple[str, str, Any]]:
    """A `when` object as (attribute, operator, value) rows."""
    rows: list[tuple[str, str, Any]] = []
    if not isinstance(when, dict):
        return rows
    for attribute, condition in when.items():
        if isinstance(condition, dict):
            rows += [(attribute, op, value) for op, value in condition.items()]
        elif isinstance(condition, list):
            rows.append((attribute, "in", condition))
        else:
            rows.append((attribute, "eq", condition))
    return rows


def _value(op: str, text: str) -> Any:
    if op in ("in", "not_in"):
        return [_scalar(part) for part in split_list(text)]
    return _scalar(text.strip())


def _scalar(text: str) -> Any:
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def predicate_doc(rows: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """Rows back to a `when` object; a lone `is` stays a plain value as people write it."""
    grouped: dict[str, dict[str, Any]] = {}
    for attribute, op, value in rows:
        if attribute:
            grouped.setdefault(attribute, {})[op] = value
    return {
        attribute: ops["eq"] if list(ops) == ["eq"] else ops for attribute, ops in grouped.items()
    }


def operators() -> tuple[tuple[str, str], ...]:
    """The condition operators offered: (words in the user's language, engine code)."""
    return (
        (tr("is"), "eq"),
        (tr("is not"), "ne"),
        (tr("is one of"), "in"),
        (tr("is none of"), "not_in"),
        (tr("contains"), "contains"),
        (tr("more than"), "gt"),
        (tr("at least"), "gte"),
        (tr("less than"), "lt"),
        (tr("at most"), "lte"),
    )


def _show_value(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


class _ConditionRow(QWidget):
    def __init__(self, changed: Any, remove: Any) -> None:
        super().__init__()
        self.attribute = QComboBox()
        self.attribute.setEditable(True)
        self.attribute.addItems(ATTRIBUTES)
        self.op = QComboBox()
        for label, code in operators():
            self.op.addItem(label, code)
        self.value = QLineEdit()
        self.value.setPlaceholderText(tr("value (lists: a, b, c)"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.attribute)
        row.addWidget(self.op)
        row.addWidget(self.value, 1)
        drop = QPushButton(tr("Remove"))
        drop.clicked.connect(remove)
        row.addWidget(drop)
        line = self.attribute.lineEdit()
        assert line is not None
        line.editingFinished.connect(changed)
        self.attribute.activated.connect(lambda _: changed())
        self.op.activated.connect(lambda _: changed())
        self.value.editingFinished.connect(changed)

    def load(self, attribute: str, op: str, value: Any) -> None:
        self.attribute.setCurrentText(attribute)
        self.op.setCurrentIndex(max(0, self.op.findData(op)))
        set_text(self.value, _show_value(value))

    def row(self) -> tuple[str, str, Any]:
        op = str(self.op.currentData())
        return self.attribute.currentText().strip(), op, _value(op, self.value.text())


class SegmentEditor(QWidget):
    """Edits the draft's segments; the catch-all `default` stays last and has no conditions."""

    def __init__(self, draft: MatrixDraft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.model().rowsMoved.connect(lambda *_: QTimer.singleShot(0, self._reordered))
        self.list.currentRowChanged.connect(lambda _: self._show_selected())
        add = QPushButton(tr("Add segment"))
        add.clicked.connect(self._add)
        self.remove = QPushButton(tr("Remove segment"))
        self.remove.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        self.name = line_edit(tr("Name people see"), lambda t: self._rename(t.strip()))
        self.key = QLabel()
        self.conditions_box = QVBoxLayout()
        self.conditions: list[_ConditionRow] = []
        self.add_condition = QPushButton(tr("Add condition"))
        self.add_condition.clicked.connect(self._add_condition)
        self.hint = QLabel(
            tr(
                "A record belongs to the first segment whose conditions all match; "
                "drag segments to change the order. The last one, default, catches everyone else."
            )
        )
        self.hint.setWordWrap(True)
        self.problems = problem_label()
        form = QFormLayout()
        form.addRow(tr("Name"), self.name)
        form.addRow(tr("Key"), self.key)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(QLabel(tr("Matches records where")))
        layout.addLayout(self.conditions_box)
        layout.addWidget(self.add_condition)
        layout.addWidget(self.problems)
        draft.changed.connect(self.reload)
        self.reload()

    def _segments(self) -> list[dict[str, Any]]:
        found = self.draft.get(("segments",), [])
        return [dict(s) for s in found if isinstance(s, dict)] if isinstance(found, list) else []

    def reload(self) -> None:
        segments = self._segments()
        current = max(self.list.currentRow(), 0)
        self.list.blockSignals(True)
        self.list.clear()
        for segment in segments:
            item = QListWidgetItem(f"{segment.get('name', '')}  ({segment.get('key', '')})")
            if segment.get("key") == DEFAULT_SEGMENT:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
            self.list.addItem(item)
        self.list.setCurrentRow(min(current, len(segments) - 1))
        self.list.blockSignals(False)
        self._show_selected()

    def _selected(self) -> tuple[int, dict[str, Any]]:
        row = self.list.currentRow()
        segments = self._segments()
        return (row, segments[row]) if 0 <= row < len(segments) else (-1, {})

    def _show_selected(self) -> None:
        row, segment = self._selected()
        is_default = segment.get("key") == DEFAULT_SEGMENT
        set_text(self.name, str(segment.get("name", "")))
        self.key.setText(str(segment.get("key", "")))
        rows = predicate_rows(segment.get("when", {}))
        while len(self.conditions) < len(rows):
            widget = _ConditionRow(self._conditions_changed, self._remover(len(self.conditions)))
            self.conditions.append(widget)
            self.conditions_box.addWidget(widget)
        while len(self.conditions) > len(rows):
            self.conditions.pop().deleteLater()
        for widget, (attribute, op, value) in zip(self.conditions, rows):
            widget.load(attribute, op, value)
        self.add_condition.setEnabled(row >= 0 and not is_default)
        self.remove.setEnabled(row >= 0 and not is_default)
        show_problems(
            self.problems, problems_under(self.draft.problems, ("segments",)), doc=self.draft.doc
        )

    def _remover(self, index: int) -> Any:
        return lambda: self._remove_condition(index)

    def _set(self, field: str, value: Any) -> None:
        row, segment = self._selected()
        if row >= 0:
            self.draft.set(
                ("segments", row, field),
                value,
                tr("Change segment {key}").format(key=segment.get("key")),
                merge=True,
            )

    def _rename(self, name: str) -> None:
        """Rename the segment; a new segment's placeholder key follows its name."""
        row, segment = self._selected()
        if row < 0 or name == segment.get("name"):
            return
        published = [str(s.get("key")) for s in self.draft.base_doc.get("segments", []) or []]
        doc = renamed_segment(self.draft.doc, row, name, published)
        self.draft.replace(doc, tr("Rename segment {name}").format(name=segment.get("name", "")))

    def _conditions_changed(self) -> None:
        self._set("when", predicate_doc([w.row() for w in self.conditions]))

    def _add_condition(self) -> None:
        rows = [w.row() for w in self.conditions] + [("tier", "eq", "")]
        self._set("when", predicate_doc(rows))

    def _remove_condition(self, index: int) -> None:
        rows = [w.row() for i, w in enumerate(self.conditions) if i != index]
        self._set("when", predicate_doc(rows))

    def _add(self) -> None:
        segments = self._segments()
        taken = {s.get("key") for s in segments}
        number = 1
        while f"segment_{number}" in taken:
            number += 1
        new = {
            "key": f"segment_{number}",
            "name": tr("New segment {number}").format(number=number),
            "when": {"tier": "SMB"},
        }
        at = max(0, len(segments) - 1)  # before the catch-all
        segments.insert(at, new)
        self.draft.set(("segments",), segments, tr("Add segment {key}").format(key=new["key"]))
        self.list.setCurrentRow(at)

    def _remove(self) -> None:
        row, segment = self._selected()
        if row < 0 or segment.get("key") == DEFAULT_SEGMENT:
            return
        doc = dict(self.draft.doc)
        doc["segments"] = [s for i, s in enumerate(self._segments()) if i != row]
        key = segment.get("key")
        doc["handoffs"] = [
            {**h, "rules": {k: v for k, v in (h.get("rules") or {}).items() if k != key}}
            for h in self.draft.get(("handoffs",), [])
            if isinstance(h, dict)
        ]
        self.draft.replace(doc, tr("Remove segment {key} and its rules").format(key=key))

    def _reordered(self) -> None:
        by_label = {f"{s.get('name', '')}  ({s.get('key', '')})": s for s in self._segments()}
        order = [by_label[self.list.item(i).text()] for i in range(self.list.count())]
        defaults = [s for s in order if s.get("key") == DEFAULT_SEGMENT]
        order = [s for s in order if s.get("key") != DEFAULT_SEGMENT] + defaults
        self.draft.set(("segments",), order, tr("Reorder segments"))
