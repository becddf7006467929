"""Tables of the Alerts screen: alert history, alert volume per person, proposed reassignments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from slaapp.notify.alerting_actions import Volume
from slaapp.services.alerts import ActionView, AlertView
from slaapp.views.common.table_model import Column, TableModel
from slaapp.views.common.times import shown, zone_note

SEVERITY_TEXT = {
    "warning": "Warning",
    "breach": "Breach",
    "escalation": "Escalation",
    "pattern": "Pattern",
}
STATE_TEXT = {
    "waiting": "Waiting",
    "failed": "Failed",
    "sent": "Delivered",
    "acknowledged": "Acknowledged",
    "snoozed": "Snoozed",
    "handled": "Handled",
    "superseded": "Superseded",
    "history": "History",
    "unrouted": "Nobody to tell",
}
STATE_TIPS = {
    "unrouted": "Not sent: the step's recipients (owner, manager, lead, VP) are not in the directory",
    "handled": "Not sent: its clock was met, cancelled, reassigned or deleted before delivery",
    "superseded": "Not sent: a later alert on the same clock went to the same person",
    "history": "Not sent: revealed by imported history older than the backfill horizon",
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
    order = (
        "sent", "sending", "waiting", "retrying", "failed", "cancelled", "handled", "superseded",
        "history",
    )  # fmt: skip
    return " · ".join(f"{counts[s]} {s}" for s in order if s in counts) or "no recipients"


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
        f"{d.channel} to {d.recipient_name or d.recipient_key}: {d.state}"
        + (f" after {d.attempts} attempt(s): {d.last_error}" if d.last_error else "")
        for d in row.alert.deliveries
    )


ALERT_COLUMNS: tuple[Column[AlertRow], ...] = (
    Column("Fired", lambda r: r.alert.fired_at, _alert_tip, display=when, header_tooltip=zone_note),
    Column("Severity", lambda r: SEVERITY_TEXT.get(r.alert.severity, r.alert.severity.title()),
           _alert_tip, foreground=lambda r: _colour(SEVERITY_COLOR, r.alert.severity)),
    Column("Alert", lambda r: r.alert.title, _alert_tip),
    Column("Owner", lambda r: r.owner, _alert_tip),
    Column("Recipients", lambda r: r.recipients, _alert_tip),
    Column("Delivery", lambda r: delivery_summary(r.alert), _delivery_tip),
    Column("State", lambda r: STATE_TEXT.get(r.state, r.state),
           lambda r: STATE_TIPS.get(r.state) or _delivery_tip(r),
           foreground=lambda r: _colour(STATE_COLOR, r.state)),
)  # fmt: skip


class AlertTableModel(TableModel[AlertRow]):
    """Alerts, newest first; the view sorts (by time for Fired) and filters through a proxy."""

    FIRED, SEVERITY, TITLE, OWNER, RECIPIENTS, DELIVERY, STATE = range(len(ALERT_COLUMNS))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(ALERT_COLUMNS, parent)

    def set_alerts(self, alerts: tuple[AlertView, ...], names: Mapping[str, str], now: int) -> None:
        self.set_rows(alert_rows(alerts, names, now))

    def alert(self, row: int) -> AlertView:
        return self.row(row).alert


# ----- volume per person --------------------------------------------------------------------------
def _volume_tip(row: Volume) -> str:
    return (
        f"{row.name}: {row.today} alerts today, {row.week} in 7 days, "
        f"{row.failed} failed deliveries"
    )


VOLUME_COLUMNS: tuple[Column[Volume], ...] = (
    Column("Person", lambda v: v.name, _volume_tip),
    Column("Team", lambda v: v.team, _volume_tip),
    Column("Today", lambda v: v.today, _volume_tip, numeric=True),
    Column("7 days", lambda v: v.week, _volume_tip, numeric=True),
    Column("Failed", lambda v: v.failed, _volume_tip, numeric=True,
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
            titles.get(action.alert_id or -1, f"record {action.record_id}"),
            names.get(action.from_owner or "", action.from_owner or "nobody"),
            names.get(action.to_owner or "", action.to_owner or "nobody"),
        )
        for action in actions
    ]


PROPOSAL_COLUMNS: tuple[Column[ProposalRow], ...] = (
    Column("Proposed", lambda p: p.action.created_at, display=when, header_tooltip=zone_note),
    Column("Alert", lambda p: p.alert, lambda p: p.alert),
    Column("From", lambda p: p.from_name),
    Column("To", lambda p: p.to_name),
)
