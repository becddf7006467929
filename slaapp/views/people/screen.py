"""The People screen: the directory edited in place (with undo), imported from a file, as an org chart."""

from __future__ import annotations

import getpass
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QT_TR_NOOP, QSettings, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.errors import UserError
from slaapp.services.database import Database
from slaapp.services.people import (
    PeopleImport,
    PersonEntry,
    import_people,
    people,
    set_person_fields,
)
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.page_header import page_header
from slaapp.views.common.table_model import SORT_ROLE
from slaapp.views.people.import_dialog import ImportPreview
from slaapp.views.people.table import PeopleModel, org_chart

EMPTY = QT_TR_NOOP(
    "No people yet. Import a people file (name, email, phone, team, manager, role, …) or sync a CRM."
)


class _Edit(QUndoCommand):
    """One field of one person; redo and undo store through the service."""

    def __init__(self, screen: PeopleScreen, key: str, field: str, old: str, new: str) -> None:
        super().__init__(tr("{field} of {key}").format(field=field, key=key))
        self.screen, self.key, self.field, self.old, self.new = screen, key, field, old, new

    def redo(self) -> None:
        self.screen.store(self.key, self.field, self.new)

    def undo(self) -> None:
        self.screen.store(self.key, self.field, self.old)


class PeopleScreen(QWidget):
    """A Screen. Signals: open_record(int) (unused), message(str), data_changed() after edits."""

    title: str
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()

    def __init__(
        self,
        database: Database,
        jobs: JobRunner,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        clock: Callable[[], float] = time.time,
        actor: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = tr("People")
        self._database, self._jobs, self._settings, self._clock = database, jobs, settings, clock
        self.actor = actor or getpass.getuser()
        self.model = PeopleModel()
        self.model.edit_requested.connect(self._edit)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.tree = QTreeView()
        self.tree.setModel(org_chart(()))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, tr("Directory"))
        self.tabs.addTab(self.tree, tr("Org chart"))
        self.undo_stack = QUndoStack(self)
        self.undo_button = QPushButton(tr("Undo"))
        self.undo_button.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.import_button = QPushButton(tr("Import people file…"))
        self.import_button.clicked.connect(self.choose_file)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search name, team, manager…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.status = QLabel(tr_marked(EMPTY))
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(page_header(
            self.title,
            tr("Who owns handoffs, who manages whom, when they work. Double-click a cell to change "
               "it; what you set here a CRM sync never overwrites."),
        ))  # fmt: skip
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)

    # ----- Screen ----------------------------------------------------------------------
    def widget(self) -> QWidget:
        return self

    def shutdown(self) -> None:
        self.undo_stack.clear()

    def refresh(self) -> None:
        self._jobs.start(
            partial(people, self._database), self.show_people, self._failed, self._failed
        )

    def show_people(self, entries: tuple[PersonEntry, ...]) -> None:
        self.model.set_rows(entries)
        self.tree.setModel(org_chart(entries))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.table.resizeColumnsToContents()
        self.status.setText(
            tr("{count} people").format(count=len(entries)) if entries else tr_marked(EMPTY)
        )

    def _failed(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)

    # ----- edits -----------------------------------------------------------------------
    def _edit(self, key: str, field: str, old: str, new: str) -> None:
        self.undo_stack.push(_Edit(self, key, field, old, new))

    def store(self, key: str, field: str, text: str) -> None:
        work = partial(
            set_person_fields, self._database, key, {field: text}, actor=self.actor,
            now=int(self._clock()),
        )  # fmt: skip
        self._jobs.start(work, self._stored, self._edit_failed, self._failed)

    def _stored(self, entry: PersonEntry) -> None:
        self.model.replace_person(entry)
        self.status.setText(tr("Saved {name}").format(name=entry.name))
        self.data_changed.emit()
        self.refresh()  # names of managers and the org chart follow

    def _edit_failed(self, text: str) -> None:
        failure = tr("Not saved: {error}").format(error=text)
        self.status.setText(failure)
        self.message.emit(failure)
        self.refresh()  # the table shows what is stored

    # ----- import ----------------------------------------------------------------------
    def choose_file(self) -> None:
        folder = (
            str(self._settings.value("people_folder", str(Path.home()))) if self._settings else ""
        )
        path, _ = QFileDialog.getOpenFileName(
            self,
            tr("Import a people file"),
            folder,
            tr("People files (*.csv *.tsv *.txt *.xlsx *.xlsm)"),
        )
        if path:
            if self._settings is not None:
                self._settings.setValue("people_folder", str(Path(path).parent))
            self.preview_file(Path(path))

    def preview_file(self, path: Path) -> None:
        """Read and check the file off the GUI thread, then show what it would change."""
        self._jobs.start(
            partial(self._preview, path), self.show_preview, self._failed, self._failed
        )

    def _preview(self, path: Path) -> PeopleImport | UserError:
        try:
            return import_people(
                self._database, path, actor=self.actor, now=int(self._clock()), preview=True
            )
        except UserError as exc:  # shown row by row in the preview, not as one line
            return exc

    def show_preview(self, result: PeopleImport | UserError) -> ImportPreview:
        self.preview = ImportPreview(result, self)
        if isinstance(result, PeopleImport):
            path = Path(result.file)
            self.preview.accepted.connect(partial(self.import_file, path))
        self.preview.open()
        return self.preview

    def import_file(self, path: Path) -> None:
        work = partial(
            import_people, self._database, path, actor=self.actor, now=int(self._clock())
        )
        self._jobs.start(work, self._imported, self._failed, self._failed)

    def _imported(self, result: PeopleImport) -> None:
        self.message.emit(tr("People imported: {summary}").format(summary=result.summary()))
        self.undo_stack.clear()  # edits before an import cannot be undone across it
        self.data_changed.emit()
        self.refresh()
