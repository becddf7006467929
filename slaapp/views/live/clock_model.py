"""Table model over a ClockTable: numpy columns sorted and filtered in the model, coloured by status."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QT_TR_NOOP, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from slaapp.engine.calendar import Calendar
from slaapp.engine.clocks import (
    AT_RISK,
    BREACHED,
    CANCELLED,
    MET,
    MISSED,
    ON_TRACK,
    OPEN_STATUSES,
    PAUSED,
    STATUSES,
    ClockTable,
)
from slaapp.engine.duration_terms import rule_terms
from slaapp.engine.durations import TimeTerms, describe_remaining, describe_share
from slaapp.engine.explain import explain_due
from slaapp.engine.matrix import DEFAULT_SEGMENT, Matrix
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.common.times import display_zone, shown, zone_note

COLUMNS = (
    QT_TR_NOOP("Record"),
    QT_TR_NOOP("Source"),
    QT_TR_NOOP("Handoff"),
    QT_TR_NOOP("Segment"),
    QT_TR_NOOP("Owner"),
    QT_TR_NOOP("Started"),
    QT_TR_NOOP("Due"),
    QT_TR_NOOP("Remaining"),
    QT_TR_NOOP("% elapsed"),
    QT_TR_NOOP("Status"),
    QT_TR_NOOP("Risk"),
)
RECORD, SOURCE, HANDOFF, SEGMENT, OWNER, STARTED, DUE, REMAINING, PCT, STATUS, RISK = range(
    len(COLUMNS)
)
COLUMN_TIPS = {
    RECORD: QT_TR_NOOP("The record's id in the CRM or file it came from"),
    SOURCE: QT_TR_NOOP("Where the record came from: a CRM connection, a file import or the demo"),
    REMAINING: QT_TR_NOOP(
        "Time left in the rule's own terms: business days of its calendar, or days of 24 h"
    ),
    PCT: QT_TR_NOOP("Share of the target used so far"),
    RISK: QT_TR_NOOP("Breach risk: how likely this open clock is to breach, from past clocks"),
}
WHOLE_TEXT_TIPS = frozenset({RECORD, SOURCE, SEGMENT, OWNER, STARTED, REMAINING, STATUS})
STATUS_LABELS = {
    ON_TRACK: QT_TR_NOOP("On track"),
    AT_RISK: QT_TR_NOOP("At risk"),
    PAUSED: QT_TR_NOOP("Paused"),
    BREACHED: QT_TR_NOOP("Breached"),
    MET: QT_TR_NOOP("Met"),
    MISSED: QT_TR_NOOP("Missed"),
    CANCELLED: QT_TR_NOOP("Cancelled"),
}
STATUS_COLOURS = {
    ON_TRACK: QColor("#2e9d5b"),
    AT_RISK: QColor("#d99a00"),
    PAUSED: QColor("#7a869a"),
    BREACHED: QColor("#d64541"),
    MET: QColor("#2e9d5b"),
    MISSED: QColor("#d64541"),
    CANCELLED: QColor("#7a869a"),
}
Index = QModelIndex | QPersistentModelIndex


def _rank(codes: npt.NDArray[np.int32], values: tuple[str, ...]) -> npt.NDArray[np.int64]:
    """Sort keys for coded text: the position of each value in alphabetical order (-1 first)."""
    order = np.argsort(np.array([v.lower() for v in values], dtype=object), kind="stable")
    rank = np.empty(len(values) + 1, dtype=np.int64)
    rank[order] = np.arange(len(values))
    rank[-1] = -1
    return rank[codes]


class ClockTableModel(QAbstractTableModel):
    """Rows are a permutation of the clocks kept as an index array; sort and filter rebuild it."""

    def __init__(self) -> None:
        super().__init__()
        self._clocks: ClockTable | None = None
        self._rows = np.zeros(0, dtype=np.int64)
        self._names: dict[str, str] = {}
        self._record_ids: tuple[str, ...] = ()  # CRM id per record code
        self._sources: tuple[str, ...] = ()  # distinct sources
        self._source = np.zeros(0, dtype=np.int32)  # source code per record code
        self._matrix: Matrix | None = None
        self._statuses: frozenset[int] = frozenset(range(len(STATUSES)))
        self._search = ""
        self._owners: np.ndarray | None = None  # allowed owner codes (team/person filters)
        self._handoff: int | None = None
        self._segment: int | None = None
        self._sort: tuple[int, Qt.SortOrder] = (DUE, Qt.SortOrder.AscendingOrder)
        self._people: dict[str, str] = {}
        self._now = 0
        self._rules: dict[tuple[int, int], tuple[Calendar, float] | None] = {}
        self._terms: dict[tuple[int, int], TimeTerms] = {}
        self._live: dict[int, int] = {}  # remaining seconds at this tick, per clock shown
        self._risk: np.ndarray | None = None  # breach probability per clock (nan: closed)
        self._risk_threshold = 1.0
        self._risk_note = ""

    # ----- contents ------------------------------------------------------------------
    def set_clocks(
        self,
        clocks: ClockTable,
        names: dict[str, str],
        matrix: Matrix | None = None,
        people: dict[str, str] | None = None,
        external_ids: tuple[str, ...] = (),
        sources: tuple[str, ...] = (),
    ) -> None:
        """Show these clocks; `names` maps handoff and segment keys to the names users know.

        With the matrix, the Due column's tooltip explains each due time and countdowns
        tick in each rule's business calendar; `people` maps owner keys to names.
        `external_ids` and `sources` (per record code) fill the Record and Source columns.
        """
        self.beginResetModel()
        self._clocks = clocks
        self._names = names
        n = len(clocks.records)
        self._record_ids = external_ids if len(external_ids) == n else clocks.records
        known = sources if len(sources) == n else ("",) * n
        self._sources = tuple(sorted(set(known)))
        code = {source: c for c, source in enumerate(self._sources)}
        self._source = np.array([code[source] for source in known], dtype=np.int32)
        self._matrix = matrix
        self._people = people or {}
        self._now = clocks.as_of
        self._rules = {}
        self._terms = {}
        self._live = {}
        self._risk = None
        self._rows = self._visible_rows()
        self._apply_sort()
        self.endResetModel()

    def clear(self) -> None:
        """Show no clocks at all (the database was emptied)."""
        self.beginResetModel()
        self._clocks = self._matrix = self._risk = None
        self._rows = np.zeros(0, dtype=np.int64)
        self._rules, self._terms, self._live = {}, {}, {}
        self.endResetModel()

    def set_risk(self, risk: np.ndarray | None, threshold: float, note: str) -> None:
        """Breach probabilities aligned with the clocks (from the insights predictor)."""
        self._risk, self._risk_threshold, self._risk_note = risk, threshold, note
        if self._rows.size:
            self.dataChanged.emit(self.index(0, RISK), self.index(int(self._rows.size) - 1, RISK))

    def clocks(self) -> ClockTable | None:
        return self._clocks

    def visible_rows(self) -> np.ndarray:
        """Clock positions of the rows shown, in their order."""
        return self._rows.copy()

    def clock_index(self, row: int) -> int:
        return int(self._rows[row])

    def set_filter(
        self,
        statuses: frozenset[int],
        search: str,
        *,
        owners: set[str] | None = None,
        handoff: str | None = None,
        segment: str | None = None,
    ) -> None:
        """Keep clocks in `statuses` matching `search`, owned by `owners`, of a handoff/segment."""
        self.layoutAboutToBeChanged.emit()
        self._statuses = statuses
        self._search = search.strip().lower()
        clocks = self._clocks
        self._owners = self._handoff = self._segment = None
        if clocks is not None:
            if owners is not None:
                self._owners = np.array(
                    [i for i, key in enumerate(clocks.owners) if key in owners], dtype=np.int32
                )
            if handoff is not None:
                self._handoff = _code(clocks.handoff_keys, handoff)
            if segment is not None:
                self._segment = _code(clocks.segment_keys, segment)
        self._rows = self._visible_rows()
        self._apply_sort()
        self.layoutChanged.emit()

    def counts(self) -> dict[int, int]:
        if self._clocks is None:
            return {}
        found = np.bincount(self._clocks.status[self._rows], minlength=len(STATUSES))
        return {status: int(n) for status, n in enumerate(found) if n}

    def _visible_rows(self) -> np.ndarray:
        clocks = self._clocks
        if clocks is None:
            return np.zeros(0, dtype=np.int64)
        keep = np.isin(clocks.status, np.array(sorted(self._statuses), dtype=np.int8))
        if self._search:
            text = self._search
            record_hit = np.array([text in r.lower() for r in clocks.records] + [False])
            owner_hit = np.array([text in o.lower() for o in clocks.owners] + [False])
            name_hit = np.array(
                [text in self._people.get(o, "").lower() for o in clocks.owners] + [False]
            )
            keep &= record_hit[clocks.record] | owner_hit[clocks.owner] | name_hit[clocks.owner]
        if self._owners is not None:
            keep &= np.isin(clocks.owner, self._owners)
        if self._handoff is not None:
            keep &= clocks.handoff == self._handoff
        if self._segment is not None:
            keep &= clocks.segment == self._segment
        return np.flatnonzero(keep)

    # ----- sorting -------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        clocks = self._clocks
        if clocks is None or self._rows.size == 0:
            return
        column, order = self._sort
        rows = self._rows
        key = self._sort_key(clocks, column)[rows]
        permutation = np.argsort(key, kind="stable")
        if order == Qt.SortOrder.DescendingOrder:
            permutation = permutation[::-1]
        self._rows = rows[permutation]

    def _sort_key(self, clocks: ClockTable, column: int) -> np.ndarray:
        if column == RECORD:
            return _rank(clocks.record, self._record_ids)
        if column == SOURCE:
            return _rank(self._source, self._sources)[clocks.record]
        if column == HANDOFF:
            return clocks.handoff
        if column == SEGMENT:
            return clocks.segment
        if column == OWNER:
            return _rank(clocks.owner, clocks.owners)
        if column == STARTED:
            return clocks.started_at
        if column == DUE:
            return np.where(clocks.has_due, clocks.due_at, np.iinfo(np.int64).max)
        if column == REMAINING:
            return clocks.remaining
        if column == PCT:
            return clocks.pct_elapsed
        if column == RISK:
            return np.nan_to_num(self._risk, nan=-1.0) if self._risk is not None else clocks.status
        return clocks.status

    # ----- Qt model API ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self._rows.size)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr_marked(COLUMNS[section])
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            tip = COLUMN_TIPS.get(section)
            return zone_note() if section in (STARTED, DUE) else tr_marked(tip) if tip else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        clocks = self._clocks
        if clocks is None or not index.isValid() or not 0 <= index.row() < self._rows.size:
            return None
        i = int(self._rows[index.row()])
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(clocks, i, column)
        if role == Qt.ItemDataRole.ForegroundRole and column in (STATUS, REMAINING):
            return STATUS_COLOURS[self.live_status(i)]
        if role == Qt.ItemDataRole.ForegroundRole and column == RISK and self._risky(i):
            return STATUS_COLOURS[BREACHED]
        if role == Qt.ItemDataRole.ToolTipRole and column == RISK:
            return self._risk_note or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (REMAINING, PCT, RISK):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == HANDOFF:
            return self._names.get(clocks.handoff_keys[int(clocks.handoff[i])])
        if role == Qt.ItemDataRole.ToolTipRole and column == DUE:
            return self.explain(i)
        if role == Qt.ItemDataRole.ToolTipRole and column in WHOLE_TEXT_TIPS:
            return self._text(clocks, i, column) or None  # the whole text of an elided cell
        if role == Qt.ItemDataRole.UserRole:
            return self.live_status(i)
        return None

    # ----- countdowns ------------------------------------------------------------------
    def tick(self, now: int, first: int, last: int) -> None:
        """Move countdowns to `now`, repainting only rows first..last (those on screen)."""
        self._now = now
        self._live.clear()
        if self._rows.size == 0 or first < 0:
            return
        last = min(max(last, first), int(self._rows.size) - 1)
        self.dataChanged.emit(
            self.index(first, REMAINING),
            self.index(last, STATUS),
            [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
        )

    def _rule(self, i: int) -> tuple[Calendar, float] | None:
        clocks, matrix = self._clocks, self._matrix
        assert clocks is not None
        key = (int(clocks.handoff[i]), int(clocks.segment[i]))
        if key not in self._rules:
            found: tuple[Calendar, float] | None = None
            if matrix is not None:
                try:
                    handoff = matrix.handoff(clocks.handoff_keys[key[0]])
                    segment = clocks.segment_keys[key[1]]
                    segment = segment if segment in handoff.rules else DEFAULT_SEGMENT
                    found = (
                        matrix.calendar(handoff.rule_calendar(segment)),
                        handoff.rule_at_risk(segment),
                    )
                except KeyError:
                    found = None
            self._rules[key] = found
        return self._rules[key]

    def terms(self, i: int) -> TimeTerms:
        """The terms clock `i`'s durations are said in: its rule's business days, or 24-hour days."""
        clocks = self._clocks
        assert clocks is not None
        key = (int(clocks.handoff[i]), int(clocks.segment[i]))
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = rule_terms(
                self._matrix, clocks.handoff_keys[key[0]], clocks.segment_keys[key[1]]
            )
        return found

    def _running(self, i: int) -> bool:
        clocks = self._clocks
        assert clocks is not None
        status = int(clocks.status[i])
        return status in (ON_TRACK, AT_RISK, BREACHED) and bool(clocks.has_due[i])

    def live_remaining(self, i: int) -> int:
        """Business seconds left at the current tick (negative once late)."""
        found = self._live.get(i)
        if found is not None:
            return found
        clocks = self._clocks
        assert clocks is not None
        remaining = int(clocks.target[i] - clocks.elapsed[i])
        rule = self._rule(i) if self._now > clocks.as_of and self._running(i) else None
        if rule is not None:
            calendar, due = rule[0], int(clocks.due_at[i])
            remaining = (
                calendar.elapsed(self._now, due)
                if self._now <= due
                else -calendar.elapsed(due, self._now)
            )
        self._live[i] = remaining
        return remaining

    def live_share(self, i: int) -> float:
        clocks = self._clocks
        assert clocks is not None
        target = float(clocks.target[i])
        return (target - self.live_remaining(i)) / target

    def live_status(self, i: int) -> int:
        clocks = self._clocks
        assert clocks is not None
        status = int(clocks.status[i])
        if self._now <= clocks.as_of or not self._running(i):
            return status
        rule = self._rule(i)
        if rule is None:
            return status
        if self.live_remaining(i) < 0:
            return BREACHED
        return AT_RISK if self.live_share(i) >= rule[1] else ON_TRACK

    def explain(self, i: int) -> str | None:
        """Why clock `i` is due when it is, in words (None without the matrix)."""
        clocks, matrix = self._clocks, self._matrix
        if clocks is None or matrix is None:
            return None
        key, segment = (
            clocks.handoff_keys[int(clocks.handoff[i])],
            clocks.segment_keys[int(clocks.segment[i])],
        )
        try:
            handoff = matrix.handoff(key)
            calendar = matrix.calendar(handoff.rule_calendar(segment))
        except KeyError:  # judged by an older version that the latest one changed
            return None
        due = int(clocks.due_at[i]) if clocks.has_due[i] else None
        zone = display_zone()
        explained = explain_due(
            calendar, int(clocks.started_at[i]), due, int(clocks.paused[i]), zone
        )
        return f"{explained} ({zone_note().lower()})"

    def _text(self, clocks: ClockTable, i: int, column: int) -> str:
        if column == RECORD:
            return self._record_ids[int(clocks.record[i])]
        if column == SOURCE:
            return self._sources[int(self._source[int(clocks.record[i])])]
        if column == HANDOFF:
            key = clocks.handoff_keys[int(clocks.handoff[i])]
            return self._names.get(key, key)
        if column == SEGMENT:
            key = clocks.segment_keys[int(clocks.segment[i])]
            return self._names.get(key, key)
        if column == OWNER:
            owner = int(clocks.owner[i])
            return (
                "—" if owner < 0 else self._people.get(clocks.owners[owner], clocks.owners[owner])
            )
        if column == STARTED:
            return _local(int(clocks.started_at[i]))
        if column == DUE:
            return _local(int(clocks.due_at[i])) if clocks.has_due[i] else tr("paused")
        if column == REMAINING:
            remaining = self.live_remaining(i)
            if int(clocks.status[i]) not in OPEN_STATUSES:
                return ""
            return describe_remaining(remaining, self.terms(i))
        if column == PCT:
            return describe_share(self.live_share(i))
        if column == RISK:
            risk = float(self._risk[i]) if self._risk is not None else float("nan")
            return "" if risk != risk or int(clocks.status[i]) == BREACHED else f"{risk:.0%}"
        return status_words(self.live_status(i))

    def _risky(self, i: int) -> bool:
        return self._risk is not None and float(self._risk[i]) >= self._risk_threshold


def status_words(status: int) -> str:
    """A status as the user reads it: `On track`, in their language."""
    return tr_marked(STATUS_LABELS[status])


def _code(keys: tuple[str, ...], key: str) -> int:
    return keys.index(key) if key in keys else -2  # -2 matches no clock


def _local(epoch: int) -> str:
    return shown(epoch)
