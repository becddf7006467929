"""Live handoffs: every clock, filtered by team, owner, handoff, segment and status, ticking each second."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.clocks import MET, MISSED, OPEN_STATUSES, STATUSES, ClockTable
from slaapp.engine.versions import take_clocks
from slaapp.reports.clock_output import write_csv
from slaapp.services.live_view import LiveClocks
from slaapp.views.common.elided import ElidedLabel
from slaapp.views.common.page_header import page_header
from slaapp.views.live.clock_delegates import ElapsedBarDelegate
from slaapp.views.live.clock_model import DUE, PCT, STATUS_COLOURS, STATUS_LABELS, ClockTableModel

FILTERS = {
    "Open": frozenset(OPEN_STATUSES),
    "All clocks": frozenset(range(len(STATUSES))),
    **{label: frozenset({status}) for status, label in STATUS_LABELS.items()},
}
EVERYONE = "Everyone"
TICK_MS = 1000
MONTH = 30 * 86400


def _combo(first: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem(first, None)
    combo.setAccessibleName(first)
    # Long names elide instead of widening the window (every screen fits 1280x720).
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    combo.setMaximumWidth(240)
    return combo


def _refill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for label, key in items:
        combo.addItem(label, key)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)


class LiveScreen(QWidget):
    """A Screen fed by the window's evaluation (`show_clocks`). Signals: open_record(int),
    message(str), data_changed() (never: read only), demo_requested(), import_requested(),
    connect_requested()."""

    title = "Live handoffs"
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()
    demo_requested = Signal()
    import_requested = Signal()
    connect_requested = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.model = ClockTableModel()
        self.live: LiveClocks | None = None
        self._sized = False
        self._build()
        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self.tick)

    def _build(self) -> None:
        self.empty = QFrame()
        self.empty.setFrameShape(QFrame.Shape.StyledPanel)
        empty_layout = QHBoxLayout(self.empty)
        invitation = QLabel(
            "<b>No handoffs yet.</b> Load the demo revenue org to look around, "
            "import an event log, or connect HubSpot or Salesforce."
        )
        invitation.setWordWrap(True)  # wraps instead of widening the window
        empty_layout.addWidget(invitation, 1)
        self.empty_demo = QPushButton("Load the demo org")
        self.empty_demo.clicked.connect(self.demo_requested)
        self.empty_import = QPushButton("Import events…")
        self.empty_import.clicked.connect(self.import_requested)
        self.empty_connect = QPushButton("Connect a CRM…")
        self.empty_connect.clicked.connect(self.connect_requested)
        for button in (self.empty_demo, self.empty_import, self.empty_connect):
            empty_layout.addWidget(button)
        self.empty.hide()

        self.status_filter = QComboBox()
        self.status_filter.addItems(list(FILTERS))
        self.team = _combo("All teams")
        self.owner = _combo(EVERYONE)
        self.handoff = _combo("All handoffs")
        self.segment = _combo("All segments")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search record or owner")
        self.search.setAccessibleName("Search record or owner")
        self.status_filter.setAccessibleName("Clocks shown")
        self.search.setClearButtonEnabled(True)
        self.mine = QCheckBox("My handoffs")
        self.mine.setToolTip(
            "Only the clocks of the person chosen under Owner, with their scorecard"
        )
        for combo in (self.status_filter, self.team, self.owner, self.handoff, self.segment):
            combo.currentIndexChanged.connect(self.refilter)
        self.search.textChanged.connect(self.refilter)
        self.mine.toggled.connect(self._mine)
        controls = QHBoxLayout()
        for widget in (self.status_filter, self.team, self.owner, self.handoff, self.segment):
            controls.addWidget(widget)
        controls.addWidget(self.search, 1)
        controls.addWidget(self.mine)

        self.card = QLabel()
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.card.setStyleSheet("padding: 6px; border: 1px solid palette(mid); border-radius: 4px;")
        self.card.hide()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(PCT, ElapsedBarDelegate(self.model, self.table))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DUE, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setAccessibleName("Live handoffs")
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # Enter opens the current record
            opener = QShortcut(QKeySequence(key), self.table)
            opener.setContext(Qt.ShortcutContext.WidgetShortcut)
            opener.activated.connect(self._open_current)
        self.summary = ElidedLabel()

        self.chips = QLabel()
        self.chips.setTextFormat(Qt.TextFormat.RichText)
        top = QHBoxLayout()
        top.addWidget(
            page_header(
                self.title,
                "Every open handoff counting down in its business calendar; double-click a row "
                "for the record, hover Due for why it is due then.",
            ),
            1,
        )
        top.addWidget(self.chips, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addLayout(controls)
        layout.addWidget(self.card)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        person = self.settings.value("my_person")
        self._my_person = str(person) if person else None
        self._identity: str | None = None

    def set_identity(self, person: str | None, role: str) -> None:
        """The person this desktop is signed in as: My handoffs is theirs, and on for a rep."""
        self._identity = person
        if person is not None:
            self._my_person = person
            self.settings.setValue("my_person", person)
            self.owner.setCurrentIndex(max(0, self.owner.findData(person)))
        if person is not None and role == "rep":
            self.mine.setChecked(True)

    # ----- Screen ----------------------------------------------------------------------
    def widget(self) -> QWidget:
        return self

    def refresh(self) -> None:
        """Move the countdowns on now; new clocks come from the window's evaluation."""
        self.tick()

    def shutdown(self) -> None:
        self.ticker.stop()

    # ----- data ------------------------------------------------------------------------
    def show_clocks(self, live: LiveClocks | None) -> None:
        """Show a fresh evaluation (None: the database holds no records yet)."""
        self.live = live
        self.empty.setVisible(live is None)
        if live is None:  # e.g. after Remove demo data: nothing of the old clocks stays
            self.ticker.stop()
            self.model.clear()
            for combo in (self.team, self.owner, self.handoff, self.segment):
                _refill(combo, [])
            self.chips.setText("")
            self.summary.setText("No clocks: the database holds no records")
            self.card.hide()
            return
        clocks = live.clocks
        self.model.set_clocks(
            clocks, live.names, live.matrix, live.people, live.external_ids, live.sources
        )
        teams = sorted(set(live.owner_teams.values()))
        _refill(self.team, [(t, t) for t in teams])
        owners = sorted(
            ((live.people.get(o, o), o) for o in clocks.owners), key=lambda p: p[0].lower()
        )
        _refill(self.owner, owners)
        if self.mine.isChecked() and self._my_person:
            self.owner.setCurrentIndex(max(0, self.owner.findData(self._my_person)))
        _refill(self.handoff, [(live.names.get(k, k), k) for k in clocks.handoff_keys])
        _refill(self.segment, [(live.names.get(k, k), k) for k in clocks.segment_keys])
        self.refilter()
        if not self._sized:
            self.table.resizeColumnsToContents()
            self._sized = True
        self.ticker.start()

    def _open_current(self) -> None:
        row = self.table.currentIndex().row()
        if row >= 0:
            self.open_row(row)

    def refilter(self) -> None:
        live = self.live
        owners: set[str] | None = None
        if live is not None and self.team.currentData():
            team = self.team.currentData()
            owners = {key for key, name in live.owner_teams.items() if name == team}
        if self.owner.currentData():
            owners = (
                {self.owner.currentData()}
                if owners is None
                else owners & {self.owner.currentData()}
            )
        self.model.set_filter(
            FILTERS[self.status_filter.currentText()],
            self.search.text(),
            owners=owners,
            handoff=self.handoff.currentData(),
            segment=self.segment.currentData(),
        )
        counts = self.model.counts()
        parts = [f"{counts[s]:,} {STATUS_LABELS[s].lower()}" for s in sorted(counts)]
        self.summary.setText(
            f"{self.model.rowCount():,} clocks shown: " + " · ".join(parts)
            if parts
            else "No clocks match"
        )
        self.chips.setText(
            "&nbsp;&nbsp;".join(
                f"<span style='background-color:{STATUS_COLOURS[s].name()};color:white;"
                f"font-weight:600'>&nbsp;{counts[s]:,} {STATUS_LABELS[s].lower()}&nbsp;</span>"
                for s in sorted(counts)
            )
        )
        self._update_card()

    def _mine(self, on: bool) -> None:
        if on:
            person = self._identity or self.owner.currentData() or self._my_person
            if person is None:
                self.message.emit("Choose yourself under Owner, then tick My handoffs")
                self.mine.setChecked(False)
                return
            self._my_person = str(person)
            self.settings.setValue("my_person", self._my_person)
            self.owner.setCurrentIndex(max(0, self.owner.findData(self._my_person)))
        self.refilter()

    def _update_card(self) -> None:
        live, person = self.live, self._my_person
        if live is None or not self.mine.isChecked() or person is None:
            self.card.hide()
            return
        clocks = live.clocks
        code = clocks.owners.index(person) if person in clocks.owners else -2
        mine = clocks.owner == code
        team = live.owner_teams.get(person)
        mates = [i for i, o in enumerate(clocks.owners) if live.owner_teams.get(o) == team]
        in_team = np.isin(clocks.owner, np.array(mates, dtype=np.int32))
        recent = clocks.started_at >= clocks.as_of - MONTH

        def adherence(scope: np.ndarray) -> str:
            met = int(np.sum(scope & recent & (clocks.status == MET)))
            judged = met + int(np.sum(scope & recent & (clocks.status == MISSED)))
            return f"{met / judged:.0%}" if judged else "—"

        open_counts = {s: int(np.sum(mine & (clocks.status == s))) for s in OPEN_STATUSES}
        self.card.setText(
            f"<b>{live.people.get(person, person)}</b> ({team or 'no team'}) · "
            f"open: {sum(open_counts.values())} "
            + " ".join(f"({n} {STATUS_LABELS[s].lower()})" for s, n in open_counts.items() if n)
            + f" · adherence last 30 days: <b>{adherence(mine)}</b> (team {adherence(in_team)})"
        )
        self.card.show()

    # ----- ticking and actions ---------------------------------------------------------
    def tick(self) -> None:
        """Move the countdowns on; only the rows on screen are repainted."""
        if not self.isVisible():
            return
        first = self.table.rowAt(0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        if last < 0:
            last = self.model.rowCount() - 1
        self.model.tick(int(time.time()), first, last)

    def open_row(self, row: int) -> None:
        live = self.live
        if live is None or live.record_ids is None or not 0 <= row < self.model.rowCount():
            return
        code = int(live.clocks.record[self.model.clock_index(row)])
        self.open_record.emit(int(live.record_ids[code]))

    def visible_clocks(self) -> ClockTable | None:
        """The rows shown now, in their order (for the CSV export)."""
        clocks = self.model.clocks()
        return None if clocks is None else take_clocks(clocks, self.model.visible_rows())


def write_csv_file(clocks: ClockTable, path: Path) -> Path:
    """Clocks as CSV for spreadsheets (formula-like text made safe); runs on a worker."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        write_csv(clocks, out, spreadsheet_safe=True)
    return path
