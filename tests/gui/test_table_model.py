"""The generic table model passes Qt's model tester; each table shows, heads and sorts real rows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from slaapp.engine.insights.backtest import HandoffBacktest
from slaapp.engine.insights.health import HandoffHealth, RootCause
from slaapp.engine.insights.suggest import ReviewLine
from slaapp.importers.bundled import RESOURCES
from slaapp.importers.event_file import read_events
from slaapp.models.alerts import DeliveryView
from slaapp.models.database import open_database
from slaapp.notify.alerting_actions import Volume
from slaapp.services.alerts import ActionView, AlertView
from slaapp.services.dashboard import DashboardFilter, load_dashboard
from slaapp.services.store import store_log
from slaapp.views.alerts.tables import (
    PROPOSAL_COLUMNS,
    VOLUME_COLUMNS,
    AlertTableModel,
    proposal_rows,
    when,
)
from slaapp.views.common.chart_theme import duration, percent
from slaapp.views.common.table_model import (
    LEFT,
    RIGHT,
    SORT_ROLE,
    Column,
    TableModel,
    sorting_proxy,
)
from slaapp.views.connections.table import RowsModel, text_row, text_rows
from slaapp.views.dashboard.reps import RepScorecardModel, rep_order
from slaapp.views.insights.tables import (
    BACKTEST_COLUMNS,
    CAUSE_COLUMNS,
    HANDOFF_COLUMNS,
    REVIEW_COLUMNS,
    backtest_rows,
)

Role = Qt.ItemDataRole
DESC = Qt.SortOrder.DescendingOrder
ASC = Qt.SortOrder.AscendingOrder
STAGES = ("new", "qualified", "won")


@dataclass(frozen=True)
class Deal:
    name: str
    amount: int
    stage: str


DEALS = [
    Deal("Acme", 12_500, "won"),
    Deal("Globex", -300, "new"),
    Deal("Initech", 800, "qualified"),
]
DEAL_COLUMNS: tuple[Column[Deal], ...] = (
    Column("Deal", lambda d: d.name, lambda d: f"{d.name} is {d.stage}"),
    Column("Amount", lambda d: d.amount, numeric=True, header_tooltip="In dollars",
           foreground=lambda d: QColor("red") if d.amount < 0 else None),
    Column("Stage", lambda d: d.stage, sort_key=lambda d: STAGES.index(d.stage),
           background=lambda d: QColor("green") if d.stage == "won" else None,
           edit=lambda d, text: replace(d, stage=text.strip())),
)  # fmt: skip


def delivery(key: str, state: str, error: str | None = None) -> DeliveryView:
    return DeliveryView(0, "email", key, key.title(), state, 1, error, 0, None)


def alert(
    number: int, fired: int, severity: str, title: str, owner: str | None,
    deliveries: tuple[DeliveryView, ...],
) -> AlertView:  # fmt: skip
    return AlertView(number, fired, severity, severity, 0, title, (title, "Record R-1"), owner,
                     "SDR", number * 10, "R-1", "first_contact", None, None, None, None,
                     deliveries)  # fmt: skip


def headers(model) -> list[str]:
    return [
        model.headerData(c, Qt.Orientation.Horizontal, Role.DisplayRole)
        for c in range(model.columnCount())
    ]


def column(model, number: int, role: int = Role.DisplayRole) -> list[object]:
    return [model.index(r, number).data(role) for r in range(model.rowCount())]


def deals(qtmodeltester) -> TableModel[Deal]:
    model = TableModel(DEAL_COLUMNS)
    model.set_rows(DEALS)
    qtmodeltester.check(model)
    return model


# ----- the generic model ---------------------------------------------------------------------
def test_columns_give_headers_text_alignment_tips_and_colours(qtmodeltester) -> None:
    model = deals(qtmodeltester)
    assert headers(model) == ["Deal", "Amount", "Stage"]
    assert model.headerData(1, Qt.Orientation.Horizontal, Role.ToolTipRole) == "In dollars"
    assert model.headerData(0, Qt.Orientation.Horizontal, Role.ToolTipRole) is None
    assert column(model, 0) == ["Acme", "Globex", "Initech"]
    assert column(model, 1) == ["12,500", "-300", "800"]  # numbers with thousands separators
    assert column(model, 1, Role.TextAlignmentRole) == [RIGHT] * 3
    assert column(model, 0, Role.TextAlignmentRole) == [LEFT] * 3
    assert column(model, 0, Role.ToolTipRole) == ["Acme is won", "Globex is new", "Initech is qualified"]  # fmt: skip
    assert column(model, 1, Role.ToolTipRole) == [None] * 3
    assert column(model, 1, Role.ForegroundRole) == [None, QColor("red"), None]
    assert column(model, 2, Role.BackgroundRole) == [QColor("green"), None, None]
    assert column(model, 1, SORT_ROLE) == [12_500, -300, 800]  # the value itself
    assert column(model, 2, SORT_ROLE) == [2, 0, 1]  # the column's sort key
    assert model.items == tuple(DEALS) and model.row(2) is DEALS[2]


def test_set_rows_resets_the_model(qtbot, qtmodeltester) -> None:
    model = deals(qtmodeltester)
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset], order="strict"):
        model.set_rows(DEALS[:1])
    assert model.rowCount() == 1 and column(model, 0) == ["Acme"]
    model.set_rows([])
    assert model.rowCount() == 0 and model.index(0, 0).data() is None
    qtmodeltester.check(model)


def test_a_sorting_proxy_sorts_numbers_as_numbers_and_by_sort_keys(qtmodeltester) -> None:
    model = deals(qtmodeltester)
    proxy = sorting_proxy(model)
    proxy.sort(1, DESC)
    assert column(proxy, 0) == ["Acme", "Initech", "Globex"]  # 12,500 > 800 > -300
    proxy.sort(2, ASC)
    assert column(proxy, 2) == ["new", "qualified", "won"]
    proxy.sort(0, DESC)
    assert column(proxy, 0) == ["Initech", "Globex", "Acme"]
    qtmodeltester.check(proxy)


def test_editable_columns_append_and_remove(qtbot, qtmodeltester) -> None:
    model = deals(qtmodeltester)
    stage = model.index(1, 2)
    assert model.flags(stage) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(model.dataChanged):
        assert model.setData(stage, " qualified ", Role.EditRole)
    assert model.row(1) == Deal("Globex", -300, "qualified") and stage.data() == "qualified"
    assert not model.setData(model.index(1, 0), "Umbrella", Role.EditRole)
    model.append(Deal("Hooli", 5, "new"))
    assert model.rowCount() == 4 and column(model, 0)[-1] == "Hooli"
    model.remove(0)
    model.remove(99)  # out of range: nothing happens
    assert column(model, 0) == ["Globex", "Initech", "Hooli"]
    qtmodeltester.check(model)


# ----- the Alerts screen's tables --------------------------------------------------------------
def test_alert_history_shows_names_states_and_sorts_by_time(qtmodeltester) -> None:
    now = 1_800_000_000
    alerts = (
        alert(1, now - 3600, "breach", "Breach: Demo booked", "ann",
              (delivery("ann", "sent"), delivery("bob", "failed", error="550 no such user"))),
        alert(2, now - 60, "warning", "Due soon: First contact", "bob", (delivery("bob", "waiting"),)),
        alert(3, now - 7200, "escalation", "Escalation: First contact", None, ()),
    )  # fmt: skip
    model = AlertTableModel()
    model.set_alerts(alerts, {"ann": "Ann Lee", "bob": "Bob Roy"}, now)
    qtmodeltester.check(model)
    assert headers(model) == ["Fired", "Severity", "Alert", "Owner", "Recipients", "Delivery", "State"]  # fmt: skip
    assert [model.index(0, c).data() for c in range(7)] == [
        when(now - 3600), "Breach", "Breach: Demo booked", "Ann Lee", "Ann Lee, Bob Roy",
        "1 sent · 1 failed", "Failed",
    ]  # fmt: skip
    # an alert nobody could be told about never says it was delivered
    assert column(model, model.STATE) == ["Failed", "Waiting", "Nobody to tell"]
    assert model.index(0, model.STATE).data(Role.ForegroundRole) == QColor("#d64545")
    assert model.index(1, model.SEVERITY).data(Role.ForegroundRole) is None
    assert "550 no such user" in model.index(0, model.DELIVERY).data(Role.ToolTipRole)
    assert model.alert(2).id == 3
    proxy = sorting_proxy(model)
    proxy.sort(model.FIRED, DESC)
    assert column(proxy, model.TITLE) == [
        "Due soon: First contact", "Breach: Demo booked", "Escalation: First contact"
    ]  # fmt: skip
    proxy.sort(model.SEVERITY, ASC)
    assert column(proxy, model.SEVERITY) == ["Breach", "Escalation", "Warning"]
    qtmodeltester.check(proxy)


def test_alert_volume_and_proposed_reassignments(qtmodeltester) -> None:
    volume = TableModel(VOLUME_COLUMNS)
    volume.set_rows(
        [Volume("ann", "Ann", "SDR", 3, 1_204, 0), Volume("bob", "Bob", "AE", 9, 40, 2)]
    )
    qtmodeltester.check(volume)
    assert headers(volume) == ["Person", "Team", "Today", "7 days", "Failed"]
    assert [volume.index(0, c).data() for c in range(5)] == ["Ann", "SDR", "3", "1,204", "0"]
    assert column(volume, 4, Role.ForegroundRole) == [None, QColor("#d64545")]
    assert volume.index(1, 3).data(Role.TextAlignmentRole) == RIGHT
    proxy = sorting_proxy(volume)
    proxy.sort(3, DESC)
    assert column(proxy, 0) == ["Ann", "Bob"]  # 1,204 before 40: numbers, not texts
    proxy.sort(2, DESC)
    assert column(proxy, 0) == ["Bob", "Ann"]

    actions = (
        ActionView(7, 1, 70, "reassign", "ann", "bob", "ask", "proposed", None, 1_800_000_000, None),
        ActionView(8, None, 80, "reassign", None, "cy", "ask", "proposed", None, 1_800_000_600, None),
    )  # fmt: skip
    proposals = TableModel(PROPOSAL_COLUMNS)
    proposals.set_rows(proposal_rows(actions, {1: "Breach: Demo booked"}, {"ann": "Ann"}))
    qtmodeltester.check(proposals)
    assert headers(proposals) == ["Proposed", "Alert", "From", "To"]
    assert [proposals.index(0, c).data() for c in range(4)] == [
        when(1_800_000_000), "Breach: Demo booked", "Ann", "bob"
    ]  # fmt: skip
    assert [proposals.index(1, c).data() for c in range(1, 4)] == ["record 80", "nobody", "cy"]
    assert proposals.row(1).action.id == 8


# ----- the Insights screen's tables ------------------------------------------------------------
def test_insight_tables_show_figures_and_sort_by_their_values(qtmodeltester) -> None:
    causes = TableModel(CAUSE_COLUMNS)
    causes.set_rows([
        RootCause("capacity", "SDR overloaded on Mondays", "41 of 90 late", 1234.6, 90),
        RootCause("individual", "Ben is slow", "median 5 h vs 2 h", 87.2, 1_502),
    ])  # fmt: skip
    qtmodeltester.check(causes)
    assert headers(causes) == [
        "Kind", "Finding", "Late clocks explained", "Clocks", "Numbers", "How sure"
    ]  # fmt: skip
    assert [causes.index(0, c).data() for c in range(5)] == [
        "Capacity", "SDR overloaded on Mondays", "1,235", "90", "41 of 90 late"
    ]  # fmt: skip
    assert causes.index(0, 0).data(Role.ToolTipRole).startswith("Hours of a weekday")
    assert causes.headerData(3, Qt.Orientation.Horizontal, Role.ToolTipRole).startswith("Sample")
    proxy = sorting_proxy(causes)
    proxy.sort(3, DESC)
    assert column(proxy, 3) == ["1,502", "90"]

    handoffs = TableModel(HANDOFF_COLUMNS)
    handoffs.set_rows([
        HandoffHealth("first_contact", "First contact", 400, 300, 75, 1_250_000.0),
        HandoffHealth("demo", "Demo booked", 10, 0, 0, 0.0),
    ])  # fmt: skip
    qtmodeltester.check(handoffs)
    assert headers(handoffs) == ["Handoff", "On time", "Late", "Decided", "Value late"]
    assert [handoffs.index(0, c).data() for c in range(5)] == [
        "First contact", "75%", "75", "300", "$1.2M"
    ]  # fmt: skip
    assert handoffs.index(1, 1).data() == "n/a"

    tests = (
        HandoffBacktest("first_contact", 0.5, 40, 10, 20, 15, 7200),
        HandoffBacktest("renewal", None, 0, 0, 0, 0, 0),
    )
    backtest = TableModel(BACKTEST_COLUMNS)
    backtest.set_rows(backtest_rows(tests, {"first_contact": "First contact"}))
    qtmodeltester.check(backtest)
    assert column(backtest, 0) == ["First contact", "renewal"]
    assert [backtest.index(0, c).data() for c in range(1, 6)] == [
        "at 50%",
        "40",
        "25%",
        "20",
        "75%",
    ]
    assert backtest.index(0, 5).data(Role.ToolTipRole).startswith("15 of 20 late clocks")
    assert backtest.index(1, 1).data() == "none"

    review = TableModel(REVIEW_COLUMNS)
    review.set_rows([
        ReviewLine("first_contact", "First contact", "2h", 400, 0.81, (("2026-10", 0.8),), 1.5,
                   "Keep 2h"),
    ])  # fmt: skip
    qtmodeltester.check(review)
    assert headers(review) == ["Handoff", "Target", "On time", "Trend", "Suggestion"]
    assert [review.index(0, c).data() for c in range(5)] == [
        "First contact", "2h", "81%", "+1.5 pts/mo", "Keep 2h"
    ]  # fmt: skip
    assert review.index(0, 3).data(Role.ToolTipRole) == "2026-10: 80%"


# ----- the dashboard's rep scorecards ----------------------------------------------------------
@pytest.fixture
def scorecards(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'reps.db'}")
    log = read_events(RESOURCES / "samples" / "events-sample.csv").log
    now = int(log.occurred_at.max())
    store_log(database, log, source="import", at=now)
    data = load_dashboard(database, DashboardFilter(date(2026, 11, 1), date(2026, 11, 30)), now)
    database.dispose()
    return data.metrics.reps


def test_rep_scorecards_show_each_reps_figures_beside_the_team(qtmodeltester, scorecards) -> None:
    cards = scorecards
    order = rep_order(cards)
    assert order
    model = RepScorecardModel()
    model.set_scorecards(cards, order)
    qtmodeltester.check(model)
    assert headers(model) == [
        "Rep", "Team", "Clocks", "Adherence", "Team adherence", "Median response",
        "Team median", "P90 response", "Quality pass", "Breaches",
    ]  # fmt: skip
    reps = cards.reps
    for row, rep in enumerate(order):
        assert model.rep_at(row) == rep
        assert model.index(row, 0).data() == reps.labels[rep]
        assert model.index(row, 2).data() == f"{int(reps.clocks[rep]):,}"
        assert model.index(row, 3).data() == percent(reps.adherence[rep])
        assert model.index(row, 5).data() == duration(reps.median_response[rep])
        assert model.index(row, 9).data() == f"{int(reps.late[rep]):,}"
    proxy = sorting_proxy(model)
    proxy.sort(2, DESC)
    clocks = [int(reps.clocks[model.rep_at(proxy.mapToSource(proxy.index(r, 0)).row())])
              for r in range(proxy.rowCount())]  # fmt: skip
    assert clocks == sorted(clocks, reverse=True)
    model.set_scorecards(None, order)
    assert model.rowCount() == 0


# ----- the Connections screen's text tables ----------------------------------------------------
def test_connection_text_tables_show_tips_and_edit_their_editable_cells(qtmodeltester) -> None:
    rules = RowsModel(("Rule", "CRM field or stage", "Event or attribute"), editable=(1, 2))
    rules.set_rows(text_rows([["Stage", "Unqualified", "disqualified"], ["Milestone", "", ""]],
                             [["A stage reached", "", ""], ["A date field", "", ""]]))  # fmt: skip
    qtmodeltester.check(rules)
    assert headers(rules) == ["Rule", "CRM field or stage", "Event or attribute"]
    assert column(rules, 0, Role.ToolTipRole) == ["A stage reached", "A date field"]
    assert column(rules, 1, Role.ToolTipRole) == [None, None]
    assert not rules.flags(rules.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert rules.setData(rules.index(1, 1), "  demo_booked_at ", Role.EditRole)
    assert not rules.setData(rules.index(1, 0), "Stage", Role.EditRole)
    rules.append(text_row(["Attribute", "", ""]))
    assert rules.rows() == [
        ["Stage", "Unqualified", "disqualified"],
        ["Milestone", "demo_booked_at", ""],
        ["Attribute", "", ""],
    ]
    qtmodeltester.check(rules)
