"""The matrix grid: handoffs (rows) by segments (columns), each cell a rule, edited in place."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from slaapp.engine.errors import Problem
from slaapp.engine.matrix import DEFAULT_SEGMENT
from slaapp.engine.matrix_draft import (
    REMOVE,
    CellText,
    describe_cell,
    events_words,
    path_text,
    problems_under,
)
from slaapp.views.common.i18n import tr
from slaapp.views.matrix.undo import MatrixDraft

Index = QModelIndex | QPersistentModelIndex
RULE_ROLE = Qt.ItemDataRole.UserRole + 1  # the rule object of the cell (None when it falls back)
PROBLEM_COLOUR = QColor(214, 69, 65, 60)


class MatrixGridModel(QAbstractTableModel):
    """Reads the draft document; `setData` with RULE_ROLE pushes an undoable edit."""

    def __init__(self, draft: MatrixDraft) -> None:
        super().__init__()
        self.draft = draft
        self._shape = (0, 0)
        # Each cell's rule in words and its problems, worked out once per change of the draft
        # (a view asks for every role of every cell, several times, when it sizes the rows).
        self._cells: dict[tuple[int, int], tuple[CellText | None, list[Problem]]] = {}
        draft.changed.connect(self._changed)
        self._changed()

    def _segments(self) -> list[dict[str, Any]]:
        segments = self.draft.get(("segments",), [])
        return [s for s in segments if isinstance(s, dict)] if isinstance(segments, list) else []

    def _handoffs(self) -> list[dict[str, Any]]:
        handoffs = self.draft.get(("handoffs",), [])
        return [h for h in handoffs if isinstance(h, dict)] if isinstance(handoffs, list) else []

    def segment_key(self, column: int) -> str:
        return str(self._segments()[column].get("key", ""))

    def _changed(self) -> None:
        self._cells.clear()
        shape = (len(self._handoffs()), len(self._segments()))
        if shape != self._shape:
            self.beginResetModel()
            self._shape = shape
            self.endResetModel()
        elif shape[0] and shape[1]:
            self.dataChanged.emit(self.index(0, 0), self.index(shape[0] - 1, shape[1] - 1))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, shape[1] - 1)
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, shape[0] - 1)

    # ----- Qt model API ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shape[0]

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shape[1]

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < self._shape[1]:
            segment = self._segments()[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return str(segment.get("name") or segment.get("key", ""))
            if role == Qt.ItemDataRole.ToolTipRole:
                name = segment.get("name") or segment.get("key", "")
                when = segment.get("when", {}) or tr("every record")
                return tr("{name} (segment {key}): {when}").format(
                    name=name, key=segment.get("key", ""), when=when
                )
        if orientation == Qt.Orientation.Vertical and 0 <= section < self._shape[0]:
            handoff = self._handoffs()[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{handoff.get('name') or handoff.get('key', '')}\n{handoff.get('team', '')}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return tr("{start} → {stop} (key {key})").format(
                    start=handoff.get("start", "?"),
                    stop=events_words(handoff.get("stop")),
                    key=handoff.get("key", ""),
                )
        return None

    def rule_path(self, index: Index) -> tuple[str | int, ...]:
        return ("handoffs", index.row(), "rules", self.segment_key(index.column()))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < self._shape[0] and 0 <= index.column() < self._shape[1]
        ):
            return None
        if role == RULE_ROLE:
            return self.draft.get(self.rule_path(index))
        cell, problems = self._cell(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if cell is None:
                return tr("no rule")
            return cell.line()
        if role == Qt.ItemDataRole.ForegroundRole and cell is not None and cell.falls_back:
            return QApplication.palette().color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        if role == Qt.ItemDataRole.FontRole and cell is not None and cell.falls_back:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return PROBLEM_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole:
            if problems:
                return "\n".join(str(p) for p in problems)
            if cell is None:
                return None
            risk = (
                tr("; at risk from {share:.0%}").format(share=cell.at_risk)
                if cell.at_risk is not None
                else ""
            )
            fallback = tr(" (falls back to the default segment's rule)") if cell.falls_back else ""
            return (
                tr("Target {target} in {calendar}").format(
                    target=cell.target, calendar=cell.calendar
                )
                + risk
                + fallback
            )
        return None

    def _cell(self, row: int, column: int) -> tuple[CellText | None, list[Problem]]:
        found = self._cells.get((row, column))
        if found is None:
            segment = self.segment_key(column)
            found = self._cells[row, column] = (
                describe_cell(self.draft.doc, row, segment),
                problems_under(self.draft.problems, ("handoffs", row, "rules", segment)),
            )
        return found

    def setData(self, index: Index, value: Any, role: int = RULE_ROLE) -> bool:
        """Set the cell's rule (a dict) or, with None, let it fall back to the default rule."""
        if role != RULE_ROLE or not index.isValid():
            return False
        segment = self.segment_key(index.column())
        handoff = self.draft.get(("handoffs", index.row(), "name"), "")
        if value is None and segment == DEFAULT_SEGMENT:
            return False
        text = (
            tr("Let {handoff} / {segment} fall back to default").format(
                handoff=handoff, segment=segment
            )
            if value is None
            else tr("Set {handoff} / {segment} to {target}").format(
                handoff=handoff, segment=segment, target=value.get("target")
            )
        )
        return self.draft.set(self.rule_path(index), REMOVE if value is None else value, text)

    def problem_paths(self) -> set[str]:
        return {p.path for p in self.draft.problems}

    def cell_path_text(self, index: Index) -> str:
        return path_text(self.rule_path(index))
