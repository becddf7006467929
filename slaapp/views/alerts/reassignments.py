"""Reassignments waiting for a manager (policy "ask first"): approve to reassign now, or decline."""

from __future__ import annotations

import getpass
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from slaapp.notify.alerting_actions import decide_action
from slaapp.services.alerts import ActionView
from slaapp.services.database import Database
from slaapp.sync.writeback import owner_writeback
from slaapp.views.alerts.tables import PROPOSAL_COLUMNS, ProposalRow, proposal_rows
from slaapp.views.common.i18n import tr, translated
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.table_model import TableModel


class ReassignmentPanel(QWidget):
    """Signals: decided(str) after an approval or a decline, with what happened in words."""

    decided = Signal(str)

    def __init__(
        self,
        database: Database,
        jobs: JobRunner,
        clock: Callable[[], int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._database, self._jobs, self._clock = database, jobs, clock
        self.model: TableModel[ProposalRow] = TableModel(translated(PROPOSAL_COLUMNS), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(150)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.approve = QPushButton(
            tr("Approve"), toolTip=tr("Reassign now and write the owner to the CRM")
        )
        self.decline = QPushButton(tr("Decline"), toolTip=tr("Keep the current owner"))
        self.title = QLabel(wordWrap=True)  # wraps, never widens the screen
        self.title.setToolTip(
            tr("Escalations under the policy 'ask first' propose a new owner here")
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.title, 1)
        buttons.addWidget(self.approve)
        buttons.addWidget(self.decline)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.approve.clicked.connect(lambda: self._decide(True))
        self.decline.clicked.connect(lambda: self._decide(False))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._buttons())
        self._buttons()

    def show_actions(
        self, actions: tuple[ActionView, ...], titles: dict[int, str], names: dict[str, str]
    ) -> None:
        """The proposed reassignments among `actions`; `titles` maps alert ids to alert titles."""
        proposed = tuple(a for a in actions if a.state == "proposed")
        self.model.set_rows(proposal_rows(proposed, titles, names))
        self.title.setText(
            tr("<b>Reassignments to decide</b> ({count})").format(count=len(proposed))
            if proposed
            else tr("<b>Reassignments</b>: none waiting")
        )
        self.table.setVisible(bool(proposed))
        self._buttons()

    def _chosen(self) -> ActionView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()).action if rows else None

    def _buttons(self) -> None:
        chosen = self._chosen() is not None
        self.approve.setEnabled(chosen)
        self.decline.setEnabled(chosen)

    def _decide(self, approve: bool) -> None:
        action = self._chosen()
        if action is None:
            return
        database, now, by = self._database, self._clock(), getpass.getuser()

        def work() -> ActionView:
            writeback = owner_writeback(database) if approve else None
            return decide_action(database, action.id, approve, now, by, writeback)

        self._jobs.start(work, self._done, self._failed, self._failed)

    def _done(self, result: ActionView) -> None:
        verdict = {
            "applied": tr("Reassignment reassigned"),
            "declined": tr("Reassignment declined"),
        }
        text = verdict.get(result.state) or tr("Reassignment {state}").format(state=result.state)
        self.decided.emit(text + (f": {result.error}" if result.error else ""))

    def _failed(self, message: str) -> None:
        self.decided.emit(
            tr("The reassignment could not be decided: {error}").format(error=message)
        )
