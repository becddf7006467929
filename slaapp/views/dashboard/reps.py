"""Rep scorecards: each rep's adherence, response times, volume and quality beside their team's."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QTableView, QWidget

from slaapp.engine.metrics_reps import RepScorecards
from slaapp.views.common.chart_bars import BarChart, Bars
from slaapp.views.common.chart_base import PLOT_HEIGHT
from slaapp.views.common.chart_theme import count, duration, percent

I64 = npt.NDArray[np.int64]
Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Rep", "Team", "Clocks", "Adherence", "Team adherence", "Median response",
           "Team median", "P90 response", "Quality pass", "Breaches")  # fmt: skip
REP, TEAM, CLOCKS, ADHERENCE, TEAM_ADHERENCE, MEDIAN, TEAM_MEDIAN, P90, QUALITY, BREACHES = range(
    len(COLUMNS)
)
WORSE = QColor("#d64541")


def rep_order(cards: RepScorecards, only: Sequence[int] | None = None) -> list[int]:
    """Reps with clocks (or the chosen ones), by team, then lowest adherence first."""
    reps = cards.reps
    chosen = [i for i in range(len(reps)) if reps.clocks[i] > 0] if only is None else list(only)
    team_labels = cards.teams.labels

    def key(i: int) -> tuple[str, float, str]:
        team = cards.team_of(i)
        adherence = float(reps.adherence[i])
        return (team_labels[team] if team >= 0 else "", 2.0 if math.isnan(adherence) else adherence,
                reps.labels[i])  # fmt: skip

    return sorted(chosen, key=key)


class RepScorecardModel(QAbstractTableModel):
    """One row per rep, with the figures of the rep's team beside theirs."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: RepScorecards | None = None
        self.order: list[int] = []

    def set_scorecards(self, cards: RepScorecards | None, order: list[int]) -> None:
        self.beginResetModel()
        self.cards, self.order = cards, order if cards is not None else []
        self.endResetModel()

    def rep_at(self, row: int) -> int:
        return self.order[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cards = self.cards
        if cards is None or not index.isValid() or not 0 <= index.row() < len(self.order):
            return None
        rep, column = self.order[index.row()], index.column()
        team = cards.team_of(rep)
        reps, teams = cards.reps, cards.teams
        if role == Qt.ItemDataRole.DisplayRole:
            values = {
                REP: reps.labels[rep],
                TEAM: teams.labels[team] if team >= 0 else "—",
                CLOCKS: count(reps.clocks[rep]),
                ADHERENCE: percent(reps.adherence[rep]),
                TEAM_ADHERENCE: percent(teams.adherence[team]) if team >= 0 else "—",
                MEDIAN: duration(reps.median_response[rep]),
                TEAM_MEDIAN: duration(teams.median_response[team]) if team >= 0 else "—",
                P90: duration(reps.p90_response[rep]),
                QUALITY: percent(reps.quality_pass_rate[rep]),
                BREACHES: count(reps.late[rep]),
            }
            return values.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= CLOCKS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and team >= 0:
            worse = {
                ADHERENCE: reps.adherence[rep] < teams.adherence[team] - 0.05,
                MEDIAN: reps.median_response[rep] > 1.25 * teams.median_response[team],
            }
            return WORSE if worse.get(column, False) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Double-click to list this rep's clocks"
        return None


class RepScorecardPanel(QWidget):
    """Rep adherence bars with the team average marked, beside the scorecard table.

    Signals: picked(str, object): a caption and the indices of the clocks behind a rep.
    `set_scorecards(cards, goal, only=[...])` shows only some reps (e.g. one person's own card).
    """

    picked = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = BarChart(
            "Rep scorecards",
            "Adherence per rep; the dark tick is the rep's team average (all the team's clocks).",
            empty="No rep owns clocks in this period",
        )
        self.model = RepScorecardModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(
            lambda index: self.pick_rep(self.model.rep_at(index.row()))
        )
        self.chart.picked.connect(self.picked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chart, 2)
        layout.addWidget(self.table, 3)
        self.cards: RepScorecards | None = None

    def set_scorecards(
        self, cards: RepScorecards, goal: float, only: Sequence[int] | None = None
    ) -> None:
        self.cards = cards
        order = rep_order(cards, only)
        self.model.set_scorecards(cards, order)
        reps = cards.reps
        picks = np.array(order, dtype=np.int64)
        reference = cards.reference(cards.teams.adherence)[picks]
        adherence = reps.adherence[picks]
        tips = tuple(self._tooltip(i) for i in order)
        self.chart.set_bars(
            Bars(
                labels=tuple(reps.labels[i] for i in order),
                values=adherence,
                tooltips=tips,
                clocks=lambda row: reps.members.of(order[row]),
                reference=reference,
                reference_name="Team average",
                goal=goal,
                bad=np.nan_to_num(adherence, nan=1.0) < np.nan_to_num(reference, nan=0.0) - 0.05,
            )
        )
        self.chart.plot.setFixedHeight(max(PLOT_HEIGHT, 22 * len(order) + 40))

    def _tooltip(self, rep: int) -> str:
        assert self.cards is not None
        reps, teams = self.cards.reps, self.cards.teams
        team = self.cards.team_of(rep)
        name = teams.labels[team] if team >= 0 else "no team"
        rows = [
            f"<b>{reps.labels[rep]}</b> ({name})",
            f"Adherence {percent(reps.adherence[rep])} — team {percent(teams.adherence[team]) if team >= 0 else '—'}",
            f"Median response {duration(reps.median_response[rep])}, p90 {duration(reps.p90_response[rep])}",
            f"{count(reps.clocks[rep])} clocks, {count(reps.late[rep])} breached",
            f"Quality pass rate {percent(reps.quality_pass_rate[rep])}",
            "<i>Click to list the clocks</i>",
        ]
        return "<br>".join(rows)

    def pick_rep(self, rep: int) -> None:
        if self.cards is not None:
            self.picked.emit(
                f"Clocks owned by {self.cards.reps.labels[rep]}", self.cards.reps.members.of(rep)
            )
