"""The import result window: what an event-log import stored, and its import summary."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QVBoxLayout, QWidget

from slaapp.services.store import StoreResult
from slaapp.views.common.i18n import tr


def import_message(result: StoreResult) -> str:
    """The one-line status of an import: counts, and how many findings its summary has."""
    text = tr("Imported: {counts}").format(counts=result.ingested.summary())
    summary = result.summary
    if summary is None:
        return text
    found = len(summary.lines())
    return text + (
        tr("; import summary: nothing to report")
        if not found
        else (
            tr("; import summary: {count} finding")
            if found == 1
            else tr("; import summary: {count} findings")
        ).format(count=found)
    )


class ImportSummaryDialog(QDialog):
    """Shows the counts of one import and the findings of its summary (one line each):
    rows without a milestone, events no handoff uses, records whose stop precedes their
    start, and segment attributes that never arrived. Non-modal; deleted when closed."""

    def __init__(self, name: str, result: StoreResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Import summary: {name}").format(name=name))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(640, 320)
        self.counts = QLabel(
            tr("{name}: {counts}; {clocks} clocks re-evaluated.").format(
                name=name, counts=result.ingested.summary(), clocks=f"{result.clocks:,}"
            )
        )
        self.counts.setWordWrap(True)
        lines = result.summary.lines() if result.summary is not None else []
        self.heading = QLabel(
            tr("What the matrix in force cannot use well (the clocks stay as judged):")
            if lines
            else tr("Import summary: nothing to report.")
        )
        self.heading.setWordWrap(True)
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.addItems(lines)
        self.findings.setVisible(bool(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.heading)
        layout.addWidget(self.findings, 1)
        layout.addWidget(buttons)

    def lines(self) -> list[str]:
        """The findings as listed."""
        return [self.findings.item(i).text() for i in range(self.findings.count())]


def show_import_summary(
    parent: QWidget, name: str, result: StoreResult
) -> ImportSummaryDialog | None:
    """Open the summary window (non-modal) when the import has findings; None when clean."""
    if result.summary is None or result.summary.clean:
        return None
    dialog = ImportSummaryDialog(name, result, parent)
    dialog.setObjectName("importSummary")
    dialog.show()
    return dialog
