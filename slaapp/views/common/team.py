"""Team mode in the window: buttons the login may not use, the service line, data from NOTIFY."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QWidget

from slaapp.services.database import Database
from slaapp.services.team import Access
from slaapp.services.worker_listen import DataListener, listen_for_data


class _KeepDisabled(QObject):
    """Turns a widget off again whenever its screen enables it (the login may not use it)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.EnabledChange
            and isinstance(watched, QWidget)
            and watched.isEnabled()
        ):
            watched.setEnabled(False)
        return False


def gate(control: QWidget | QAction, access: Access, action: str) -> str | None:
    """Disable `control` for good, with a one-line reason as its tooltip, when the login may
    not do `action`; returns that reason (None: allowed, the control is left as it is)."""
    reason = access.reason(action)
    if reason is None:
        return None
    control.setEnabled(False)
    control.setToolTip(reason)
    control.setStatusTip(reason)
    if isinstance(control, QAction):
        control.changed.connect(lambda: control.isEnabled() and control.setEnabled(False))
    else:
        keeper = _KeepDisabled(control)
        control.installEventFilter(keeper)
    return reason


class DataWatch(QObject):
    """New data landed in the database (PostgreSQL NOTIFY); nothing on SQLite, which polls.

    Notifications within `settle_ms` come as one. Signals: changed(str) with the tables that
    changed (comma separated), on the GUI thread.
    """

    changed = Signal(str)
    _noted = Signal(str)

    def __init__(
        self, database: Database, parent: QObject | None = None, settle_ms: int = 300
    ) -> None:
        super().__init__(parent)
        self._tables: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(settle_ms)
        self._timer.timeout.connect(self._emit)
        self._noted.connect(self._note, Qt.ConnectionType.QueuedConnection)
        self._listener: DataListener | None = listen_for_data(database, self._noted.emit)

    def _note(self, table: str) -> None:
        self._tables.add(table)
        if not self._timer.isActive():
            self._timer.start()

    def _emit(self) -> None:
        tables, self._tables = ",".join(sorted(self._tables)), set()
        self.changed.emit(tables)

    def stop(self) -> None:
        self._timer.stop()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None


class ServiceLabel(QLabel):
    """A status bar label for `slaapp service` lines, hidden while there is none."""

    @Slot(str)
    def show_line(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text)
        self.setVisible(bool(text))


def service_label(source: QObject) -> QLabel:
    """A status bar label showing `source.service(str)` lines (hidden while empty).

    The label's own slot receives them, so Qt disconnects it when the label is deleted.
    """
    label = ServiceLabel()
    label.hide()
    source.service.connect(label.show_line)  # type: ignore[attr-defined]
    return label
