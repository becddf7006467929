"""What the dashboard's bar charts show, built from the metrics: breakdowns, response times, headline figures."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QT_TR_NOOP, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from slaapp.engine.metrics import GroupStats
from slaapp.engine.metrics_reps import ResponseDistribution
from slaapp.views.common.chart_bars import BarChart, Bars
from slaapp.views.common.chart_theme import count, duration, percent
from slaapp.views.common.i18n import tr, tr_marked

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
                tr("Adherence {adherence} ({met} met, {missed} missed)").format(
                    adherence=percent(stats.adherence[g]),
                    met=count(stats.met[g]),
                    missed=count(stats.missed[g]),
                ),
                tr("{clocks} clocks, {late} breached ({rate})").format(
                    clocks=count(stats.clocks[g]),
                    late=count(stats.late[g]),
                    rate=percent(stats.breach_rate[g]),
                ),
                tr("Median response {median}, p90 {p90}").format(
                    median=duration(stats.median_response[g]), p90=duration(stats.p90_response[g])
                ),
                tr("<i>Click to list the clocks</i>"),
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
        f"<b>{found.bin_label(b)}</b><br>"
        + tr("{clocks} clocks ({share})").format(
            clocks=count(counts[b]), share=f"{counts[b] / total:.1%}"
        )
        + ("<br>" + tr("<i>Click to list them</i>") if counts[b] else "")
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
        marker_name=tr("Target"),
        percent_axis=False,
    )


class DistributionChart(BarChart):
    """The response-time histogram with its own handoff picker in the header."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            tr("Response time against target"),
            "",
            horizontal=False,
            empty=tr("No met or missed clocks in this period"),
            parent=parent,
        )
        self.found: ResponseDistribution | None = None
        self.handoff = QComboBox()
        self.handoff.setToolTip(tr("The handoff whose response times are shown"))
        self.handoff.setAccessibleName(tr("Handoff of the response-time chart"))
        self.handoff.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.handoff.setMinimumContentsLength(24)  # on its own row: room for a whole name
        self.handoff.setMaximumWidth(300)
        # under the title, not beside it: a narrow card keeps its title on one or two lines
        self.body.insertWidget(1, self.handoff, 0, Qt.AlignmentFlag.AlignLeft)
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
            self.subtitle.setText(tr("Share of the target each met or missed clock used."))
            self.set_bars(Bars((), np.zeros(0), (), lambda _: np.zeros(0, dtype=np.int64)))
            return
        stats = found.handoff
        self.subtitle.setText(
            tr(
                "Share of its target each met or missed clock used; median {median}, "
                "p90 {p90}, {adherence} within target."
            ).format(
                median=duration(stats.median_response[h]),
                p90=duration(stats.p90_response[h]),
                adherence=percent(stats.adherence[h]),
            )
        )
        self.set_bars(distribution_bars(found, int(h)))


class HeadlineFigures(QFrame):
    """The period's figures in large type: clocks, adherence, breaches, response times, quality."""

    NAMES = (
        QT_TR_NOOP("Clocks"),
        QT_TR_NOOP("Adherence"),
        QT_TR_NOOP("Breaches"),
        QT_TR_NOOP("Median response"),
        QT_TR_NOOP("P90 response"),
        QT_TR_NOOP("Quality pass rate"),
    )
    """The tiles, by their untranslated names (shown translated)."""

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
            caption = QLabel(tr_marked(name))
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
            "Adherence": tr("{met} met of {judged} judged; goal {goal}").format(
                met=count(summary.met[0]), judged=count(judged), goal=f"{goal:.0%}"
            ),
            "Breaches": tr("Missed clocks plus open clocks already past their target"),
            "Clocks": tr("{open} still open").format(open=count(summary.open[0])),
        }
        for name, label in self.values.items():
            label.setText(texts[name])
            label.setToolTip(tips.get(name, ""))
