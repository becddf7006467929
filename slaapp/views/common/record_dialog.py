"""The record window: its event timeline, every clock with its due-time explanation, actions, link."""

from __future__ import annotations

from PySide6.QtCore import QT_TR_NOOP, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
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

from slaapp.engine.durations import describe_duration
from slaapp.services.record_view import RecordView
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.matrix.dialogs import local_time

STATUS_WORDS = {
    "on_track": QT_TR_NOOP("On track"),
    "at_risk": QT_TR_NOOP("At risk"),
    "paused": QT_TR_NOOP("Paused"),
    "breached": QT_TR_NOOP("Breached"),
    "met": QT_TR_NOOP("Met"),
    "missed": QT_TR_NOOP("Missed"),
    "cancelled": QT_TR_NOOP("Cancelled"),
}


def table(headers: list[str], rows: list[list[str]], tips: list[str] | None = None) -> QTableView:
    """A read-only table over a small snapshot (a standard item model, not live data)."""
    model = QStandardItemModel(len(rows), len(headers))
    model.setHorizontalHeaderLabels(headers)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QStandardItem(text)
            item.setEditable(False)
            if tips is not None and tips[r]:
                item.setToolTip(tips[r])
            model.setItem(r, c, item)
    view = QTableView()
    view.setModel(model)
    model.setParent(view)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setWordWrap(False)
    return view


class RecordDialog(QDialog):
    """Shows one record; `Open in CRM` follows the record-url setting of its source."""

    def __init__(self, view: RecordView, people: dict[str, str], parent: QWidget | None) -> None:
        super().__init__(parent)
        found = view.timeline
        title = found.name or found.external_id
        self.setWindowTitle(tr("{record} — slaapp").format(record=title))
        self.view = view
        owner = people.get(found.owner or "", found.owner or tr("unassigned"))
        attributes = " · ".join(f"{k}: {v}" for k, v in sorted(found.attributes.items()) if v)
        about = tr("{source} record {id} · owner <b>{owner}</b>").format(
            source=found.source, id=found.external_id, owner=owner
        )
        header = QLabel(f"<h2 style='margin:0'>{title}</h2><p>{about}</p><p>{attributes}</p>")
        header.setWordWrap(True)
        header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_crm = QPushButton(tr("Open in CRM"))
        self.open_crm.setEnabled(view.link is not None)
        self.open_crm.setToolTip(
            view.link or tr("Set the record address of this source: slaapp settings record-url")
        )
        self.open_crm.clicked.connect(self._open)
        top = QHBoxLayout()
        top.addWidget(header, 1)
        top.addWidget(self.open_crm, 0, Qt.AlignmentFlag.AlignTop)

        clock_rows, tips = [], []
        for detail in view.clocks:
            clock = detail.clock
            late = clock.elapsed_seconds - clock.target_seconds
            terms = detail.terms
            clock_rows.append([
                detail.handoff_name,
                detail.segment_name,
                tr_marked(STATUS_WORDS.get(clock.status, clock.status)),
                local_time(clock.started_at),
                local_time(clock.due_at) if clock.due_at is not None else tr("paused"),
                describe_duration(clock.target_seconds, terms),
                describe_duration(clock.elapsed_seconds, terms)
                + (tr(" (late by {duration})").format(duration=describe_duration(late, terms))
                   if late > 0 else ""),
                describe_duration(detail.paused_seconds, terms) if detail.paused_seconds else "",
                detail.quality,
                people.get(clock.owner or "", clock.owner or ""),
            ])  # fmt: skip
            tips.append(detail.explanation)
        self.clocks = table(
            [tr("Handoff"), tr("Segment"), tr("Status"), tr("Started"), tr("Due"), tr("Target"),
             tr("Elapsed"), tr("Paused"), tr("Quality"), tr("Owner")],
            clock_rows,
            tips,
        )  # fmt: skip
        self.explanation = QLabel(tr("Select a clock to see why it is due when it is."))
        self.explanation.setWordWrap(True)
        self.clocks.selectionModel().currentRowChanged.connect(
            lambda current, _: self.explanation.setText(
                view.clocks[current.row()].explanation or tr("No explanation for this clock.")
            )
        )
        clocks_tab = QWidget()
        clocks_layout = QVBoxLayout(clocks_tab)
        clocks_layout.addWidget(self.clocks, 1)
        clocks_layout.addWidget(self.explanation)

        self.events = table(
            [tr("When"), tr("Event"), tr("Owner"), tr("Changed fields"), tr("Source")],
            [
                [local_time(e.occurred_at), e.name, people.get(e.owner or "", e.owner or ""),
                 ", ".join(f"{k}={v}" for k, v in e.attributes.items()), e.source]
                for e in found.events
            ],
        )  # fmt: skip
        self.action_log = table(
            [tr("When"), tr("Who"), tr("What"), tr("Details")],
            [[local_time(a.at), a.actor, a.action, a.detail] for a in view.actions],
        )
        tabs = QTabWidget()
        tabs.addTab(clocks_tab, tr("Clocks ({count})").format(count=len(view.clocks)))
        tabs.addTab(self.events, tr("Timeline ({count})").format(count=len(found.events)))
        tabs.addTab(
            self.action_log, tr("Alerts and actions ({count})").format(count=len(view.actions))
        )
        self.tabs = tabs
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(tabs, 1)
        layout.addLayout(bottom)
        self.resize(1280, 640)

    def _open(self) -> None:
        if self.view.link:
            QDesktopServices.openUrl(QUrl(self.view.link))
