"""Rep scorecards: each rep's adherence, response times, volume and quality beside their team's."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QT_TR_NOOP, QObject, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from slaapp.engine.metrics_reps import RepScorecards
from slaapp.views.common.chart_bars import BarChart, Bars
from slaapp.views.common.chart_base import PLOT_HEIGHT
from slaapp.views.common.chart_theme import count, duration, percent
from slaapp.views.common.i18n import tr, tr_marked, translated
from slaapp.views.common.table_model import Column, TableModel

WORSE = QColor("#d64541")
TABLE_HEIGHT = 260
"""The scorecard table's height under the bars: about eight reps, the rest scroll."""
TIP = QT_TR_NOOP("Double-click to list this rep's clocks")


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


@dataclass(frozen=True)
class RepRow:
    """One rep's figures beside their team's (NaN where unknown or without a team)."""

    rep: int
    name: str
    team: str
    clocks: int
    adherence: float
    team_adherence: float
    median: float
    team_median: float
    p90: float
    quality: float
    breaches: int


def rep_rows(cards: RepScorecards, order: Sequence[int]) -> list[RepRow]:
    reps, teams = cards.reps, cards.teams
    rows: list[RepRow] = []
    for rep in order:
        team = cards.team_of(rep)

        def of_team(values: npt.NDArray[np.float64], team: int = team) -> float:
            return float(values[team]) if team >= 0 else math.nan

        rows.append(
            RepRow(rep, reps.labels[rep], teams.labels[team] if team >= 0 else "—",
                   int(reps.clocks[rep]), float(reps.adherence[rep]), of_team(teams.adherence),
                   float(reps.median_response[rep]), of_team(teams.median_response),
                   float(reps.p90_response[rep]), float(reps.quality_pass_rate[rep]),
                   int(reps.late[rep]))
        )  # fmt: skip
    return rows


def _worse(bad: bool) -> QColor | None:
    return WORSE if bad else None


REP_COLUMNS: tuple[Column[RepRow], ...] = (
    Column(QT_TR_NOOP("Rep"), lambda r: r.name, lambda r: tr_marked(TIP)),
    Column(QT_TR_NOOP("Team"), lambda r: r.team, lambda r: tr_marked(TIP)),
    Column(QT_TR_NOOP("Clocks"), lambda r: r.clocks, lambda r: tr_marked(TIP), numeric=True),
    Column(QT_TR_NOOP("Adherence"), lambda r: r.adherence, lambda r: tr_marked(TIP), numeric=True, display=percent,
           foreground=lambda r: _worse(r.adherence < r.team_adherence - 0.05)),
    Column(QT_TR_NOOP("Team adherence"), lambda r: r.team_adherence, lambda r: tr_marked(TIP), numeric=True,
           display=percent),
    Column(QT_TR_NOOP("Median response"), lambda r: r.median, lambda r: tr_marked(TIP), numeric=True, display=duration,
           foreground=lambda r: _worse(r.median > 1.25 * r.team_median)),
    Column(QT_TR_NOOP("Team median"), lambda r: r.team_median, lambda r: tr_marked(TIP), numeric=True,
           display=duration),
    Column(QT_TR_NOOP("P90 response"), lambda r: r.p90, lambda r: tr_marked(TIP), numeric=True, display=duration),
    Column(QT_TR_NOOP("Quality pass"), lambda r: r.quality, lambda r: tr_marked(TIP), numeric=True, display=percent),
    Column(QT_TR_NOOP("Breaches"), lambda r: r.breaches, lambda r: tr_marked(TIP), numeric=True),
)  # fmt: skip


class RepScorecardModel(TableModel[RepRow]):
    """One row per rep, with the figures of the rep's team beside theirs."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(translated(REP_COLUMNS), parent)

    def set_scorecards(self, cards: RepScorecards | None, order: Sequence[int]) -> None:
        self.set_rows(rep_rows(cards, order) if cards is not None else ())

    def rep_at(self, row: int) -> int:
        return self.row(row).rep


class RepScorecardPanel(QWidget):
    """Rep adherence bars with the team average marked, beside the scorecard table.

    Signals: picked(str, object): a caption and the indices of the clocks behind a rep.
    `set_scorecards(cards, goal, only=[...])` shows only some reps (e.g. one person's own card).
    """

    picked = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = BarChart(
            tr("Rep scorecards"),
            tr(
                "Adherence per rep; the dark tick is the rep's team average (all the team's clocks)."
            ),
            empty=tr("No rep owns clocks in this period"),
        )
        self.model = RepScorecardModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.table.setMinimumHeight(TABLE_HEIGHT)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(
            lambda index: self.pick_rep(self.model.rep_at(index.row()))
        )
        self.chart.picked.connect(self.picked)
        # The bars above the table: ten columns need the page's whole width at 1280 px.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chart, 3)
        layout.addWidget(self.table, 2)
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
        name = teams.labels[team] if team >= 0 else tr("no team")
        rows = [
            f"<b>{reps.labels[rep]}</b> ({name})",
            tr("Adherence {adherence} — team {team}").format(
                adherence=percent(reps.adherence[rep]),
                team=percent(teams.adherence[team]) if team >= 0 else "—",
            ),
            tr("Median response {median}, p90 {p90}").format(
                median=duration(reps.median_response[rep]), p90=duration(reps.p90_response[rep])
            ),
            tr("{clocks} clocks, {late} breached").format(
                clocks=count(reps.clocks[rep]), late=count(reps.late[rep])
            ),
            tr("Quality pass rate {rate}").format(rate=percent(reps.quality_pass_rate[rep])),
            tr("<i>Click to list the clocks</i>"),
        ]
        return "<br>".join(rows)

    def pick_rep(self, rep: int) -> None:
        if self.cards is not None:
            self.picked.emit(
                tr("Clocks owned by {rep}").format(rep=self.cards.reps.labels[rep]),
                self.cards.reps.members.of(rep),
            )
