"""The SLA matrix screen: grid, side panels, undo/redo, draft, publish, history, import/export."""

from __future__ import annotations

import getpass
import html
import json
import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.errors import UserError
from slaapp.engine.matrix_changes import count_document_changes, describe_changes
from slaapp.engine.matrix_document import (
    MatrixError,
    dump_matrix,
    matrix_from_document,
    matrix_to_document,
)
from slaapp.engine.matrix_problems import problem_in_words
from slaapp.importers.matrix_file import load_matrix
from slaapp.services.database import Database
from slaapp.services.matrix_drafts import (
    MatrixState,
    PublishResult,
    discard_draft,
    matrix_state,
    publish_draft,
    roll_back,
    save_draft,
)
from slaapp.services.matrix_versions import MatrixConflictError
from slaapp.services.store import now
from slaapp.views.common.i18n import tr
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.page_header import page_header
from slaapp.views.matrix.calendars import CalendarEditor, read_choices
from slaapp.views.matrix.delegate import RuleDelegate
from slaapp.views.matrix.dialogs import HistoryDialog, PublishDialog
from slaapp.views.matrix.grid import MatrixGridModel
from slaapp.views.matrix.handoff_panel import HandoffPanel
from slaapp.views.matrix.matrix_fields import MatrixFields
from slaapp.views.matrix.printing import export_pdf, export_png, matrix_html
from slaapp.views.matrix.segments import SegmentEditor
from slaapp.views.matrix.undo import MatrixDraft

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conflict:
    """Publishing failed because someone else published first; the draft is kept."""

    message: str


