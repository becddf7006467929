"""Table model over a ClockTable: numpy columns sorted and filtered in the model, coloured by status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ..engine.clocks import (
    AT_RISK,
    BREACHED,
    CANCELLED,
    MET,
    MISSED,
    ON_TRACK,
    OPEN_STATUSES,
    PAUSED,
    STATUSES,
    ClockTable,
)
from ..engine.durations import describe_duration
from ..engine.explain import explain_due
from ..engine.matrix import Matrix

COLUMNS = (
    "Record",
    "Handoff",
    "Segment",
    "Owner",
    "Started",
    "Due",
    "Remaining",
    "% elapsed",
    "Status",
)
RECORD, HANDOFF, SEGMENT, OWNER, STARTED, DUE, REMAINING, PCT, STATUS = range(len(COLUMNS))
STATUS_LABELS = {
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    PAUSED: "Paused",
    BREACHED: "Breached",
    MET: "Met",
    MISSED: "Missed",
    CANCELLED: "Cancelled",
}
STATUS_COLOURS = {
    ON_TRACK: QColor("#2e9d5b"),
    AT_RISK: QColor("#d99a00"),
    PAUSED: QColor("#7a869a"),
    BREACHED: QColor("#d64541"),
    MET: QColor("#2e9d5b"),
    MISSED: QColor("#d64541"),
    CANCELLED: QColor("#7a869a"),
}
Index = QModelIndex | QPersistentModelIndex


def _rank(codes: npt.NDArray[np.int32], values: tuple[str, ...]) -> npt.NDArray[np.int64]:
    """Sort keys for coded text: the position of each value in alphabetical order (-1 first)."""
    order = np.argsort(np.array([v.lower() for v in values], dtype=object), kind="stable")
    rank = np.empty(len(values) + 1, dtype=np.int64)
    rank[order] = np.arange(len(values))
    rank[-1] = -1
    return rank[codes]


class ClockTableModel(QAbstractTableModel):
    """Rows are a permutation of the clocks kept as an index array; sort and filter rebuild it."""

    def __init__(self) -> None:
        super().__init__()
        self._clocks: ClockTable | None = None
        self._rows = np.zeros(0, dtype=np.int64)
        self._names: dict[str, str] = {}
        self._matrix: Matrix | None = None
        self._statuses: frozenset[int] = frozenset(range(len(STATUSES)))
        self._search = ""
        self._sort: tuple[int, Qt.SortOrder] = (DUE, Qt.SortOrder.AscendingOrder)

    # ----- contents ------------------------------------------------------------------
    def set_clocks(
        self, clocks: ClockTable, names: dict[str, str], matrix: Matrix | None = None
    ) -> None:
        """Show these clocks; `names` maps handoff and segment keys to the names users know.

        With the matrix, the Due column's tooltip explains each due time.
        """
        self.beginResetModel()
        self._clocks = clocks
        self._names = names
        self._matrix = matrix
        self._rows = self._visible_rows()
        self._apply_sort()
        self.endResetModel()

    def clocks(self) -> ClockTable | None:
        return self._clocks

    def visible_rows(self) -> np.ndarray:
        """Clock positions of the rows shown, in their order."""
        return self._rows.copy()

    def clock_index(self, row: int) -> int:
        return int(self._rows[row])

    def set_filter(self, statuses: frozenset[int], search: str) -> None:
        self.layoutAboutToBeChanged.emit()
        self._statuses = statuses
        self._search = search.strip().lower()
        self._rows = self._visible_rows()
        self._apply_sort()
        self.layoutChanged.emit()

    def counts(self) -> dict[int, int]:
        if self._clocks is None:
            return {}
        found = np.bincount(self._clocks.status[self._rows], minlength=len(STATUSES))
        return {status: int(n) for status, n in enumerate(found) if n}

    def _visible_rows(self) -> np.ndarray:
        clocks = self._clocks
        if clocks is None:
            return np.zeros(0, dtype=np.int64)
        keep = np.isin(clocks.status, np.array(sorted(self._statuses), dtype=np.int8))
        if self._search:
            text = self._search
            record_hit = np.array([text in r.lower() for r in clocks.records] + [False])
            owner_hit = np.array([text in o.lower() for o in clocks.owners] + [False])
            keep &= record_hit[clocks.record] | owner_hit[clocks.owner]
        return np.flatnonzero(keep)

    # ----- sorting -------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        clocks = self._clocks
        if clocks is None or self._rows.size == 0:
            return
        column, order = self._sort
        rows = self._rows
        key = self._sort_key(clocks, column)[rows]
        permutation = np.argsort(key, kind="stable")
        if order == Qt.SortOrder.DescendingOrder:
            permutation = permutation[::-1]
        self._rows = rows[permutation]

    def _sort_key(self, clocks: ClockTable, column: int) -> np.ndarray:
        if column == RECORD:
            return _rank(clocks.record, clocks.records)
        if column == HANDOFF:
            return clocks.handoff
        if column == SEGMENT:
            return clocks.segment
        if column == OWNER:
            return _rank(clocks.owner, clocks.owners)
        if column == STARTED:
            return clocks.started_at
        if column == DUE:
            return np.where(clocks.has_due, clocks.due_at, np.iinfo(np.int64).max)
        if column == REMAINING:
            return clocks.remaining
        if column == PCT:
            return clocks.pct_elapsed
        return clocks.status

    # ----- Qt model API ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self._rows.size)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        clocks = self._clocks
        if clocks is None or not index.isValid() or not 0 <= index.row() < self._rows.size:
            return None
        i = int(self._rows[index.row()])
        column = index.column()
        status = int(clocks.status[i])
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(clocks, i, column)
        if role == Qt.ItemDataRole.ForegroundRole and column in (STATUS, REMAINING):
            return STATUS_COLOURS[status]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (REMAINING, PCT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == HANDOFF:
            return self._names.get(clocks.handoff_keys[int(clocks.handoff[i])])
        if role == Qt.ItemDataRole.ToolTipRole and column == DUE:
            return self.explain(i)
        if role == Qt.ItemDataRole.UserRole:
            return status
        return None

    def explain(self, i: int) -> str | None:
        """Why clock `i` is due when it is, in words (None without the matrix)."""
        clocks, matrix = self._clocks, self._matrix
        if clocks is None or matrix is None:
            return None
        key, segment = (
            clocks.handoff_keys[int(clocks.handoff[i])],
            clocks.segment_keys[int(clocks.segment[i])],
        )
        try:
            handoff = matrix.handoff(key)
            calendar = matrix.calendar(handoff.rule_calendar(segment))
        except KeyError:  # judged by an older version that the latest one changed
            return None
        due = int(clocks.due_at[i]) if clocks.has_due[i] else None
        return explain_due(calendar, int(clocks.started_at[i]), due, int(clocks.paused[i]))

    def _text(self, clocks: ClockTable, i: int, column: int) -> str:
        if column == RECORD:
            return clocks.records[int(clocks.record[i])]
        if column == HANDOFF:
            key = clocks.handoff_keys[int(clocks.handoff[i])]
            return self._names.get(key, key)
        if column == SEGMENT:
            key = clocks.segment_keys[int(clocks.segment[i])]
            return self._names.get(key, key)
        if column == OWNER:
            owner = int(clocks.owner[i])
            return "—" if owner < 0 else clocks.owners[owner]
        if column == STARTED:
            return _local(int(clocks.started_at[i]))
        if column == DUE:
            return _local(int(clocks.due_at[i])) if clocks.has_due[i] else "paused"
        if column == REMAINING:
            remaining = int(clocks.target[i] - clocks.elapsed[i])
            if int(clocks.status[i]) not in OPEN_STATUSES:
                return ""
            return (
                describe_duration(remaining)
                if remaining >= 0
                else f"{describe_duration(-remaining)} late"
            )
        if column == PCT:
            return f"{float(clocks.elapsed[i]) / float(clocks.target[i]):.0%}"
        return STATUS_LABELS[int(clocks.status[i])]


def _local(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).astimezone().strftime("%a %d %b %H:%M")
