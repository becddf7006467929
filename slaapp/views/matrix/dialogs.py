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
from slaapp.services.matrix_versions import ALL_HISTORY, HistoryReach
from slaapp.views.common.i18n import tr
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
        reach: HistoryReach | None = None,
    ) -> None:
        super().__init__(parent)
        self.reach = reach if reach is not None else _screen_reach(parent)
        self.setWindowTitle(
            tr("Publish version {number}").format(number=base + 1)
            if rollback_to is None
            else tr("Roll back: publish version {old} again as version {number}").format(
                old=rollback_to, number=base + 1
            )
        )
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(tr("Why this change (shown in the history and the audit log)"))
        self.note.setMaximumHeight(70)
        self.now = QRadioButton(tr("Now"))
        self.now.setChecked(True)
        self.later = QRadioButton(tr("From"))
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        self.when.setEnabled(False)
        self.later.toggled.connect(self.when.setEnabled)
        when = QHBoxLayout()
        when.addWidget(self.now)
        when.addWidget(self.later)
        when.addWidget(self.when, 1)
        self.new_only = QRadioButton(
            tr("New clocks only (open clocks keep the rules they started under)")
        )
        self.new_only.setChecked(True)
        self.reevaluate = QRadioButton(tr("Re-evaluate open clocks under this version too"))
        self.history = QCheckBox(
            tr("Apply to history too (judge every existing clock by this version)")
        )
        self.history.setAccessibleName(tr("Apply to history too"))
        self.staying = QLabel()
        self.staying.setWordWrap(True)
        self.signoffs = {lead.label: QCheckBox(lead.label) for lead in leads}
        signed = QGroupBox(tr("Signed off by (the matrix is an agreement between teams)"))
        signed_layout = QVBoxLayout(signed)
        for box in self.signoffs.values():
            signed_layout.addWidget(box)
        if not self.signoffs:
            signed_layout.addWidget(QLabel(tr("No team leads in the directory yet.")))
        summary = QPlainTextEdit("\n".join(changes) if changes else tr("No changes"))
        summary.setAccessibleName(tr("What changes"))
        self.summary = summary
        summary.setReadOnly(True)
        form = QFormLayout()
        form.addRow(tr("What changes"), summary)
        form.addRow(tr("Note"), self.note)
        form.addRow(tr("Takes effect"), when)
        form.addRow(tr("Open clocks"), self.new_only)
        form.addRow("", self.reevaluate)
        form.addRow(tr("History"), self.history)
        form.addRow("", self.staying)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("Publish") if rollback_to is None else tr("Roll back"))
        if rollback_to is not None:  # a rollback takes effect now and judges new clocks
            for widget in (self.later, self.when, self.reevaluate, self.history):
                widget.setEnabled(False)
            self.note.setPlaceholderText(
                tr("Why roll back (required: shown in the history and log)")
            )
            self.note.textChanged.connect(
                lambda: ok.setEnabled(bool(self.note.toPlainText().strip()))
            )
            ok.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        replaces = rollback_to is None and self.reach is not None and self.reach.provisional
        self.history.setChecked(bool(replaces))
        for signal in (self.history.toggled, self.later.toggled, self.reevaluate.toggled):
            signal.connect(self._show_staying)
        self.when.dateTimeChanged.connect(self._show_staying)
        self._show_staying()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(signed)
        layout.addWidget(buttons)
        self.resize(620, 560)

    def effective_from(self) -> int | None:
        """ALL_HISTORY with "Apply to history too", else None for now or the chosen instant."""
        if self.history.isChecked() and self.history.isEnabled():
            return ALL_HISTORY
        if not self.now.isChecked():
            return int(self.when.dateTime().toSecsSinceEpoch())
        if self.reach is not None and self.reach.provisional is not None:
            return int(QDateTime.currentDateTime().toSecsSinceEpoch())  # now, said explicitly
        return None

    def _show_staying(self) -> None:
        """Say how many existing clocks an older version keeps judging with these choices."""
        applied = self.history.isChecked()
        for widget in (self.now, self.later):
            widget.setEnabled(not applied and self.history.isEnabled())
        self.when.setEnabled(self.later.isChecked() and self.later.isEnabled())
        self.staying.setText(self.staying_text())

    def staying_text(self) -> str:
        reach = self.reach
        if reach is None or not self.history.isEnabled():
            return ""
        if self.history.isChecked():
            if reach.provisional is None:
                return tr(
                    "Every existing clock ({count:,}) will be judged by this version."
                ).format(count=len(reach.starts))
            return tr(
                "Every existing clock ({count:,}) will be judged by this version; "
                "it replaces the provisional default (version {number})."
            ).format(count=len(reach.starts), number=reach.provisional)
        chosen = self.effective_from()
        instant = int(QDateTime.currentDateTime().toSecsSinceEpoch()) if chosen is None else chosen
        staying = reach.staying(instant, self.reevaluate.isChecked())
        if not staying:
            return tr("No existing clock stays under an older version.")
        return tr(
            "{count:,} existing clocks stay under an older version; tick "
            "“Apply to history too” to judge them by this version."
        ).format(count=staying)

    def signed(self) -> tuple[str, ...]:
        return tuple(label for label, box in self.signoffs.items() if box.isChecked())


def _screen_reach(parent: QWidget | None) -> HistoryReach | None:
    """The stored clocks' reach from the matrix screen's state, when the dialog opens on it."""
    state = getattr(parent, "state", None)
    reach = getattr(state, "reach", None)
    return reach if isinstance(reach, HistoryReach) else None


class HistoryDialog(QDialog):
    """Every published version with author, note, sign-offs and changes; roll back to one."""

    def __init__(self, versions: tuple[VersionEntry, ...], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Matrix versions"))
        self.versions = versions
        self.chosen: int | None = None
        self.list = QListWidget()
        for entry in versions:
            info = entry.info
            self.list.addItem(
                tr("Version {number} · {time} · {author}").format(
                    number=info.number, time=local_time(info.published_at), author=info.author
                )
            )
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.list.currentRowChanged.connect(self._show)
        self.rollback = QPushButton(tr("Roll back to this version"))
        self.rollback.clicked.connect(self._roll_back)
        close = QPushButton(tr("Close"))
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
            tr("Version {number}, published by {author} on {time}").format(
                number=info.number, author=info.author, time=local_time(info.published_at)
            ),
            (
                tr("Effective from the start: covers all history")
                if info.effective_from <= 0 or row == len(self.versions) - 1
                else tr("Effective from {time}").format(time=local_time(info.effective_from))
            )
            + (tr(" (open clocks re-evaluated)") if info.reevaluate_open else ""),
            tr("Note: {note}").format(note=info.note or "—"),
            tr("Signed off by: {names}").format(
                names=", ".join(info.signoffs) if info.signoffs else tr("nobody recorded")
            ),
            "",
            tr("Changes:") if entry.changes else "",
            *[f"  {line}" for line in entry.changes],
        ]
        self.detail.setPlainText("\n".join(lines))
        self.rollback.setEnabled(row > 0)

    def _roll_back(self) -> None:
        row = self.list.currentRow()
        if 0 < row < len(self.versions):
            self.chosen = self.versions[row].info.number
            self.accept()
