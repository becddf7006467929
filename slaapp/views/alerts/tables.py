"""Tables of the Alerts screen: alert history, alert volume per person, proposed reassignments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QT_TR_NOOP, QObject
from PySide6.QtGui import QColor

from slaapp.notify.alerting_actions import Volume
from slaapp.services.alerts import ActionView, AlertView
from slaapp.views.common.i18n import tr, tr_marked, translated
from slaapp.views.common.table_model import Column, TableModel
from slaapp.views.common.times import shown, zone_note

# The words of these tables are marked with QT_TR_NOOP and translated where shown (tr_marked;
# the models take `translated(...)` columns).
SEVERITY_TEXT = {
    "warning": QT_TR_NOOP("Warning"),
    "breach": QT_TR_NOOP("Breach"),
    "escalation": QT_TR_NOOP("Escalation"),
    "pattern": QT_TR_NOOP("Pattern"),
}
STATE_TEXT = {
    "waiting": QT_TR_NOOP("Waiting"),
    "failed": QT_TR_NOOP("Failed"),
    "sent": QT_TR_NOOP("Delivered"),
    "acknowledged": QT_TR_NOOP("Acknowledged"),
    "snoozed": QT_TR_NOOP("Snoozed"),
    "handled": QT_TR_NOOP("Handled"),
    "superseded": QT_TR_NOOP("Superseded"),
    "history": QT_TR_NOOP("History"),
    "unrouted": QT_TR_NOOP("Nobody to tell"),
}
STATE_TIPS = {
    "unrouted": QT_TR_NOOP(
        "Not sent: the step's recipients (owner, manager, lead, VP) are not in the directory"
    ),
    "handled": QT_TR_NOOP(
        "Not sent: its clock was met, cancelled, reassigned or deleted before delivery"
    ),
    "superseded": QT_TR_NOOP("Not sent: a later alert on the same clock went to the same person"),
    "history": QT_TR_NOOP("Not sent: revealed by imported history older than the backfill horizon"),
}
DELIVERY_COUNTS = {  # how many deliveries are in each state, in the order shown
    "sent": QT_TR_NOOP("{count} sent"),
    "sending": QT_TR_NOOP("{count} sending"),
    "waiting": QT_TR_NOOP("{count} waiting"),
    "retrying": QT_TR_NOOP("{count} retrying"),
    "failed": QT_TR_NOOP("{count} failed"),
    "cancelled": QT_TR_NOOP("{count} cancelled"),
    "handled": QT_TR_NOOP("{count} handled"),
    "superseded": QT_TR_NOOP("{count} superseded"),
    "history": QT_TR_NOOP("{count} history"),
}
STATE_COLOR = {
    "failed": "#d64545", "waiting": "#c98a12", "snoozed": "#6b7bd6", "history": "#6f7780",
    "handled": "#6f7780", "superseded": "#6f7780",
}  # fmt: skip
SEVERITY_COLOR = {"escalation": "#d64545", "breach": "#e0702b", "pattern": "#8a5cd6"}
FAILED_COLOR = QColor("#d64545")


def when(epoch: int) -> str:
    """In the display time zone, short: `Fri 27 Nov 14:05`."""
    return shown(epoch)


def delivery_summary(alert: AlertView) -> str:
    counts: dict[str, int] = {}
    for d in alert.deliveries:
        counts[d.state] = counts.get(d.state, 0) + 1
    return " · ".join(
        tr_marked(text).format(count=counts[state])
        for state, text in DELIVERY_COUNTS.items()
        if state in counts
    ) or tr("no recipients")


def state_text(state: str) -> str:
    """An alert's state in words (the key itself when it has none)."""
    return tr_marked(STATE_TEXT.get(state, state))


def state_tip(state: str) -> str | None:
    tip = STATE_TIPS.get(state)
    return tr_marked(tip) if tip else None


def _colour(table: Mapping[str, str], key: str) -> QColor | None:
    found = table.get(key)
    return QColor(found) if found else None


# ----- alert history --------------------------------------------------------------------------
@dataclass(frozen=True)
class AlertRow:
    """An alert as the history shows it: people by name, its state at the time of loading."""

    alert: AlertView
    owner: str
    recipients: str
    state: str


def alert_rows(alerts: tuple[AlertView, ...], names: Mapping[str, str], now: int) -> list[AlertRow]:
    return [
        AlertRow(
            alert,
            names.get(alert.owner or "", alert.owner or ""),
            ", ".join(names.get(k, k) for k in alert.recipients),
            alert.state(now),
        )
        for alert in alerts
    ]


