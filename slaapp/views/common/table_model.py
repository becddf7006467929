"""One table model for every small table: frozen rows shown through a tuple of column descriptors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
Role = Qt.ItemDataRole
SORT_ROLE = Role.UserRole + 1
"""The role a QSortFilterProxyModel sorts by: the column's sort key (a number or a text)."""
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def plain(value: object) -> str:
    """The default cell text: nothing for None, whole numbers with thousands separators."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header and how it shows a row.

    `value` picks the row's value, `display` turns it into the cell's text, `numeric` aligns it
    right; `tooltip`, `foreground` and `background` may say nothing (None) for a row. Sorting
    uses `sort_key`, else the value (numbers and texts sort; give a key for anything else).
    With `edit` the cell can be changed: it returns the row with the new text in this column.
    """

    header: str
    value: Callable[[R], Any]
    tooltip: Callable[[R], str | None] | None = None
    numeric: bool = False
    display: Callable[[Any], str] = plain
    sort_key: Callable[[R], Any] | None = None
    foreground: Callable[[R], QColor | None] | None = None
    background: Callable[[R], QColor | None] | None = None
    header_tooltip: str | Callable[[], str] = ""  # a callable for text that changes (a zone)
    edit: Callable[[R, str], R] | None = None

    def text(self, row: R) -> str:
        return self.display(self.value(row))


class TableModel(QAbstractTableModel, Generic[R]):
    """Rows replaced as a whole by `set_rows` (a model reset), cells drawn by the columns.

    For small tables; sort them through `sorting_proxy`. Large, ticking tables keep numpy
    columns and sort inside their own model (views/live/clock_model.py).
    """

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns: tuple[Column[R], ...] = tuple(columns)
        self._rows: list[R] = []

    # ----- rows ----------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def items(self) -> tuple[R, ...]:
        """The rows, in the model's order."""
        return tuple(self._rows)

    def row(self, number: int) -> R:
        return self._rows[number]

    def append(self, row: R) -> None:
        end = len(self._rows)
        self.beginInsertRows(QModelIndex(), end, end)
        self._rows.append(row)
        self.endInsertRows()

    def remove(self, number: int) -> None:
        if 0 <= number < len(self._rows):
            self.beginRemoveRows(QModelIndex(), number, number)
            del self._rows[number]
            self.endRemoveRows()

    # ----- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Role.DisplayRole:
            return self.columns[section].header
        if role == Role.ToolTipRole:
            tip = self.columns[section].header_tooltip
            return (tip() if callable(tip) else tip) or None
        return None

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column, row = self.columns[index.column()], self._rows[index.row()]
        if role in (Role.DisplayRole, Role.EditRole):
            return column.text(row)
        if role == SORT_ROLE:
            return column.sort_key(row) if column.sort_key else column.value(row)
        if role == Role.TextAlignmentRole:
            return RIGHT if column.numeric else LEFT
        if role == Role.ToolTipRole:
            return (column.tooltip(row) or None) if column.tooltip else None
        if role == Role.ForegroundRole:
            return column.foreground(row) if column.foreground else None
        if role == Role.BackgroundRole:
            return column.background(row) if column.background else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.columns[index.column()].edit is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Role.EditRole) -> bool:
        if not index.isValid() or role != Role.EditRole:
            return False
        edit = self.columns[index.column()].edit
        if edit is None:
            return False
        self._rows[index.row()] = edit(self._rows[index.row()], str(value))
        self.dataChanged.emit(index, index, [Role.DisplayRole, Role.EditRole])
        return True


def sorting_proxy(model: TableModel[Any], parent: QObject | None = None) -> QSortFilterProxyModel:
    """A proxy that sorts `model` by each column's sort key (small tables only)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy
