"""Edit a connection's mapping (fields and stages to events) and preview its events on real CRM data."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QT_TR_NOOP, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from slaapp.services.database import Database
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.mapping import CrmMapping, MappedRecord, ObjectMapping
from slaapp.sync.sources import ConnectOptions, source_kind
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.common.jobs import JobRunner
from slaapp.views.connections import ops
from slaapp.views.connections.contact_rules import ContactRules
from slaapp.views.connections.table import RowsModel, text_row, text_rows

RULES = ("Milestone", "Stage", "Attribute")
"""The kinds of rule, as written in the Rule column and read back by `_object` (not translated)."""
RULE_TIPS = {
    "Milestone": QT_TR_NOOP("A date field of the record: each filled one makes this event at its time"),
    "Stage": QT_TR_NOOP("A stage (or lead status) value: entering it makes this event"),
    "Attribute": QT_TR_NOOP("A field copied onto the record's events, for segments and quality checks"),
}  # fmt: skip


def _rows(o: ObjectMapping) -> list[list[str]]:
    return ([["Milestone", p, e] for p, e in o.milestones] + [["Stage", s, e] for s, e in o.stages.items()]
            + [["Attribute", p, a] for p, a in o.attributes])  # fmt: skip


def _object(o: ObjectMapping, rows: list[list[str]]) -> ObjectMapping:
    filled = [r for r in rows if r[1] and r[2]]
    return replace(
        o, milestones=tuple((r[1], r[2]) for r in filled if r[0] == "Milestone"),
        stages={r[1]: r[2] for r in filled if r[0] == "Stage"},
        attributes=tuple((r[1], r[2]) for r in filled if r[0] == "Attribute"),
    )  # fmt: skip


class MappingEditor(QDialog):
    """Signals: saved() after the mapping was stored."""

    saved = Signal()

    def __init__(
        self, database: Database, jobs: JobRunner, connection: Connection,
        options: ConnectOptions | None = None, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(tr("Mapping of {name}").format(name=connection.name))
        self.resize(900, 640)
        self._database, self._jobs, self._connection, self._options = (
            database,
            jobs,
            connection,
            options,
        )
        self._mapping = ops.mapping_of(connection)
        self.tabs = QTabWidget()
        self.models: dict[str, RowsModel] = {}
        for name, o in self._mapping.objects.items():
            model = RowsModel(
                (tr("Rule"), tr("CRM field or stage"), tr("Event or attribute")), editable=(1, 2)
            )
            model.set_rows(
                text_rows(_rows(o), [[tr_marked(RULE_TIPS[r[0]]), "", ""] for r in _rows(o)])
            )
            view = QTableView()
            view.setModel(model)
            view.verticalHeader().hide()
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            self.models[name] = model
            self.tabs.addTab(view, f"{name.title()} → {o.kind}s")
        kind = source_kind(connection.kind)
        default = kind.default_mapping() if kind is not None else None
        # Every activity type the connector knows, with this mapping's conditions where set.
        known = {
            **((default.first_contact_counts or {}) if default is not None else {}),
            **(self._mapping.first_contact_counts or {}),
        }
        self.contact_rules = ContactRules(self._mapping, known) if known else None
        if self.contact_rules is not None:
            self.tabs.addTab(self.contact_rules, tr("First contact"))
        add_milestone = QPushButton(tr("Add milestone"))
        add_stage = QPushButton(tr("Add stage"))
        remove = QPushButton(tr("Remove rule"))
        add_milestone.clicked.connect(lambda: self._add("Milestone"))
        add_stage.clicked.connect(lambda: self._add("Stage"))
        remove.clicked.connect(self._remove)
        self.preview_button = QPushButton(tr("Preview on live data"))
        self.preview_button.setToolTip(
            tr("Fetch the latest records and show the events this mapping makes; nothing is saved")
        )
        self.preview_button.clicked.connect(self.preview)
        self.save_button = QPushButton(tr("Save mapping"))
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(tr("Close"))
        cancel.clicked.connect(self.reject)
        self.preview_model = RowsModel(
            (tr("Record"), tr("Name"), tr("Event"), tr("When (UTC)"), tr("Owner"))
        )
        self.preview_view = QTableView()
        self.preview_view.setModel(self.preview_model)
        self.preview_view.verticalHeader().hide()
        self.preview_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.preview_view.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel(tr("Edit the rules, then preview the events they make before saving."))
        self.status.setWordWrap(True)
        tools = QHBoxLayout()
        for button in (add_milestone, add_stage, remove):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.preview_button)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.save_button)
        actions.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 3)
        layout.addLayout(tools)
        heading = QLabel(tr("Preview"))
        heading.setStyleSheet("font-weight: 600;")
        layout.addWidget(heading)
        layout.addWidget(self.preview_view, 2)
        layout.addLayout(actions)

    def _model(self) -> RowsModel | None:
        names = list(self.models)
        index = self.tabs.currentIndex()
        return self.models[names[index]] if 0 <= index < len(names) else None

    def _add(self, rule: str) -> None:
        model = self._model()
        if model is not None:
            model.append(text_row([rule, "", ""]))

    def _remove(self) -> None:
        view, model = self.tabs.currentWidget(), self._model()
        if model is not None and isinstance(view, QTableView) and view.currentIndex().isValid():
            model.remove(view.currentIndex().row())

    def mapping(self) -> CrmMapping:
        objects = {
            name: _object(o, self.models[name].rows()) for name, o in self._mapping.objects.items()
        }
        if self.contact_rules is None:
            return replace(self._mapping, objects=objects)
        counts = self.contact_rules.counts()
        return replace(self._mapping, objects=objects, first_contact_counts=counts)

    def preview(self) -> None:
        document, name = self.mapping().to_document(), self._connection.name
        self.status.setText(tr("Fetching the latest records…"))
        self.preview_button.setEnabled(False)
        self._jobs.start(lambda: ops.preview_mapping(self._database, name, document, self._options),
                         self._previewed, self._failed, self._failed)  # fmt: skip

    def _previewed(self, result: object) -> None:
        self.preview_button.setEnabled(True)
        records: tuple[MappedRecord, ...] = result  # type: ignore[assignment]
        rows = [[r.external_id, r.name, e.event, datetime.fromtimestamp(e.occurred_at, UTC).strftime("%Y-%m-%d %H:%M"),
                 e.owner or ""] for r in records for e in sorted(r.events, key=lambda e: e.occurred_at)]  # fmt: skip
        self.preview_model.set_rows(text_rows(rows))
        problems = [p for r in records for p in r.problems]
        text = tr("{events:,} events from the latest {records:,} records.").format(
            events=len(rows), records=len(records)
        )
        if problems:
            text += tr(" {count} problems: {first}").format(count=len(problems), first=problems[0])
        self.status.setText(text)

    def _failed(self, text: str) -> None:
        self.preview_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.status.setText(text)

    def save(self) -> None:
        connection = replace(self._connection, mapping=self.mapping().to_document())
        self.save_button.setEnabled(False)
        self._jobs.start(lambda: save_connection(self._database, connection, int(time.time())),
                         self._saved, self._failed, self._failed)  # fmt: skip

    def _saved(self, _result: object = None) -> None:
        self.saved.emit()
        self.accept()
