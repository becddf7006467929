"""Alerts screen: history with filters, acknowledge and snooze, delivery failures with retry, volume."""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from PySide6.QtCore import (
    QT_TR_NOOP,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from slaapp.notify.alerting_actions import (
    AlertsOverview,
    acknowledge_alerts,
    alerts_overview,
    retry_alerts,
    snooze_alerts,
)
from slaapp.services.alerts import ALERT_STATES, AlertView
from slaapp.services.database import Database
from slaapp.views.alerts.reassignments import ReassignmentPanel
from slaapp.views.alerts.tables import (
    VOLUME_COLUMNS,
    AlertTableModel,
    state_text,
    state_tip,
    when,
)
from slaapp.views.common.i18n import tr, tr_marked, translated
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.table_model import SORT_ROLE, TableModel

SEVERITIES = ((QT_TR_NOOP("All severities"), ""), (QT_TR_NOOP("Warnings"), "warning"),
              (QT_TR_NOOP("Breaches"), "breach"), (QT_TR_NOOP("Escalations"), "escalation"),
              (QT_TR_NOOP("Patterns"), "pattern"))  # fmt: skip
EMPTY = QT_TR_NOOP(
    "No alerts in the last 7 days.\n\nAlerts appear here when a clock crosses a warning threshold, "
    "breaches or escalates. Keep the app open, or schedule `slaapp alerts run --once`."
)


class _AlertFilter(QSortFilterProxyModel):
    """Person, state, severity and text filters over the alert history."""

    def __init__(self, source: AlertTableModel) -> None:
        super().__init__()
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self._alerts = source
        self.person = self.state = self.severity = self.text = ""
        self.now = 0

    def update(self, **values: str) -> None:
        self.beginFilterChange()
        for name, value in values.items():
            setattr(self, name, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        alert = self._alerts.alert(row)
        if self.person and self.person != alert.owner and self.person not in alert.recipients:
            return False
        if self.state and alert.state(self.now) != self.state:
            return False
        if self.severity and alert.severity != self.severity:
            return False
        return not self.text or self.text.lower() in (alert.title + alert.record).lower()


class AlertsScreen(QWidget):
    """A Screen. Signals: open_record(int) a records.id, message(str) status text, data_changed()."""

    title: str
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()

    def __init__(
        self,
        database: Database,
        jobs: JobRunner,
        parent: QWidget | None = None,
        clock: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        super().__init__(parent)
        self.title = tr("Alerts")
        self._database, self._jobs, self._clock = database, jobs, clock
        self._overview: AlertsOverview | None = None
        self.alerts = AlertTableModel(self)
        self.proxy = _AlertFilter(self.alerts)
        self.volume = TableModel(translated(VOLUME_COLUMNS), self)
        self._build()

    # ----- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel(self.title)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(
            tr("Warnings, breaches and escalations of the last 7 days, and how each was delivered.")
        )
        subtitle.setEnabled(False)

        self.person = QComboBox(toolTip=tr("Alerts owned by or sent to one person"))
        self.person.addItem(tr("Everyone"), "")
        self.person.setMinimumContentsLength(16)
        self.person.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.state = QComboBox(toolTip=tr("Delivery state of the alerts"))
        self.state.addItem(tr("All states"), "")
        for state in ALERT_STATES:
            self.state.addItem(state_text(state), state)
        self.severity = QComboBox(toolTip=tr("Warnings, breaches, escalations or patterns"))
        for text, value in SEVERITIES:
            self.severity.addItem(tr_marked(text), value)
        self.search = QLineEdit(
            placeholderText=tr("Search alerts or records"), clearButtonEnabled=True
        )
        self.search.setMinimumWidth(220)
        self.refresh_button = QPushButton(tr("Refresh"), toolTip=tr("Reload the alert history"))
        filters = QHBoxLayout()
        for label, widget in (
            (tr("Person"), self.person),
            (tr("State"), self.state),
            (tr("Severity"), self.severity),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.refresh_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(AlertTableModel.FIRED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(AlertTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 118), (1, 78), (3, 100), (4, 110), (5, 84), (6, 84)):
            self.table.setColumnWidth(column, width)
        self.empty = QLabel(tr_marked(EMPTY), alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.ack_button = QPushButton(
            tr("Acknowledge"), toolTip=tr("Stop reminders of the selected alerts")
        )
        self.snooze_button = QPushButton(
            tr("Snooze 15 min"), toolTip=tr("Hold the next step for 15 minutes")
        )
        self.retry_button = QPushButton(
            tr("Retry delivery"), toolTip=tr("Send failed deliveries again at the next run")
        )
        self.open_button = QPushButton(
            tr("Open record"), toolTip=tr("Show the record of the selected alert")
        )
        actions = QHBoxLayout()
        for button in (self.ack_button, self.snooze_button, self.retry_button, self.open_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setEnabled(False)
        actions.addWidget(self.count_label)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.stack, 1)
        left_layout.addLayout(actions)

        self.details = QTextBrowser(openExternalLinks=True)
        self.details.setPlaceholderText(
            tr("Select an alert to see what it said and where it went.")
        )
        volume_title = QLabel(tr("<b>Alert volume per person</b> (who is flooded)"))
        self.volume_table = QTableView()
        self.volume_table.setModel(self.volume)
        self.volume_table.verticalHeader().hide()
        self.volume_table.setAlternatingRowColors(True)
        self.volume_table.setWordWrap(False)
        self.volume_table.verticalHeader().setDefaultSectionSize(24)
        self.volume_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.volume_table.setColumnWidth(1, 84)
        for column in (2, 3, 4):
            self.volume_table.setColumnWidth(column, 52)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel(tr("<b>Details</b>")))
        right_layout.addWidget(self.details, 2)
        right_layout.addWidget(volume_title)
        right_layout.addWidget(self.volume_table, 3)
        self.reassignments = ReassignmentPanel(self._database, self._jobs, self._clock)
        self.reassignments.decided.connect(self._decided)
        right_layout.addWidget(self.reassignments)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([880, 400])

        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #d64545;")
        self.error.hide()
        self.health = QLabel(wordWrap=True)
        self.health.setStyleSheet("color: #b26b00;")
        self.health.setToolTip(tr("Channels are set up on the Settings screen"))
        self.health.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.health)
        layout.addWidget(splitter, 1)

        self.person.currentIndexChanged.connect(self._filter)
        self.state.currentIndexChanged.connect(self._filter)
        self.severity.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(self._selection)
        self.table.doubleClicked.connect(lambda _i: self._open())
        self.ack_button.clicked.connect(self._acknowledge)
        self.snooze_button.clicked.connect(self._snooze)
        self.retry_button.clicked.connect(self._retry)
        self.open_button.clicked.connect(self._open)
        self._selection()

    # ----- Screen -------------------------------------------------------------------------
    def widget(self) -> QWidget:
        return self

    def shutdown(self) -> None:
        """Nothing of its own runs in the background (its jobs run on the app's runner)."""

    # ----- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        now = self._clock()
        self._jobs.start(
            lambda: alerts_overview(self._database, now), self._loaded, self._failed, self._failed
        )

    def _loaded(self, result: AlertsOverview) -> None:
        self._overview = result
        self.error.hide()
        self.health.setText("\n".join(result.health))
        self.health.setVisible(bool(result.health))
        names = {**result.names, **dict(result.people)}
        for alert in result.alerts:
            if alert.owner and alert.owner not in names:
                names[alert.owner] = alert.owner
        current = self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem(tr("Everyone"), "")
        for key, name in result.people:
            self.person.addItem(name, key)
        found = self.person.findData(current)
        self.person.setCurrentIndex(max(found, 0))
        self.person.blockSignals(False)
        self.proxy.now = result.now
        self.alerts.set_alerts(result.alerts, names, result.now)
        self.volume.set_rows(result.volume)
        self.stack.setCurrentWidget(self.table if result.alerts else self.empty)
        titles = {a.id: a.title for a in result.alerts}
        self.reassignments.show_actions(result.actions, titles, names)
        self._filter()

    def _decided(self, text: str) -> None:
        self.message.emit(text)
        self.data_changed.emit()
        self.refresh()

    def _failed(self, message: str) -> None:
        self.error.setText(tr("The alerts could not be loaded: {error}").format(error=message))
        self.error.show()

    # ----- filters and selection ----------------------------------------------------------
    def _filter(self) -> None:
        self.proxy.update(
            person=self.person.currentData() or "",
            state=self.state.currentData() or "",
            severity=self.severity.currentData() or "",
            text=self.search.text().strip(),
        )
        total = self.alerts.rowCount()
        shown = self.proxy.rowCount()
        self.count_label.setText(
            tr("{shown:,} of {total:,} alerts").format(shown=shown, total=total)
            if shown != total
            else tr("{total:,} alerts").format(total=total)
        )
        self._selection()

    def selected(self) -> list[AlertView]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.alerts.alert(r) for r in sorted(rows)]

    def _selection(self) -> None:
        chosen = self.selected()
        now = self._overview.now if self._overview else 0
        self.ack_button.setEnabled(any(a.acknowledged_at is None for a in chosen))
        self.snooze_button.setEnabled(any(a.record_id is not None for a in chosen))
        self.retry_button.setEnabled(any(a.state(now) == "failed" for a in chosen))
        self.open_button.setEnabled(len(chosen) == 1 and chosen[0].record_id is not None)
        self.details.setHtml(_details(chosen[0], now) if len(chosen) == 1 else "")

    # ----- actions ------------------------------------------------------------------------
    def _run(self, work: Callable[[], int], done_text: str) -> None:
        def done(count: int) -> None:
            self.message.emit(done_text.format(count=count))
            self.data_changed.emit()
            self.refresh()

        self._jobs.start(work, done, self._failed, self._failed)

    def _acknowledge(self) -> None:
        ids, now = [a.id for a in self.selected()], self._clock()
        self._run(
            lambda: acknowledge_alerts(self._database, ids, now, "desktop"),
            tr("{count} alert(s) acknowledged"),
        )

    def _snooze(self) -> None:
        ids, now = [a.id for a in self.selected()], self._clock()
        self._run(
            lambda: snooze_alerts(self._database, ids, now, "desktop"),
            tr("{count} alert(s) snoozed for 15 min"),
        )

    def _retry(self) -> None:
        ids, now = [a.id for a in self.selected()], self._clock()
        self._run(
            lambda: retry_alerts(self._database, ids, now), tr("{count} deliveries will be retried")
        )

    def _open(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1 and chosen[0].record_id is not None:
            self.open_record.emit(chosen[0].record_id)


def _details(alert: AlertView, now: int) -> str:
    parts = [
        f"<h3>{html.escape(alert.title)}</h3>",
        "<p>"
        + tr("Fired {time} · {state}").format(
            time=when(alert.fired_at), state=_state_words(alert.state(now))
        )
        + "</p>",
    ]
    body = []
    open_in_crm = html.escape(tr("open in CRM"))
    for line in alert.lines:
        text = html.escape(line)
        if alert.link and alert.link in line:
            text = text.replace(
                html.escape(alert.link), f'<a href="{html.escape(alert.link)}">{open_in_crm}</a>'
            )
        body.append(f"<li>{text}</li>")
    parts.append("<ul>" + "".join(body) + "</ul>")
    rows = "".join(
        f"<tr><td>{html.escape(d.channel)}</td><td>{html.escape(d.recipient_name or d.recipient_key)}</td>"
        f"<td>{html.escape(_delivery_state(d.state, d.not_before, now))}</td>"
        f"<td>{html.escape(d.last_error or '')}</td></tr>"
        for d in alert.deliveries
    )
    heads = "".join(
        f"<th align=left>{html.escape(head)}</th>"
        for head in (tr("Channel"), tr("To"), tr("State"), tr("Why"))
    )
    deliveries = html.escape(tr("Deliveries"))
    parts.append(f"<p><b>{deliveries}</b></p><table cellspacing=4><tr>{heads}</tr>{rows}</table>")
    if alert.acknowledged_at:
        parts.append(
            "<p>"
            + tr("Acknowledged {time} by {name}").format(
                time=when(alert.acknowledged_at), name=html.escape(alert.acknowledged_by or "")
            )
            + "</p>"
        )
    return "".join(parts)


def _state_words(state: str) -> str:
    tip = state_tip(state)
    return html.escape(state_text(state) + (f" ({tip[0].lower()}{tip[1:]})" if tip else ""))


def _delivery_state(state: str, not_before: int, now: int) -> str:
    """`waiting until Mon 30 Nov 09:00` says why a delivery has not gone yet."""
    if state in ("waiting", "retrying") and not_before > now:
        return tr("{state} until {time}").format(state=state, time=when(not_before))
    return state
