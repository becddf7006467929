"""Item models of the Alerts screen: alert history and alert volume per person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from slaapp.notify.alerting_actions import Volume
from slaapp.services.alerts import AlertView

Index = QModelIndex | QPersistentModelIndex
SEVERITY_TEXT = {
    "warning": "Warning",
    "breach": "Breach",
    "escalation": "Escalation",
    "pattern": "Pattern",
}
STATE_TEXT = {
    "waiting": "Waiting",
    "failed": "Failed",
    "sent": "Delivered",
    "acknowledged": "Acknowledged",
    "snoozed": "Snoozed",
}
STATE_COLOR = {"failed": "#d64545", "waiting": "#c98a12", "snoozed": "#6b7bd6"}
SEVERITY_COLOR = {"escalation": "#d64545", "breach": "#e0702b", "pattern": "#8a5cd6"}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ALERT_ROLE = Qt.ItemDataRole.UserRole + 2


def when(epoch: int) -> str:
    """Local time, short: `Fri 27 Nov 14:05`."""
    return datetime.fromtimestamp(epoch).strftime("%a %d %b %H:%M")


def delivery_summary(alert: AlertView) -> str:
    counts: dict[str, int] = {}
    for d in alert.deliveries:
        counts[d.state] = counts.get(d.state, 0) + 1
    order = ("sent", "sending", "waiting", "retrying", "failed", "cancelled")
    return " · ".join(f"{counts[s]} {s}" for s in order if s in counts) or "no recipients"


class AlertTableModel(QAbstractTableModel):
    """Alerts, newest first; the view sorts and filters through a proxy (small tables)."""

    COLUMNS = ("Fired", "Severity", "Alert", "Owner", "Recipients", "Delivery", "State")
    FIRED, SEVERITY, TITLE, OWNER, RECIPIENTS, DELIVERY, STATE = range(7)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._alerts: tuple[AlertView, ...] = ()
        self._names: dict[str, str] = {}
        self._now = 0

    def set_alerts(self, alerts: tuple[AlertView, ...], names: dict[str, str], now: int) -> None:
        self.beginResetModel()
        self._alerts, self._names, self._now = alerts, names, now
        self.endResetModel()

    def alert(self, row: int) -> AlertView:
        return self._alerts[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._alerts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._alerts):
            return None
        alert, column = self._alerts[index.row()], index.column()
        state = alert.state(self._now)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(alert, column, state)
        if role == SORT_ROLE:
            return alert.fired_at if column == self.FIRED else self._text(alert, column, state)
        if role == ALERT_ROLE:
            return alert.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.DELIVERY:
                return "\n".join(
                    f"{d.channel} to {d.recipient_name or d.recipient_key}: {d.state}"
                    + (f" after {d.attempts} attempt(s): {d.last_error}" if d.last_error else "")
                    for d in alert.deliveries
                )
            return "\n".join((alert.title, *alert.lines))
        if role == Qt.ItemDataRole.ForegroundRole:
            color = (
                STATE_COLOR.get(state)
                if column == self.STATE
                else SEVERITY_COLOR.get(alert.severity)
                if column == self.SEVERITY
                else None
            )
            return QBrush(QColor(color)) if color else None
        return None

    def _text(self, alert: AlertView, column: int, state: str) -> str:
        if column == self.FIRED:
            return when(alert.fired_at)
        if column == self.SEVERITY:
            return SEVERITY_TEXT.get(alert.severity, alert.severity.title())
        if column == self.TITLE:
            return alert.title
        if column == self.OWNER:
            return self._names.get(alert.owner or "", alert.owner or "")
        if column == self.RECIPIENTS:
            return ", ".join(self._names.get(k, k) for k in alert.recipients)
        if column == self.DELIVERY:
            return delivery_summary(alert)
        return STATE_TEXT.get(state, state)


class VolumeModel(QAbstractTableModel):
    """How many alerts reached each person, so managers see who is flooded."""

    COLUMNS = ("Person", "Team", "Today", "7 days", "Failed")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[Volume, ...] = ()

    def set_rows(self, rows: tuple[Volume, ...]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        values = (row.name, row.team, row.today, row.week, row.failed)
        if role == Qt.ItemDataRole.DisplayRole:
            value = values[column]
            return f"{value:,}" if isinstance(value, int) else value
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.name}: {row.today} alerts today, {row.week} in 7 days, {row.failed} failed deliveries"
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and row.failed:
            return QBrush(QColor("#d64545"))
        return None
