"""A small table model of text rows with tooltips and optional editable columns."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


class RowsModel(QAbstractTableModel):
    """Rows of strings under `headers`; columns in `editable` can be changed in place."""

    def __init__(self, headers: Sequence[str], editable: Sequence[int] = ()) -> None:
        super().__init__()
        self._headers = list(headers)
        self._rows: list[list[str]] = []
        self._tips: list[list[str]] = []
        self._editable = set(editable)

    def set_rows(
        self, rows: Sequence[Sequence[str]], tips: Sequence[Sequence[str]] | None = None
    ) -> None:
        self.beginResetModel()
        self._rows = [list(r) for r in rows]
        self._tips = [list(t) for t in tips] if tips is not None else [[""] * len(r) for r in rows]
        self.endResetModel()

    def rows(self) -> list[list[str]]:
        return [list(r) for r in self._rows]

    def append(self, row: Sequence[str]) -> None:
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(list(row))
        self._tips.append([""] * len(row))
        self.endInsertRows()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            del self._tips[row]
            self.endRemoveRows()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[index.row()][index.column()] or None
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or role != Qt.ItemDataRole.EditRole
            or index.column() not in self._editable
        ):
            return False
        self._rows[index.row()][index.column()] = str(value).strip()
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() in self._editable else base

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None
