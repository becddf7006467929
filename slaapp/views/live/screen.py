"""Live handoffs: every clock, filtered by team, owner, handoff, segment and status, ticking each second."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QT_TR_NOOP, QEvent, QObject, QSettings, Qt, QTimer, Signal
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
from slaapp.views.common.column_fit import fitted_widths
from slaapp.views.common.elided import ElidedLabel
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.common.page_header import page_header
from slaapp.views.live.clock_delegates import ElapsedBarDelegate
from slaapp.views.live.clock_model import (
    DUE,
    HANDOFF,
    OWNER,
    PCT,
    RECORD,
    SEGMENT,
    SOURCE,
    STATUS_COLOURS,
    STATUS_LABELS,
    ClockTableModel,
    status_words,
)

FILTERS = {
    QT_TR_NOOP("Open"): frozenset(OPEN_STATUSES),
    QT_TR_NOOP("Open and last 7 days"): frozenset(range(len(STATUSES))),
    **{label: frozenset({status}) for status, label in STATUS_LABELS.items()},
}
"""What the status filter offers, by its (untranslated) name; the combo shows it translated."""
EVERYONE = QT_TR_NOOP("Everyone")
TICK_MS = 1000
MONTH = 30 * 86400
SAMPLE_ROWS = 40
"""Column widths come from the header and this many rows (all of them would stall the GUI)."""
HEADER_PAD = 34  # room for the sort arrow and the section's margins
CELL_PAD = 18
SHRINK_ORDER = (
    ((SEGMENT, OWNER), 100),
    ((HANDOFF,), 110),
    ((HANDOFF, SEGMENT, OWNER), 80),
    ((HANDOFF, SEGMENT, OWNER, RECORD, SOURCE), 56),
)
"""Columns that give up width so all fit, stage by stage (their text elides, the tooltip has
it whole): segment and owner first, then the handoff, then the ids and sources too."""


def _combo(first: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem(tr_marked(first), None)
    combo.setAccessibleName(tr_marked(first))
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

    title = QT_TR_NOOP("Live handoffs")
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
            tr(
                "<b>No handoffs yet.</b> Load the demo revenue org to look around, "
                "import an event log, or connect HubSpot or Salesforce."
            )
        )
        invitation.setWordWrap(True)  # wraps instead of widening the window
        empty_layout.addWidget(invitation, 1)
        self.empty_demo = QPushButton(tr("Load the demo org"))
        self.empty_demo.clicked.connect(self.demo_requested)
        self.empty_import = QPushButton(tr("Import events…"))
        self.empty_import.clicked.connect(self.import_requested)
        self.empty_connect = QPushButton(tr("Connect a CRM…"))
        self.empty_connect.clicked.connect(self.connect_requested)
        for button in (self.empty_demo, self.empty_import, self.empty_connect):
            empty_layout.addWidget(button)
        self.empty.hide()

        self.status_filter = QComboBox()
        for name in FILTERS:
            self.status_filter.addItem(tr_marked(name), name)
        self.status_filter.setToolTip(
            tr(
                "Closed clocks shown here are those that stopped in the last 7 days; the "
                "Dashboard and the scorecards cover all history."
            )
        )
        self.team = _combo(QT_TR_NOOP("All teams"))
        self.owner = _combo(EVERYONE)
        self.handoff = _combo(QT_TR_NOOP("All handoffs"))
        self.segment = _combo(QT_TR_NOOP("All segments"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search record or owner"))
        self.search.setAccessibleName(tr("Search record or owner"))
        self.status_filter.setAccessibleName(tr("Clocks shown"))
        self.search.setClearButtonEnabled(True)
        self.mine = QCheckBox(tr("My handoffs"))
        self.mine.setToolTip(
            tr("Only the clocks of the person chosen under Owner, with their scorecard")
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
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)  # fit_columns gives the last one what is left
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._natural: dict[int, int] = {}  # each column's width for its whole text
        header.sectionResized.connect(self._section_resized)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setAccessibleName(tr("Live handoffs"))
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
                tr_marked(self.title),
                tr(
                    "Every open handoff counting down in its business calendar; double-click a "
                    "row for the record, hover Due for why it is due then."
                ),
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
            self.summary.setText(tr("No clocks: the database holds no records"))
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
            self._sized = True
            # after the window has shown or hidden the risk column for this evaluation
            QTimer.singleShot(0, self, self.size_columns)
        self.ticker.start()

    def size_columns(self) -> None:
        """Width for each column's text: its header and the first SAMPLE_ROWS rows' text
        (font metrics only: Qt's own sizing asks every role of every cell, and stalls)."""
        model, header = self.model, self.table.horizontalHeader()
        cell, head = self.table.fontMetrics(), header.fontMetrics()
        rows = range(min(SAMPLE_ROWS, model.rowCount()))
        self._natural = {}
        for c in range(model.columnCount()):
            title = str(model.headerData(c, Qt.Orientation.Horizontal) or "")
            texts = (str(model.data(model.index(r, c)) or "") for r in rows)
            widest = max((cell.horizontalAdvance(t) for t in texts), default=0)
            self._natural[c] = max(head.horizontalAdvance(title) + HEADER_PAD, widest + CELL_PAD)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Every shown column within the table's width: the text columns give up what is
        missing (SHRINK_ORDER), in proportion to their width over the floor; their text elides."""
        if not self._natural:
            return
        shown = [c for c in self._natural if not self.table.isColumnHidden(c)]
        bar = self.table.verticalScrollBar()
        scroll = bar.sizeHint().width() if self.model.rowCount() else 0
        room = self.table.contentsRect().width() - scroll
        header = self.table.horizontalHeader()
        last = max(shown, key=header.visualIndex) if shown else 0
        widths = fitted_widths({c: self._natural[c] for c in shown}, room, SHRINK_ORDER, last)
        for c, width in widths.items():
            self.table.setColumnWidth(c, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def _section_resized(self, column: int, old: int, new: int) -> None:
        if self._natural and (old == 0) != (new == 0):  # a column was shown or hidden
            QTimer.singleShot(0, self, self.fit_columns)

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
            FILTERS[str(self.status_filter.currentData())],
            self.search.text(),
            owners=owners,
            handoff=self.handoff.currentData(),
            segment=self.segment.currentData(),
        )
        counts = self.model.counts()
        parts = [f"{counts[s]:,} {status_words(s).lower()}" for s in sorted(counts)]
        self.summary.setText(
            tr("{count} clocks shown: {parts}").format(
                count=f"{self.model.rowCount():,}", parts=" · ".join(parts)
            )
            if parts
            else tr("No clocks match")
        )
        self.chips.setText(
            "&nbsp;&nbsp;".join(
                f"<span style='background-color:{STATUS_COLOURS[s].name()};color:white;"
                f"font-weight:600'>&nbsp;{counts[s]:,} {status_words(s).lower()}&nbsp;</span>"
                for s in sorted(counts)
            )
        )
        self._update_card()

    def _mine(self, on: bool) -> None:
        if on:
            person = self._identity or self.owner.currentData() or self._my_person
            if person is None:
                self.message.emit(tr("Choose yourself under Owner, then tick My handoffs"))
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

        def adherence(scope: np.ndarray, owners: list[str]) -> str:
            if live.adherence:  # counted over 30 days in the database (the table holds fewer)
                met = sum(live.adherence.get(o, (0, 0))[0] for o in owners)
                judged = sum(live.adherence.get(o, (0, 0))[1] for o in owners)
            else:
                met = int(np.sum(scope & recent & (clocks.status == MET)))
                judged = met + int(np.sum(scope & recent & (clocks.status == MISSED)))
            return f"{met / judged:.0%}" if judged else "—"

        open_counts = {s: int(np.sum(mine & (clocks.status == s))) for s in OPEN_STATUSES}
        counted = " ".join(f"({n} {status_words(s).lower()})" for s, n in open_counts.items() if n)
        self.card.setText(
            tr(
                "<b>{name}</b> ({team}) · open: {open} {counted} · adherence last 30 days: "
                "<b>{mine}</b> (team {theirs})"
            ).format(
                name=live.people.get(person, person),
                team=team or tr("no team"),
                open=sum(open_counts.values()),
                counted=counted,
                mine=adherence(mine, [person]),
                theirs=adherence(
                    in_team, [o for o in live.owner_teams if live.owner_teams[o] == team]
                ),
            )
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
