"""Dialogs of the matrix editor: publish (note, effective from, scope, sign-offs) and history."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from slaapp.services.matrix_drafts import SignOff, VersionEntry
from slaapp.views.common.times import shown


def local_time(epoch: int) -> str:
    """`Thu 15 Oct 2026 14:00` in the display time zone."""
    return shown(epoch, year=True)


class PublishDialog(QDialog):
    """Asks for the note, when the version takes effect, which clocks it judges, and sign-offs."""

    def __init__(
        self,
        changes: list[str],
        leads: tuple[SignOff, ...],
        base: int,
        parent: QWidget | None,
        rollback_to: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            f"Publish version {base + 1}"
            if rollback_to is None
            else f"Roll back: publish version {rollback_to} again as version {base + 1}"
        )
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("Why this change (shown in the history and the audit log)")
        self.note.setMaximumHeight(70)
        self.now = QRadioButton("Now")
        self.now.setChecked(True)
        self.later = QRadioButton("From")
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        self.when.setEnabled(False)
        self.later.toggled.connect(self.when.setEnabled)
        when = QHBoxLayout()
        when.addWidget(self.now)
        when.addWidget(self.later)
        when.addWidget(self.when, 1)
        self.new_only = QRadioButton(
            "New clocks only (open clocks keep the rules they started under)"
        )
        self.new_only.setChecked(True)
        self.reevaluate = QRadioButton("Re-evaluate open clocks under this version too")
        self.signoffs = {lead.label: QCheckBox(lead.label) for lead in leads}
        signed = QGroupBox("Signed off by (the matrix is an agreement between teams)")
        signed_layout = QVBoxLayout(signed)
        for box in self.signoffs.values():
            signed_layout.addWidget(box)
        if not self.signoffs:
            signed_layout.addWidget(QLabel("No team leads in the directory yet."))
        summary = QPlainTextEdit("\n".join(changes) if changes else "No changes")
        summary.setAccessibleName("What changes")
        self.summary = summary
        summary.setReadOnly(True)
        form = QFormLayout()
        form.addRow("What changes", summary)
        form.addRow("Note", self.note)
        form.addRow("Takes effect", when)
        form.addRow("Open clocks", self.new_only)
        form.addRow("", self.reevaluate)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Publish" if rollback_to is None else "Roll back")
        if rollback_to is not None:  # a rollback takes effect now and judges new clocks
            for widget in (self.later, self.when, self.reevaluate):
                widget.setEnabled(False)
            self.note.setPlaceholderText("Why roll back (required: shown in the history and log)")
            self.note.textChanged.connect(
                lambda: ok.setEnabled(bool(self.note.toPlainText().strip()))
            )
            ok.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(signed)
        layout.addWidget(buttons)
        self.resize(620, 560)

    def effective_from(self) -> int | None:
        return None if self.now.isChecked() else int(self.when.dateTime().toSecsSinceEpoch())

    def signed(self) -> tuple[str, ...]:
        return tuple(label for label, box in self.signoffs.items() if box.isChecked())


class HistoryDialog(QDialog):
    """Every published version with author, note, sign-offs and changes; roll back to one."""

    def __init__(self, versions: tuple[VersionEntry, ...], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Matrix versions")
        self.versions = versions
        self.chosen: int | None = None
        self.list = QListWidget()
        for entry in versions:
            info = entry.info
            self.list.addItem(
                f"Version {info.number} · {local_time(info.published_at)} · {info.author}"
            )
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.list.currentRowChanged.connect(self._show)
        self.rollback = QPushButton("Roll back to this version")
        self.rollback.clicked.connect(self._roll_back)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(self.detail)
        split.setSizes([300, 520])
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.rollback)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(900, 520)
        self.list.setCurrentRow(0)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.versions):
            return
        entry = self.versions[row]
        info = entry.info
        lines = [
            f"Version {info.number}, published by {info.author} on {local_time(info.published_at)}",
            (
                "Effective from the start: covers all history"
                if info.effective_from <= 0 or row == len(self.versions) - 1
                else f"Effective from {local_time(info.effective_from)}"
            )
            + (" (open clocks re-evaluated)" if info.reevaluate_open else ""),
            f"Note: {info.note or '—'}",
            f"Signed off by: {', '.join(info.signoffs) if info.signoffs else 'nobody recorded'}",
            "",
            "Changes:" if entry.changes else "",
            *[f"  {line}" for line in entry.changes],
        ]
        self.detail.setPlainText("\n".join(lines))
        self.rollback.setEnabled(row > 0)

    def _roll_back(self) -> None:
        row = self.list.currentRow()
        if 0 < row < len(self.versions):
            self.chosen = self.versions[row].info.number
            self.accept()