def _alert_tip(row: AlertRow) -> str:
    return "\n".join((row.alert.title, *row.alert.lines))


def _delivery_tip(row: AlertRow) -> str:
    return "\n".join(
        tr("{channel} to {name}: {state}").format(
            channel=d.channel, name=d.recipient_name or d.recipient_key, state=d.state
        )
        + (
            tr(" after {attempts} attempt(s): {error}").format(
                attempts=d.attempts, error=d.last_error
            )
            if d.last_error
            else ""
        )
        for d in row.alert.deliveries
    )


ALERT_COLUMNS: tuple[Column[AlertRow], ...] = (
    Column(QT_TR_NOOP("Fired"), lambda r: r.alert.fired_at, _alert_tip, display=when,
           header_tooltip=zone_note),
    Column(QT_TR_NOOP("Severity"),
           lambda r: tr_marked(SEVERITY_TEXT.get(r.alert.severity, r.alert.severity.title())),
           _alert_tip, foreground=lambda r: _colour(SEVERITY_COLOR, r.alert.severity)),
    Column(QT_TR_NOOP("Alert"), lambda r: r.alert.title, _alert_tip),
    Column(QT_TR_NOOP("Owner"), lambda r: r.owner, _alert_tip),
    Column(QT_TR_NOOP("Recipients"), lambda r: r.recipients, _alert_tip),
    Column(QT_TR_NOOP("Delivery"), lambda r: delivery_summary(r.alert), _delivery_tip),
    Column(QT_TR_NOOP("State"), lambda r: state_text(r.state),
           lambda r: state_tip(r.state) or _delivery_tip(r),
           foreground=lambda r: _colour(STATE_COLOR, r.state)),
)  # fmt: skip


class AlertTableModel(TableModel[AlertRow]):
    """Alerts, newest first; the view sorts (by time for Fired) and filters through a proxy."""

    FIRED, SEVERITY, TITLE, OWNER, RECIPIENTS, DELIVERY, STATE = range(len(ALERT_COLUMNS))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(translated(ALERT_COLUMNS), parent)

    def set_alerts(self, alerts: tuple[AlertView, ...], names: Mapping[str, str], now: int) -> None:
        self.set_rows(alert_rows(alerts, names, now))

    def alert(self, row: int) -> AlertView:
        return self.row(row).alert


# ----- volume per person --------------------------------------------------------------------------
def _volume_tip(row: Volume) -> str:
    return tr("{name}: {today} alerts today, {week} in 7 days, {failed} failed deliveries").format(
        name=row.name, today=row.today, week=row.week, failed=row.failed
    )


VOLUME_COLUMNS: tuple[Column[Volume], ...] = (
    Column(QT_TR_NOOP("Person"), lambda v: v.name, _volume_tip),
    Column(QT_TR_NOOP("Team"), lambda v: v.team, _volume_tip),
    Column(QT_TR_NOOP("Today"), lambda v: v.today, _volume_tip, numeric=True),
    Column(QT_TR_NOOP("7 days"), lambda v: v.week, _volume_tip, numeric=True),
    Column(QT_TR_NOOP("Failed"), lambda v: v.failed, _volume_tip, numeric=True,
           foreground=lambda v: FAILED_COLOR if v.failed else None),
)  # fmt: skip
"""How many alerts reached each person, so managers see who is flooded."""


# ----- reassignments waiting for a manager -----------------------------------------------------
@dataclass(frozen=True)
class ProposalRow:
    """A proposed reassignment with its alert's title and both owners by name."""

    action: ActionView
    alert: str
    from_name: str
    to_name: str


def proposal_rows(
    actions: tuple[ActionView, ...], titles: Mapping[int, str], names: Mapping[str, str]
) -> list[ProposalRow]:
    return [
        ProposalRow(
            action,
            titles.get(action.alert_id or -1, tr("record {id}").format(id=action.record_id)),
            names.get(action.from_owner or "", action.from_owner or tr("nobody")),
            names.get(action.to_owner or "", action.to_owner or tr("nobody")),
        )
        for action in actions
    ]


PROPOSAL_COLUMNS: tuple[Column[ProposalRow], ...] = (
    Column(
        QT_TR_NOOP("Proposed"),
        lambda p: p.action.created_at,
        display=when,
        header_tooltip=zone_note,
    ),
    Column(QT_TR_NOOP("Alert"), lambda p: p.alert, lambda p: p.alert),
    Column(QT_TR_NOOP("From"), lambda p: p.from_name),
    Column(QT_TR_NOOP("To"), lambda p: p.to_name),
)