class MatrixScreen(QWidget):
    """A Screen. Signals: open_record(int), message(str), data_changed(), published(PublishResult),
    conflict(str)."""

    title: str
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()
    published = Signal(object)
    conflict = Signal(str)

    def __init__(self, database: Database, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = tr("SLA matrix")
        self.database = database
        self.jobs = jobs
        self.user = getpass.getuser()
        self.state: MatrixState | None = None
        self.draft = MatrixDraft(self)
        self.model = MatrixGridModel(self.draft)
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(800)
        self.save_timer.timeout.connect(self._save_draft)
        self._loading = False
        self._build()
        self.draft.changed.connect(self._draft_changed)

    # ----- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        bar = QToolBar()
        self.undo_action = self.draft.stack.createUndoAction(self, tr("Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.draft.stack.createRedoAction(self, tr("Redo"))
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            bar.addAction(action)
            self.addAction(action)
        bar.addSeparator()
        self._action(bar, tr("Add handoff"), self.add_handoff)
        self.remove_action = self._action(bar, tr("Remove handoff"), self.remove_handoff)
        bar.addSeparator()
        self.publish_action = self._action(bar, tr("Publish…"), self.choose_publish, "Ctrl+Return")
        self._action(bar, tr("History…"), self.show_history)
        self.discard_action = self._action(bar, tr("Discard draft"), self.discard)
        bar.addSeparator()
        self._action(bar, tr("Import file…"), self.choose_import)
        self._action(bar, tr("Export file…"), self.choose_export)
        self._action(bar, tr("Export PDF or PNG…"), self.choose_print)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.banner = QWidget()
        banner_layout = QHBoxLayout(self.banner)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        banner_layout.addWidget(self.banner_text, 1)
        self.review_button = QPushButton(tr("Review their changes"))
        self.review_button.clicked.connect(self.review_conflict)
        self.rebase_button = QPushButton(tr("Keep my draft on top of theirs"))
        self.rebase_button.clicked.connect(self.rebase)
        self.theirs_button = QPushButton(tr("Discard mine, load theirs"))
        self.theirs_button.clicked.connect(self.discard)
        for button in (self.review_button, self.rebase_button, self.theirs_button):
            banner_layout.addWidget(button)
        self.banner.setStyleSheet("background: rgba(217,154,0,0.18); border-radius: 4px;")
        self.banner.hide()

        self.grid = QTableView()
        self.grid.setModel(self.model)
        self.grid.setItemDelegate(RuleDelegate(self.grid))
        self.grid.setEditTriggers(
            QTableView.EditTrigger.DoubleClicked
            | QTableView.EditTrigger.EditKeyPressed
            | QTableView.EditTrigger.AnyKeyPressed
        )
        self.grid.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # A long segment name reads "Inbound after…" (full name in the tooltip), never "bound after hou".
        self.grid.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.grid.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.grid.setAccessibleName(tr("SLA matrix: handoffs by segments"))
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.grid.setWordWrap(True)
        self.grid.verticalHeader().setMinimumSectionSize(46)
        self.grid.selectionModel().currentChanged.connect(
            lambda current, _: self._select(current.row())
        )
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.handoff_panel = HandoffPanel(self.draft)
        self.segments = SegmentEditor(self.draft)
        self.calendars = CalendarEditor(self.draft)
        self.matrix_fields = MatrixFields(self.draft)
        whole = QWidget()  # the matrix-wide fields above the calendars they default from
        whole_layout = QVBoxLayout(whole)
        whole_layout.setContentsMargins(0, 0, 0, 0)
        whole_layout.addWidget(self.matrix_fields)
        whole_layout.addWidget(self.calendars, 1)
        tabs = QTabWidget()
        for panel, name in (
            (self.handoff_panel, tr("Handoff")),
            (self.segments, tr("Segments")),
            (whole, tr("Calendars and zone")),
        ):
            tabs.addTab(_scrolling(panel), name)
        self.tabs = tabs
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.grid, 1)
        left_layout.addWidget(self.problems)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([900, 560])
        layout = QVBoxLayout(self)
        layout.addWidget(
            page_header(
                self.title,
                tr(
                    "How fast each handoff must happen, per segment, in which business hours; "
                    "edits stay a draft until you publish them."
                ),
            )
        )
        layout.addWidget(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)

    def _action(self, bar: QToolBar, text: str, slot: Any, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        action.triggered.connect(slot)
        bar.addAction(action)
        return action

    # ----- Screen ----------------------------------------------------------------------
    def widget(self) -> QWidget:
        return self

    def shutdown(self) -> None:
        """Keep the edits of the last moment: a draft save still waiting is made now."""
        if not self.save_timer.isActive():
            return
        self.save_timer.stop()
        try:
            save_draft(self.database, self.user, self.draft.doc, self.draft.base_version, now())
        except UserError:
            log.warning("the matrix draft could not be saved on quit", exc_info=True)

    # ----- loading and saving ----------------------------------------------------------
    def refresh(self) -> None:
        """Load the latest version and this person's draft (kept unless they discard it)."""
        if self.state is not None and self.draft.dirty:
            return  # never overwrite unsaved edits; the conflict banner handles newer versions
        self.jobs.start(
            partial(_state, self.database, self.user),
            self._loaded,
            self._failed,
            self._failed,
        )

    def _loaded(self, result: MatrixState) -> None:
        self.state = result
        self._loading = True
        base_doc = result.published
        draft_doc = result.draft or result.published
        base_version = result.draft_base or result.latest.number
        if result.draft and base_version != result.latest.number:
            base_doc = self._version_doc(base_version) or result.published
        self.draft.load(draft_doc, base_doc, base_version)
        self._loading = False
        self.grid.resizeRowsToContents()
        if self.model.rowCount():
            self.grid.setCurrentIndex(self.model.index(0, 0))
        self._show_conflict_banner()

    def _version_doc(self, number: int) -> dict[str, Any] | None:
        assert self.state is not None
        for entry in self.state.versions:
            if entry.info.number == number:
                loaded: dict[str, Any] = json.loads(entry.document)
                return loaded
        return None

    def _draft_changed(self) -> None:
        self._update_status()
        if not self._loading and self.state is not None:
            self.save_timer.start()

    def _save_draft(self) -> None:
        if self.state is None:
            return
        work = partial(
            save_draft, self.database, self.user, self.draft.doc, self.draft.base_version, now()
        )
        self.jobs.start(work, lambda _: None, self._failed, self._failed)

    def _update_status(self) -> None:
        problems = self.draft.problems
        if self.state is None:
            self.status.setText(tr("Loading the matrix…"))
            return
        changes = (
            self._changes()
            if self.draft.matrix is not None
            else count_document_changes(self.draft.base_doc, self.draft.doc)
        )
        count = len(changes) if isinstance(changes, list) else changes
        version = self.draft.base_version
        if self.draft.dirty:
            state = (
                tr("Draft of version {version} with {count} unpublished change")
                if count == 1
                else tr("Draft of version {version} with {count} unpublished changes")
            ).format(version=version, count=count)
        elif self.state.latest.provisional:
            state = tr(
                "Version {version}, as published (the bundled default: your first publish "
                "replaces it for all history)"
            ).format(version=version)
        else:
            state = tr("Version {version}, as published").format(version=version)
        if problems:
            to_fix = (
                tr("{count} problem to fix before publishing")
                if len(problems) == 1
                else tr("{count} problems to fix before publishing")
            ).format(count=len(problems))
            check = f"<span style='color:#d64541'>{to_fix}</span>"
        else:
            valid = tr("valid")
            check = f"<span style='color:#2e9d5b'>{valid}</span>"
        hint = tr("double-click a cell to edit its rule, select a row to edit the handoff")
        self.status.setText(f"<b>{state}</b> · {check} · {hint}")
        self.problems.setVisible(bool(problems))
        self.problems.setText(
            "<br>".join(
                f"• {html.escape(problem_in_words(p, self.draft.doc))}" for p in problems[:12]
            )
        )
        self.publish_action.setEnabled(self.draft.dirty and not problems)
        self.discard_action.setEnabled(self.draft.dirty)
        self._select(self.grid.currentIndex().row())

    def _changes(self) -> list[str]:
        if self.draft.matrix is None:
            return [p.path for p in self.draft.problems]
        try:
            return describe_changes(matrix_from_document(self.draft.base_doc), self.draft.matrix)
        except MatrixError:
            return [tr("(the base version cannot be read)")]

    def _select(self, row: int) -> None:
        if self.state is not None:
            self.handoff_panel.show_handoff(row, self.state.teams, self.state.events)
            self.matrix_fields.set_events(self.state.events)

    def _failed(self, message: str) -> None:
        self.message.emit(message)
        QMessageBox.warning(self, tr("SLA matrix"), message)

    # ----- conflicts -------------------------------------------------------------------
    def _show_conflict_banner(self, text: str | None = None) -> None:
        state = self.state
        stale = state is not None and self.draft.base_version != state.latest.number
        if stale and state is not None and text is None:
            latest = state.latest
            text = tr(
                "Version {number} was published by {author} after your draft started "
                "from version {base}. Your draft is kept: review their changes, "
                "then keep your draft on top of theirs or discard it."
            ).format(number=latest.number, author=latest.author, base=self.draft.base_version)
        self.banner.setVisible(text is not None)
        self.banner_text.setText(text or "")

    def review_conflict(self) -> None:
        if self.state is None:
            return
        theirs = matrix_from_document(self.state.published)
        lines = describe_changes(matrix_from_document(self.draft.base_doc), theirs)
        mine = self._changes()
        none = "  " + tr("none")
        QMessageBox.information(
            self,
            tr("Version {number} by {author}").format(
                number=self.state.latest.number, author=self.state.latest.author
            ),
            tr("Their changes:")
            + "\n"
            + ("\n".join(f"  {line}" for line in lines) or none)
            + "\n\n"
            + tr("Your draft's changes:")
            + "\n"
            + ("\n".join(f"  {line}" for line in mine) or none),
        )

    def rebase(self) -> None:
        """Keep the draft as it is but judge it against the latest version from now on."""
        if self.state is None:
            return
        self.draft.base_doc = self.state.published
        self.draft.base_version = self.state.latest.number
        self._show_conflict_banner()
        self._update_status()
        self.save_timer.start()

    # ----- edits -----------------------------------------------------------------------
    def add_handoff(self) -> None:
        handoffs = list(self.draft.get(("handoffs",), []))
        taken = {h.get("key") for h in handoffs if isinstance(h, dict)}
        number = 1
        while f"handoff_{number}" in taken:
            number += 1
        calendars = list(self.draft.get(("calendars",), {}) or {"24x7": {}})
        handoffs.append(
            {"key": f"handoff_{number}", "name": tr("New handoff {number}").format(number=number), "team": "Sales",
             "start": "start_event", "stop": "stop_event", "calendar": calendars[0],
             "warn_at": [0.5, 0.75], "at_risk": 0.75, "rules": {"default": {"target": "1bd"}}}
        )  # fmt: skip
        self.draft.set(("handoffs",), handoffs, tr("Add handoff {number}").format(number=number))
        self.grid.setCurrentIndex(self.model.index(len(handoffs) - 1, 0))
        self.tabs.setCurrentIndex(0)  # the Handoff panel (pages are scroll areas around panels)

    def remove_handoff(self) -> None:
        row = self.grid.currentIndex().row()
        handoffs = list(self.draft.get(("handoffs",), []))
        if 0 <= row < len(handoffs):
            name = handoffs[row].get("name", "")
            del handoffs[row]
            self.draft.set(("handoffs",), handoffs, tr("Remove handoff {name}").format(name=name))

    def discard(self) -> None:
        work = partial(discard_draft, self.database, self.user, now())
        self.state = None
        self.draft.load({}, {}, 0)
        self.jobs.start(work, lambda _: self.refresh(), self._failed, self._failed)

    # ----- publish and history ---------------------------------------------------------
    def choose_publish(self) -> None:
        if self.state is None or self.draft.problems:
            return
        dialog = PublishDialog(self._changes(), self.state.leads, self.draft.base_version, self)
        if dialog.exec() == PublishDialog.DialogCode.Accepted:
            self.publish(dialog.note.toPlainText().strip(), dialog.effective_from(),
                         dialog.reevaluate.isChecked(), dialog.signed())  # fmt: skip

    def publish(
        self,
        note: str,
        effective_from: int | None,
        reevaluate_open: bool,
        signoffs: tuple[str, ...],
    ) -> None:
        """Publish the draft on a worker; a newer version published meanwhile ends in a conflict."""
        document, base = self.draft.doc, self.draft.base_version

        def work() -> PublishResult | Conflict:
            try:
                return publish_draft(
                    self.database, document, author=self.user, now=now(), base_version=base,
                    note=note, effective_from=effective_from, reevaluate_open=reevaluate_open,
                    signoffs=signoffs,
                )  # fmt: skip
            except MatrixConflictError as exc:
                return Conflict(str(exc))

        self.save_timer.stop()
        self.message.emit(tr("Publishing the matrix…"))
        self.jobs.start(work, self._published, self._failed, self._failed)

    def _published(self, result: PublishResult | Conflict) -> None:
        if isinstance(result, Conflict):
            self.conflict.emit(result.message)
            self.message.emit(tr("Not published: someone else published first"))
            self.jobs.start(partial(matrix_state, self.database, self.user), self._conflict_state,
                            self._failed, self._failed)  # fmt: skip
            return
        self.message.emit(
            tr("Published version {number}; {clocks:,} clocks re-evaluated").format(
                number=result.info.number, clocks=result.clocks
            )
        )
        self.state = None
        self.refresh()
        self.published.emit(result)
        self.data_changed.emit()

    def _conflict_state(self, result: MatrixState) -> None:
        self.state = result
        self._show_conflict_banner()

    def show_history(self) -> None:
        if self.state is None:
            return
        dialog = HistoryDialog(self.state.versions, self)
        if dialog.exec() == HistoryDialog.DialogCode.Accepted and dialog.chosen is not None:
            self.choose_roll_back(dialog.chosen)

    def choose_roll_back(self, number: int) -> None:
        """Show what rolling back changes, then ask for a note and sign-offs like a publish."""
        state = self.state
        if state is None:
            return
        chosen = next(v for v in state.versions if v.info.number == number)
        changes = describe_changes(
            matrix_from_document(state.published), matrix_from_document(json.loads(chosen.document))
        )
        dialog = PublishDialog(changes, state.leads, state.latest.number, self, rollback_to=number)
        if dialog.exec() == PublishDialog.DialogCode.Accepted:
            self.roll_back(number, dialog.note.toPlainText().strip(), dialog.signed())

    def roll_back(self, number: int, note: str = "", signoffs: tuple[str, ...] = ()) -> None:
        work = partial(
            roll_back, self.database, number, author=self.user, now=now(), note=note,
            signoffs=signoffs,
        )  # fmt: skip
        self.message.emit(tr("Rolling back to version {number}…").format(number=number))
        self.jobs.start(work, self._published, self._failed, self._failed)

    # ----- files -----------------------------------------------------------------------
    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Import a matrix file"), "", tr("Matrix (*.json)")
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Replace the draft with a matrix file (one undoable step); a bad file changes nothing."""
        try:
            matrix = load_matrix(path)
        except (MatrixError, OSError, ValueError) as exc:
            self._failed(tr("{name} was not imported:\n{error}").format(name=path.name, error=exc))
            return
        self.draft.replace(matrix_to_document(matrix), tr("Import {name}").format(name=path.name))

    def choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Export the matrix"), "sla-matrix.json", tr("Matrix (*.json)")
        )
        if path:
            self.export_file(Path(path))

    def export_file(self, path: Path) -> None:
        if self.draft.matrix is None:
            self._failed(tr("Fix the problems listed under the matrix before exporting it."))
            return
        path.write_text(dump_matrix(self.draft.matrix), encoding="utf-8")
        self.message.emit(tr("Matrix saved to {path}").format(path=path))

    def choose_print(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr("Export for the agreement meeting"),
            "sla-matrix.pdf",
            tr("PDF (*.pdf);;PNG image (*.png)"),
        )
        if path:
            self.export_picture(Path(path))

    def export_picture(self, path: Path) -> None:
        """The matrix as PDF (by suffix .pdf) or PNG, with the latest version's sign-offs."""
        state = self.state
        title = (
            tr("Draft based on version {version}") if self.draft.dirty else tr("Version {version}")
        ).format(version=self.draft.base_version)
        signoffs = state.latest.signoffs if state is not None and not self.draft.dirty else ()
        html = matrix_html(self.draft.doc, title, signoffs)
        (export_pdf if path.suffix.lower() == ".pdf" else export_png)(html, path)
        self.message.emit(tr("Matrix exported to {path}").format(path=path))


def _state(database: Database, user: str) -> MatrixState:
    """The matrix state, with the zone and country lists read for the editors (a worker job)."""
    read_choices()
    return matrix_state(database, user)


def _scrolling(panel: QWidget) -> QScrollArea:
    """A side panel that scrolls instead of making the window taller than a laptop screen."""
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area
