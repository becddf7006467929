"""The clocks behind a clicked bar or cell: a sortable table model over the dashboard's numpy columns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QT_TR_NOOP, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from slaapp.engine.clocks import BREACHED, MISSED, STATUSES
from slaapp.engine.durations import describe_duration
from slaapp.services.dashboard import DashboardData
from slaapp.views.common.chart_theme import duration
from slaapp.views.common.i18n import tr, tr_marked

I64 = npt.NDArray[np.int64]
Index = QModelIndex | QPersistentModelIndex
COLUMNS = (QT_TR_NOOP("Record"), QT_TR_NOOP("Handoff"), QT_TR_NOOP("Segment"),
           QT_TR_NOOP("Owner"), QT_TR_NOOP("Team"), QT_TR_NOOP("Source"), QT_TR_NOOP("Started"),
           QT_TR_NOOP("Status"), QT_TR_NOOP("Business time"), QT_TR_NOOP("Target"),
           QT_TR_NOOP("Over by"))  # fmt: skip
RECORD, HANDOFF, SEGMENT, OWNER, TEAM, SOURCE, STARTED, STATUS, ELAPSED, TARGET, OVER = range(
    len(COLUMNS)
)
SHRINKING = (RECORD, HANDOFF, SEGMENT, OWNER, TEAM, SOURCE)
SHRINK_STAGES = ((SHRINKING, 72),)
"""Text columns that give up width so the list fits its width (their text elides)."""
STATUS_TEXT = {code: name.replace("_", " ").capitalize() for code, name in enumerate(STATUSES)}
LATE_COLOUR = QColor("#d64541")


class ClockListModel(QAbstractTableModel):
    """Rows are clock indices of a DashboardData; sorting reorders them with numpy."""

    def __init__(self) -> None:
        super().__init__()
        self.data_set: DashboardData | None = None
        self.rows: I64 = np.zeros(0, dtype=np.int64)
        self._zone = ZoneInfo("UTC")

    def set_clocks(self, data: DashboardData | None, rows: I64) -> None:
        self.beginResetModel()
        self.data_set = data
        self.rows = rows.astype(np.int64) if data is not None else np.zeros(0, dtype=np.int64)
        if data is not None:
            self._zone = ZoneInfo(data.zone)
        self.endResetModel()

    def record_id(self, row: int) -> int:
        assert self.data_set is not None
        return int(self.data_set.record_id[self.rows[row]])

    def clock_ids(self) -> list[int]:
        return [] if self.data_set is None else self.data_set.clock_id[self.rows].tolist()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self.rows.size)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr_marked(COLUMNS[section]) if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        data = self.data_set
        if data is None or not index.isValid() or not 0 <= index.row() < self.rows.size:
            return None
        i, column = int(self.rows[index.row()]), index.column()
        status = int(data.columns.status[i])
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(data, i, column, status)
        if role == Qt.ItemDataRole.ForegroundRole and column in (STATUS, OVER):
            return LATE_COLOUR if status in (MISSED, BREACHED) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ELAPSED, TARGET, OVER):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == RECORD:
            hint = tr("Double-click to open the record")
            return self._text(data, i, column, status) + "\n" + hint
        if role == Qt.ItemDataRole.ToolTipRole and column in SHRINKING:
            return self._text(data, i, column, status)  # the whole text of an elided cell
        return None

    def _text(self, data: DashboardData, i: int, column: int, status: int) -> str:
        if column == RECORD:
            return data.record.labels[int(data.record.codes[i])]
        if column == STARTED:
            moment = datetime.fromtimestamp(int(data.columns.started_at[i]), UTC)
            return moment.astimezone(self._zone).strftime("%a %d %b %Y %H:%M")
        if column == STATUS:
            return tr_marked(STATUS_TEXT[status])  # the words the live table marks
        if column in (ELAPSED, TARGET, OVER):
            elapsed, target = int(data.columns.elapsed[i]), int(data.columns.target[i])
            value = {ELAPSED: elapsed, TARGET: target, OVER: elapsed - target}[column]
            if column == OVER and value <= 0:
                return ""
            hcode, scode = int(data.handoff.codes[i]), int(data.segment.codes[i])
            key = (
                data.handoff_keys[hcode] if 0 <= hcode < len(data.handoff_keys) else "",
                data.segment_keys[scode] if 0 <= scode < len(data.segment_keys) else "",
            )
            terms = data.terms.get(key)
            return duration(value) if terms is None else describe_duration(value, terms)
        dimension = {HANDOFF: data.handoff, SEGMENT: data.segment, OWNER: data.owner,
                     TEAM: data.team, SOURCE: data.source}[column]  # fmt: skip
        code = int(dimension.codes[i])
        return dimension.labels[code] if code >= 0 else "—"

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        data = self.data_set
        if data is None or not 0 <= column < len(COLUMNS) or self.rows.size == 0:
            return
        self.layoutAboutToBeChanged.emit()
        keys = self._keys(data, column)
        order_ = np.argsort(keys, kind="stable")
        if order == Qt.SortOrder.DescendingOrder:
            order_ = order_[::-1]
        self.rows = self.rows[order_]
        self.layoutChanged.emit()

    def _keys(self, data: DashboardData, column: int) -> np.ndarray:
        rows = self.rows
        c = data.columns
        numeric = {STARTED: c.started_at, STATUS: c.status, ELAPSED: c.elapsed, TARGET: c.target,
                   OVER: c.elapsed - c.target}  # fmt: skip
        if column in numeric:
            return np.asarray(numeric[column])[rows]
        dimension = {RECORD: data.record, HANDOFF: data.handoff, SEGMENT: data.segment,
                     OWNER: data.owner, TEAM: data.team, SOURCE: data.source}[column]  # fmt: skip
        labels = np.array([*dimension.labels, ""], dtype=object)
        return np.array([s.lower() for s in labels[dimension.codes[rows]].tolist()], dtype=object)
