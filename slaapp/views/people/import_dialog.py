"""The people-file preview: what each row would change, or every problem with row and column."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableView, QVBoxLayout, QWidget

from slaapp.engine.errors import Problem, UserError
from slaapp.services.people import PeopleImport, RowChange
from slaapp.views.common.table_model import Column, TableModel

ACTIONS = {"add": "Add", "update": "Update", "same": "No change"}
CHANGE_COLUMNS: tuple[Column[RowChange], ...] = (
    Column("Row", lambda c: c.row, numeric=True),
    Column("Key", lambda c: c.key),
    Column("Name", lambda c: c.name),
    Column("Change", lambda c: ACTIONS.get(c.action, c.action)),
    Column("Fields", lambda c: ", ".join(c.fields) if c.action != "same" else ""),
)
PROBLEM_COLUMNS: tuple[Column[Problem], ...] = (
    Column("Row", lambda p: p.row, numeric=True),
    Column("Column", lambda p: p.column or ""),
    Column("Problem", lambda p: p.message),
    Column("Found", lambda p: p.found),
)


class ImportPreview(QDialog):
    """Accepting it imports the file; a rejected file can only be closed."""

    def __init__(self, result: PeopleImport | UserError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import people")
        self.resize(760, 420)
        self.table = QTableView()
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        if isinstance(result, PeopleImport):
            self.model: TableModel[RowChange] | TableModel[Problem] = TableModel(
                CHANGE_COLUMNS, self
            )
            self.model.set_rows(result.changes)
            self.summary.setText(
                f"{result.file}: {result.summary()}. Nothing is stored until you import."
            )
            self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
            self.import_button.setEnabled(result.count("add") + result.count("update") > 0)
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            problems = TableModel(PROBLEM_COLUMNS, self)
            problems.set_rows(result.problems or (Problem(str(result)),))
            self.model = problems
            count = len(result.problems) or 1
            self.summary.setText(
                f"{result.source or 'The file'} was not imported: {count} problem"
                f"{'s' if count != 1 else ''}. Fix the file and import it again; nothing was stored."
            )
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
