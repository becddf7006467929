"""The people-file preview: what each row would change, or every problem with row and column."""

from __future__ import annotations

from PySide6.QtCore import QT_TR_NOOP
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableView, QVBoxLayout, QWidget

from slaapp.engine.errors import Problem, UserError
from slaapp.services.people import PeopleImport, RowChange
from slaapp.views.common.i18n import tr, tr_marked, translated
from slaapp.views.common.table_model import Column, TableModel

ACTIONS = {
    "add": QT_TR_NOOP("Add"),
    "update": QT_TR_NOOP("Update"),
    "same": QT_TR_NOOP("No change"),
}
CHANGE_COLUMNS: tuple[Column[RowChange], ...] = (
    Column(QT_TR_NOOP("Row"), lambda c: c.row, numeric=True),
    Column(QT_TR_NOOP("Key"), lambda c: c.key),
    Column(QT_TR_NOOP("Name"), lambda c: c.name),
    Column(QT_TR_NOOP("Change"), lambda c: tr_marked(ACTIONS.get(c.action, c.action))),
    Column(QT_TR_NOOP("Fields"), lambda c: ", ".join(c.fields) if c.action != "same" else ""),
)
PROBLEM_COLUMNS: tuple[Column[Problem], ...] = (
    Column(QT_TR_NOOP("Row"), lambda p: p.row, numeric=True),
    Column(QT_TR_NOOP("Column"), lambda p: p.column or ""),
    Column(QT_TR_NOOP("Problem"), lambda p: p.message),
    Column(QT_TR_NOOP("Found"), lambda p: p.found),
)


class ImportPreview(QDialog):
    """Accepting it imports the file; a rejected file can only be closed."""

    def __init__(self, result: PeopleImport | UserError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Import people"))
        self.resize(760, 420)
        self.table = QTableView()
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        if isinstance(result, PeopleImport):
            self.model: TableModel[RowChange] | TableModel[Problem] = TableModel(
                translated(CHANGE_COLUMNS), self
            )
            self.model.set_rows(result.changes)
            self.summary.setText(
                tr("{file}: {summary}. Nothing is stored until you import.").format(
                    file=result.file, summary=result.summary()
                )
            )
            self.import_button = buttons.addButton(
                tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.import_button.setEnabled(result.count("add") + result.count("update") > 0)
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            problems = TableModel(translated(PROBLEM_COLUMNS), self)
            problems.set_rows(result.problems or (Problem(str(result)),))
            self.model = problems
            count = len(result.problems) or 1
            text = (
                tr(
                    "{file} was not imported: {count} problem. Fix the file and import it again; "
                    "nothing was stored."
                )
                if count == 1
                else tr(
                    "{file} was not imported: {count} problems. Fix the file and import it again; "
                    "nothing was stored."
                )
            )
            self.summary.setText(text.format(file=result.source or tr("The file"), count=count))
            self.import_button = None
            buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.table.setModel(self.model)
        self.table.resizeColumnsToContents()
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
