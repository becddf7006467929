"""Connections: CRM sources and export folders; add, test, edit, remove, map, sync now and on a schedule."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from slaapp.infra.secrets import ENV_PREFIX, connection_token, default_store
from slaapp.services.database import Database
from slaapp.sync.connections import Connection
from slaapp.sync.connector import AccountInfo, Progress
from slaapp.sync.service import SyncReport
from slaapp.sync.sources import ConnectOptions
from slaapp.views.common.i18n import tr
from slaapp.views.common.jobs import JobRunner
from slaapp.views.connections import ops
from slaapp.views.connections.dialog import ConnectionDialog
from slaapp.views.connections.mapping_editor import MappingEditor
from slaapp.views.connections.sync_worker import SyncService
from slaapp.views.connections.table import RowsModel, text_rows


class ConnectionsScreen(QWidget):
    """A Screen. Signals: open_record(int), message(str), data_changed()."""

    title: str
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()

    def __init__(
        self, database: Database, jobs: JobRunner, parent: QWidget | None = None,
        options: ConnectOptions | None = None, clock: Callable[[], float] = time.time,
        sync: SyncService | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.title = tr("Connections")
        self._database, self._jobs, self._options, self._clock = database, jobs, options, clock
        self._state = ops.ScreenState((), True)
        self._quota: dict[str, str] = {}
        self._testing = ""
        # The app passes its one SyncService (it also runs the schedules); alone, the screen
        # makes its own without a schedule.
        self._owns_sync = sync is None
        self.sync = sync or SyncService(database, self, options=options, schedule=False)
        self.sync.progress.connect(self._progress)
        self.sync.finished.connect(self._synced)
        self.sync.crashed.connect(self._crashed)
        self.sync.busy.connect(lambda _: self._update_buttons())
        title = QLabel(self.title)
        title.setStyleSheet("font-size: 20px; font-weight: 600;")
        subtitle = QLabel(
            tr(
                "Where handoff data comes from. Syncs run in the background; keep working meanwhile."
            )
        )
        subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, 4.5:1 or more
        self.keyring_banner = QLabel(
            tr("No system keyring is available on this computer: tokens are kept only until you quit, "
               "and you will be asked for them again next time (or set {variable}, "
               "e.g. {example} for the connection named hubspot).").format(
                variable=f"{ENV_PREFIX}SYNC_<NAME>", example=connection_token("hubspot").env)
        )  # fmt: skip
        self.keyring_banner.setWordWrap(True)
        self.keyring_banner.setStyleSheet(
            "background: #fff4e5; color: #6b4200; padding: 8px; border-radius: 4px;"
        )
        self.keyring_banner.hide()
        self.model = RowsModel(
            (tr("Name"), tr("Source"), tr("Address"), tr("Schedule"), tr("Last sync"), tr("Result"))
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.empty = QLabel(
            tr(
                "No connections yet. Click “Add connection” to connect a CRM account or an export "
                "folder."
            )
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("padding: 24px;")
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, label, slot, tip in (
            ("add", tr("Add connection…"), self.add, tr("Connect a CRM account or an export folder")),
            ("edit", tr("Edit…"), self.edit, tr("Change the address, token or schedule")),
            ("test", tr("Test"), self.test, tr("Check the address and token without syncing")),
            ("mapping", tr("Mapping…"), self.edit_mapping, tr("Which CRM fields and stages become handoff events")),
            ("sync", tr("Sync now"), self.sync_now, tr("Fetch what changed since the last sync")),
            ("cancel", tr("Cancel sync"), self.sync.cancel, tr("Stop after the current page; what is stored stays")),
            ("remove", tr("Remove"), self.remove, tr("Forget the connection and its token; synced records stay")),
        ):  # fmt: skip
            button = QPushButton(label)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, run=slot: run())
            self.buttons[key] = button
            bar.addWidget(button)
            if key == "add":
                bar.addSpacing(12)
        bar.addStretch(1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel_layout = QVBoxLayout(panel)
        heading = QLabel(tr("Details"))
        heading.setStyleSheet("font-weight: 600;")
        panel_layout.addWidget(heading)
        panel_layout.addWidget(self.detail)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_bar)
        progress_row.addWidget(self.status, 1)
        panel_layout.addLayout(progress_row)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addWidget(self.keyring_banner)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(panel)
        self._update_buttons()

    # --- loading -------------------------------------------------------------------------

    def widget(self) -> QWidget:
        return self

    def refresh(self) -> None:
        self._jobs.start(
            lambda: ops.load_state(self._database), self._loaded, self._failed, self._failed
        )

    def _loaded(self, state: object) -> None:
        assert isinstance(state, ops.ScreenState)
        selected = self.current()
        self._state = state
        self.keyring_banner.setVisible(not state.keyring)
        rows, tips = [], []
        for row in state.rows:
            c, last = row.connection, row.last
            every = (
                tr("Every {minutes} min").format(minutes=c.schedule_minutes)
                if c.schedule_minutes and c.enabled
                else tr("Manual")
            )
            result = (
                (
                    last.error
                    or tr("{records:,} records, {events:,} new events").format(
                        records=last.records, events=last.events
                    )
                )
                if last
                else tr("Never synced")
            )
            state_word = ops.state_words(last.state) if last else ""
            rows.append([c.name, ops.KIND_LABELS.get(c.kind, c.kind), c.url or c.folder, every,
                         f"{state_word} {ops.when(last.finished_at or last.started_at)}".strip() if last else "",
                         result])  # fmt: skip
            tips.append(["", "", "", "", "", result])
        self.model.set_rows(text_rows(rows, tips))
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        names = [r.connection.name for r in state.rows]
        if selected is not None and selected.name in names:
            self.table.selectRow(names.index(selected.name))
        elif names:
            self.table.selectRow(0)
        self._selected()

    def _failed(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)
        self._update_buttons()

    def current(self) -> Connection | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._state.rows):
            return None
        return self._state.rows[rows[0].row()].connection

    def _selected(self, *_args: object) -> None:
        connection = self.current()
        row = next(
            (r for r in self._state.rows if connection and r.connection.name == connection.name),
            None,
        )
        if row is None:
            self.detail.setText(tr("Select a connection to see its last sync."))
        else:
            last = row.last
            lines = [
                f"<b>{row.connection.name}</b> · {ops.KIND_LABELS.get(row.connection.kind, '')}"
            ]
            if last is None:
                lines.append(tr("Not synced yet. Click “Sync now” to bring its records in."))
            else:
                lines.append(tr("Last sync: {state} on {time} — {pages:,} pages, {records:,} records, "
                                "{events:,} new events.").format(
                    state=ops.state_words(last.state), time=ops.when(last.finished_at or last.started_at),
                    pages=last.pages, records=last.records, events=last.events))  # fmt: skip
                if last.error:
                    lines.append(f"<span style='color:#c62828'>{last.error}</span>")
            quota = (
                ops.quota_words(self._quota)
                if self._quota.get("source") == row.connection.name
                else ""
            )
            if quota:
                lines.append(tr("Quota: {quota}.").format(quota=quota))
            self.detail.setText("<br>".join(lines))
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.current() is not None
        syncing = self.sync.running
        for key in ("edit", "test", "mapping", "remove"):
            self.buttons[key].setEnabled(chosen and not (syncing and key == "remove"))
        self.buttons["sync"].setEnabled(chosen and not syncing)
        self.buttons["cancel"].setEnabled(syncing)

    # --- actions ---------------------------------------------------------------------------

    def add(self) -> None:
        self._open_dialog(None)

    def edit(self) -> None:
        connection = self.current()
        if connection is not None:
            self._open_dialog(connection)

    def _open_dialog(self, existing: Connection | None) -> None:
        dialog = ConnectionDialog(existing, self._state.keyring, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        connection, token, refresh = (
            dialog.result_connection(),
            dialog.token_text(),
            dialog.refresh_token(),
        )
        self._jobs.start(lambda: (connection.name, ops.save(self._database, connection, token, refresh)),
                         self._saved, self._failed, self._failed)  # fmt: skip

    def _saved(self, result: object) -> None:  # bound methods run on the GUI thread
        name, kept = result  # type: ignore[misc]
        self._after(
            tr("Saved {name}.").format(name=name)
            + ("" if kept else tr(" Its token is kept until you quit."))
        )

    def remove(self) -> None:
        connection = self.current()
        if connection is None:
            return
        name = connection.name
        self._jobs.start(lambda: (ops.remove(self._database, name), name)[1], self._removed,
                         self._failed, self._failed)  # fmt: skip

    def _removed(self, name: object) -> None:
        self._after(tr("Removed {name}; its records stay.").format(name=name))

    def _after(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)
        self.refresh()

    def test(self) -> None:
        connection = self.current()
        if connection is None:
            return
        name = self._testing = connection.name
        self.status.setText(tr("Testing {name}…").format(name=name))
        self._jobs.start(lambda: ops.test(self._database, name, self._options), self._tested,
                         self._test_failed, self._failed)  # fmt: skip

    def _tested(self, info: object) -> None:
        assert isinstance(info, AccountInfo)
        self.status.setText(
            tr("Connected to {account}. {detail}")
            .format(account=info.account, detail=info.detail)
            .strip()
        )

    def _test_failed(self, text: str) -> None:
        self._failed(text)
        if "enter it" in text and not self._state.keyring:
            self.ask_token(self._testing)

    def ask_token(self, name: str) -> None:
        """Ask for a token for this session (no keyring on this computer)."""
        token, ok = QInputDialog.getText(self, tr("Token for this session"),
                                         tr("Access token of {name}:").format(name=name),
                                         QLineEdit.EchoMode.Password)  # fmt: skip
        if ok and token.strip():
            default_store().set(connection_token(name), token.strip())
            self.status.setText(
                tr("Token of {name} kept until you quit; click Test or Sync now.").format(name=name)
            )

    def edit_mapping(self) -> None:
        connection = self.current()
        if connection is not None:
            editor = MappingEditor(self._database, self._jobs, connection, self._options, self)
            editor.saved.connect(
                lambda: self._after(tr("Mapping of {name} saved.").format(name=connection.name))
            )
            editor.open()

    def sync_now(self, name: str | None = None) -> bool:
        connection = self.current() if name is None else None
        target = name or (connection.name if connection else None)
        if target is None or not self.sync.sync_now(target):
            return False
        self.progress_bar.show()
        self.status.setText(tr("Syncing {name}…").format(name=target))
        self._update_buttons()
        return True

    def _progress(self, progress: Progress) -> None:
        text = tr("Syncing {name}: {stream}, {pages:,} pages, {records:,} records, "
                  "{events:,} new events").format(
            name=progress.source, stream=progress.stream, pages=progress.pages,
            records=progress.records, events=progress.events)  # fmt: skip
        if progress.waiting_seconds:
            text += tr(" — waiting {seconds:.0f} s for the rate limit").format(
                seconds=progress.waiting_seconds
            )
        self.status.setText(text)

    def _synced(self, report: SyncReport) -> None:
        self.progress_bar.hide()
        self._quota = {**report.quota, "source": report.source}
        self.status.setText(report.message)
        self.message.emit(f"{report.source}: {report.message}")
        if report.events_added:
            self.data_changed.emit()
        self.refresh()

    def _crashed(self, name: str, text: str) -> None:
        self.progress_bar.hide()
        self._failed(
            tr("The sync stopped on an internal error ({error}); see the log file.").format(
                error=text
            )
        )

    def shutdown(self) -> None:
        if self._owns_sync:
            self.sync.shutdown()
