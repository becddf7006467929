"""Add or edit a connection: kind, name, address, token (and Salesforce refresh token), schedule."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from slaapp.sync.connections import (
    Connection,
    ConnectionSettingError,
    check_connection,
)
from slaapp.sync.sources import needs_token, source_kind
from slaapp.views.common.i18n import tr
from slaapp.views.connections.ops import KIND_LABELS


class ConnectionDialog(QDialog):
    """The form; `result_connection()`, `token()` and `refresh_token()` after it is accepted."""

    def __init__(
        self,
        existing: Connection | None = None,
        keyring_ok: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Edit connection") if existing else tr("Add connection"))
        self._existing = existing
        self.kind = QComboBox()
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(label, kind)
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("e.g. Salesforce production"))
        self.url = QLineEdit()
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.refresh = QLineEdit()
        self.refresh.setEchoMode(QLineEdit.EchoMode.Password)
        self.refresh.setPlaceholderText(tr("optional: renews the session when it expires"))
        self.client_id = QLineEdit()
        self.client_id.setPlaceholderText(
            tr("the connected app's consumer key (needed with a refresh token)")
        )
        self.folder = QLineEdit()
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self._folder_box = QWidget()
        self._folder_box.setLayout(folder_row)
        self.schedule = QSpinBox()
        self.schedule.setRange(0, 24 * 60)
        self.schedule.setSuffix(tr(" min"))
        self.schedule.setSpecialValueText(tr("Only when I click Sync now"))
        self.schedule.setToolTip(tr("How often the app syncs this source while it runs"))
        self.enabled = QCheckBox(tr("Include in scheduled syncs and Sync all"))
        self.form = QFormLayout()
        self.form.addRow(tr("Kind"), self.kind)
        self.form.addRow(tr("Name"), self.name)
        self.form.addRow(tr("Address"), self.url)
        self.form.addRow(tr("Access token"), self.token)
        self.form.addRow(tr("Refresh token"), self.refresh)
        self.form.addRow(tr("Client id"), self.client_id)
        self.form.addRow(tr("Folder"), self._folder_box)
        self.form.addRow(tr("Sync every"), self.schedule)
        self.form.addRow("", self.enabled)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if not keyring_ok:
            self.note.setText(
                tr("No system keyring is available: the tokens are kept until you quit the app.")
            )
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._fill(existing)

    def _fill(self, existing: Connection | None) -> None:
        connection = existing or Connection("", "salesforce", schedule_minutes=60)
        self.kind.setCurrentIndex(max(0, self.kind.findData(connection.kind)))
        self.kind.setEnabled(existing is None)
        self.name.setText(connection.name)
        self.name.setReadOnly(existing is not None)
        self.url.setText(connection.url)
        self.folder.setText(connection.folder)
        self.client_id.setText(connection.options.get("client_id", ""))
        self.schedule.setValue(connection.schedule_minutes)
        self.enabled.setChecked(connection.enabled)
        if existing is not None:
            self.token.setPlaceholderText(tr("leave empty to keep the stored token"))
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = source_kind(str(self.kind.currentData()))
        if kind is None:
            return
        remote, refresh = bool(kind.address), kind.refresh_token
        for widget, shown in ((self.url, remote), (self.token, kind.needs_token), (self.refresh, refresh),
                              (self.client_id, refresh), (self._folder_box, not remote)):  # fmt: skip
            self.form.setRowVisible(widget, shown)
        self.url.setPlaceholderText(kind.url_example or kind.default_url)
        self.token.setToolTip(kind.token_help)
        if kind.default_url and not self.url.text() and self._existing is None:
            self.url.setText(kind.default_url)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Export folder"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def result_connection(self) -> Connection:
        kind = str(self.kind.currentData())
        base = self._existing or Connection(self.name.text().strip(), kind)
        options = dict(base.options)
        described = source_kind(kind)
        if described is not None and described.refresh_token:
            options["client_id"] = self.client_id.text().strip()
            if not options["client_id"]:
                del options["client_id"]
        return replace(
            base, name=self.name.text().strip(), kind=kind, url=self.url.text().strip().rstrip("/"),
            folder=self.folder.text().strip(), schedule_minutes=self.schedule.value(),
            enabled=self.enabled.isChecked(), options=options,
        )  # fmt: skip

    def token_text(self) -> str | None:
        return self.token.text().strip() or None

    def refresh_token(self) -> str | None:
        return self.refresh.text().strip() or None

    def _accept(self) -> None:
        connection = self.result_connection()
        try:
            check_connection(connection)
        except ConnectionSettingError as exc:
            self.error.setText(str(exc))
            return
        if needs_token(connection.kind) and self._existing is None and not self.token_text():
            self.error.setText(tr("access token: paste the token the CRM gave you"))
            return
        if self.refresh_token() and not connection.options.get("client_id"):
            self.error.setText(
                tr("client id: a refresh token needs the connected app's consumer key")
            )
            return
        self.accept()
