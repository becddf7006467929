"""What the dashboard's bar charts show, built from the metrics: breakdowns, response times, headline figures."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from slaapp.engine.metrics import GroupStats
from slaapp.engine.metrics_reps import ResponseDistribution
from slaapp.views.common.chart_bars import BarChart, Bars
from slaapp.views.common.chart_theme import count, duration, percent

WORSE_BY = 0.05
"""A group is flagged when its adherence is this far under the whole period's."""


def breakdown_bars(stats: GroupStats, goal: float, overall: float) -> Bars:
    """Adherence per group that has clocks, with its figures in the tooltip; groups more than
    WORSE_BY under the `overall` adherence are drawn in the warning colour."""
    groups = [g for g in range(len(stats)) if stats.clocks[g] > 0]
    adherence = stats.adherence[np.array(groups, dtype=np.int64)]
    tips = tuple(
        "<br>".join(
            (
                f"<b>{stats.labels[g]}</b>",
                f"Adherence {percent(stats.adherence[g])} ({count(stats.met[g])} met, {count(stats.missed[g])} missed)",
                f"{count(stats.clocks[g])} clocks, {count(stats.late[g])} breached ({percent(stats.breach_rate[g])})",
                f"Median response {duration(stats.median_response[g])}, p90 {duration(stats.p90_response[g])}",
                "<i>Click to list the clocks</i>",
            )
        )
        for g in groups
    )
    return Bars(
        labels=tuple(stats.labels[g] for g in groups),
        values=adherence,
        tooltips=tips,
        clocks=lambda row: stats.members.of(groups[row]),
        goal=goal,
        bad=np.nan_to_num(adherence, nan=1.0) < overall - WORSE_BY,
    )


def distribution_bars(found: ResponseDistribution, handoff: int) -> Bars:
    """Met and missed clocks of one handoff by response time as a share of their target."""
    counts = found.counts[handoff]
    total = max(int(counts.sum()), 1)
    over_target = np.array([found.edges[b] >= 1.0 for b in range(found.bins)])
    tips = tuple(
        f"<b>{found.bin_label(b)}</b><br>{count(counts[b])} clocks ({counts[b] / total:.1%})"
        + ("<br><i>Click to list them</i>" if counts[b] else "")
        for b in range(found.bins)
    )
    ticks = [(b - 0.5, f"{found.edges[b]:.0%}") for b in range(0, found.bins, 5)]
    return Bars(
        labels=tuple(found.bin_label(b) for b in range(found.bins)),
        values=counts.astype(np.float64),
        tooltips=tips,
        clocks=lambda b: found.members.of(found.group(handoff, b)),
        bad=over_target,
        value_text=lambda v: "" if v == 0 else f"{v:,.0f}",
        ticks=ticks,
        marker=found.edges.index(1.0) - 0.5 if 1.0 in found.edges else None,
        marker_name="Target",
        percent_axis=False,
    )


class DistributionChart(BarChart):
    """The response-time histogram with its own handoff picker in the header."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Response time against target",
            "",
            horizontal=False,
            empty="No met or missed clocks in this period",
            parent=parent,
        )
        self.found: ResponseDistribution | None = None
        self.handoff = QComboBox()
        self.handoff.setToolTip("The handoff whose response times are shown")
        self.handoff.setAccessibleName("Handoff of the response-time chart")
        self.handoff.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.handoff.setMinimumContentsLength(14)
        self.handoff.setMaximumWidth(260)
        self.header.insertWidget(2, self.handoff)
        self.handoff.currentIndexChanged.connect(self._show_handoff)

    def set_distribution(self, found: ResponseDistribution, prefer: int | None = None) -> None:
        self.found = found
        chosen = self.handoff.currentData()
        self.handoff.blockSignals(True)
        self.handoff.clear()
        busiest = np.argsort(-found.counts.sum(axis=1), kind="stable")
        for h in range(len(found.handoffs)):
            if found.counts[h].sum() > 0:
                self.handoff.addItem(found.handoffs[h], h)
        wanted = prefer if prefer is not None else chosen
        index = self.handoff.findData(wanted) if wanted is not None else -1
        if index < 0 and len(busiest):
            index = max(self.handoff.findData(int(busiest[0])), 0)
        self.handoff.setCurrentIndex(index)
        self.handoff.blockSignals(False)
        self._show_handoff()

    def _show_handoff(self) -> None:
        found, h = self.found, self.handoff.currentData()
        if found is None or h is None:
            self.subtitle.setText("Share of the target each met or missed clock used.")
            self.set_bars(Bars((), np.zeros(0), (), lambda _: np.zeros(0, dtype=np.int64)))
            return
        stats = found.handoff
        self.subtitle.setText(
            f"Share of its target each met or missed clock used; median {duration(stats.median_response[h])}, "
            f"p90 {duration(stats.p90_response[h])}, {percent(stats.adherence[h])} within target."
        )
        self.set_bars(distribution_bars(found, int(h)))


class HeadlineFigures(QFrame):
    """The period's figures in large type: clocks, adherence, breaches, response times, quality."""

    NAMES = (
        "Clocks",
        "Adherence",
        "Breaches",
        "Median response",
        "P90 response",
        "Quality pass rate",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict[str, QLabel] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for name in self.NAMES:
            tile = QFrame()
            tile.setFrameShape(QFrame.Shape.StyledPanel)
            inner = QVBoxLayout(tile)
            value = QLabel("—")
            font = QFont(value.font())
            font.setPointSizeF(font.pointSizeF() * 1.8)
            font.setBold(True)
            value.setFont(font)
            caption = QLabel(name)
            caption.setEnabled(False)
            inner.addWidget(value)
            inner.addWidget(caption)
            layout.addWidget(tile, 1)
            self.values[name] = value

    def set_figures(self, summary: GroupStats, goal: float) -> None:
        judged = int(summary.met[0] + summary.missed[0])
        texts = {
            "Clocks": count(summary.clocks[0]),
            "Adherence": percent(summary.adherence[0]),
            "Breaches": count(summary.late[0]),
            "Median response": duration(summary.median_response[0]),
            "P90 response": duration(summary.p90_response[0]),
            "Quality pass rate": percent(summary.quality_pass_rate[0]),
        }
        tips = {
            "Adherence": f"{count(summary.met[0])} met of {count(judged)} judged; goal {goal:.0%}",
            "Breaches": "Missed clocks plus open clocks already past their target",
            "Clocks": f"{count(summary.open[0])} still open",
        }
        for name, label in self.values.items():
            label.setText(texts[name])
            label.setToolTip(tips.get(name, ""))
