"""Dashboard metrics from clock columns: grouped adherence, response times and quality, vectorised."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import BREACHED, MET, MISSED, OPEN_STATUSES

I8 = npt.NDArray[np.int8]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

DEAL_BANDS = (10_000.0, 50_000.0, 100_000.0)
"""Upper edges of the deal-size bands (the last band is open ended)."""


@dataclass(frozen=True, eq=False)
class ClockColumns:
    """What the metrics need of each clock, as columns of equal length.

    `status` codes index STATUSES (open clocks already judged at the as-of instant);
    `elapsed` and `target` are business seconds; `quality` is -1 null, 0 false, 1 true.
    The definitions match the Excel scorecard (reports/figures.py): adherence is met over met
    plus missed, response times are over met and missed clocks, breaches are missed clocks
    plus open clocks past their target.
    """

    status: I8
    started_at: I64
    elapsed: I64
    target: I64
    quality: I8

    def __len__(self) -> int:
        return int(self.status.shape[0])

    @cached_property
    def closed(self) -> B:
        found: B = (self.status == MET) | (self.status == MISSED)
        return found

    @cached_property
    def late(self) -> B:
        found: B = (self.status == MISSED) | (self.status == BREACHED)
        return found

    @cached_property
    def kind(self) -> I64:
        """Each clock's status and quality in one code (status * 3 + quality + 1), for tallies."""
        found: I64 = self.status.astype(np.int64) * 3 + self.quality.astype(np.int64) + 1
        return found

    @cached_property
    def by_response(self) -> I64:
        """Indices of the met and missed clocks ordered by response time (shared by all groupings)."""
        closed = np.flatnonzero(self.closed)
        order: I64 = closed[np.argsort(self.elapsed[closed])]
        return order

    @cached_property
    def sorted_responses(self) -> F64:
        """Response times of `by_response`, ascending."""
        found: F64 = self.elapsed[self.by_response].astype(np.float64)
        return found


@dataclass(frozen=True, eq=False)
class Members:
    """The clocks behind each group, from a group code per clock (< 0: in no group).

    The index (clocks sorted by group, one radix sort) is built on first use, so charts that
    are never clicked never pay for it; group g holds `order[offsets[g]:offsets[g + 1]]`.
    """

    codes: I64
    groups: int

    @cached_property
    def order(self) -> I64:
        order = np.argsort(small_codes(self.codes, self.groups), kind="stable").astype(np.int64)
        skipped = int(np.count_nonzero(self.codes < 0))
        found: I64 = order[skipped:]
        return found

    @cached_property
    def sizes(self) -> I64:
        valid = self.codes[self.codes >= 0]
        found: I64 = np.bincount(valid, minlength=self.groups)[: self.groups].astype(np.int64)
        return found

    @cached_property
    def offsets(self) -> I64:
        offsets = np.zeros(self.groups + 1, dtype=np.int64)
        np.cumsum(self.sizes, out=offsets[1:])
        return offsets

    def of(self, group: int) -> I64:
        """Clock indices of one group, ascending."""
        return self.order[int(self.offsets[group]) : int(self.offsets[group + 1])]


def small_codes(codes: I64, groups: int) -> npt.NDArray[np.integer]:
    """The same codes in the narrowest integer type, so a stable sort is a radix sort."""
    if groups < np.iinfo(np.int16).max:
        return codes.astype(np.int16)
    return codes.astype(np.int32)


def members(codes: I64, groups: int) -> Members:
    """The clocks behind each of `groups` group codes (codes < 0 belong to no group)."""
    return Members(codes, groups)


@dataclass(frozen=True, eq=False)
class GroupStats:
    """Figures per group (arrays of one value per group; NaN where a figure has no clocks)."""

    labels: tuple[str, ...]
    clocks: I64
    met: I64
    missed: I64
    late: I64
    open: I64
    adherence: F64
    median_response: F64
    p90_response: F64
    quality_pass_rate: F64
    members: Members

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def breach_rate(self) -> F64:
        """Late clocks over all clocks of the group."""
        with np.errstate(invalid="ignore", divide="ignore"):
            rate: F64 = np.where(self.clocks > 0, self.late / np.maximum(self.clocks, 1), np.nan)
        return rate


KINDS = 7 * 3
"""A clock's kind: status * 3 + quality + 1, so one bincount per grouping counts everything."""


def _tally(codes: I64, kind: I64, groups: int) -> I64:
    """Clocks per group and kind, shape (groups, KINDS); clocks with codes < 0 are left out."""
    cell = (codes + 1) * KINDS + kind  # codes < 0 land in the first row, dropped below
    counts = np.bincount(cell, minlength=(groups + 1) * KINDS)[: (groups + 1) * KINDS]
    found: I64 = counts[KINDS:].reshape(groups, KINDS).astype(np.int64)
    return found


def _kind_sum(
    table: I64, statuses: tuple[int, ...], qualities: tuple[int, ...] = (-1, 0, 1)
) -> I64:
    columns = [status * 3 + quality + 1 for status in statuses for quality in qualities]
    found: I64 = table[:, columns].sum(axis=1)
    return found


def _ratio(part: I64, whole: I64) -> F64:
    ratio: F64 = np.full(part.shape, np.nan)
    np.divide(part, whole, out=ratio, where=whole > 0)
    return ratio


def grouped_quantiles(sorted_values: F64, sizes: I64, quantile: float) -> F64:
    """Quantile of each group of `sorted_values` (groups contiguous, ascending inside each),
    interpolated linearly as numpy.percentile and numpy.median do; NaN for empty groups."""
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    found: F64 = np.full(sizes.shape, np.nan)
    some = sizes > 0
    position = quantile * (sizes[some] - 1)
    low = np.floor(position).astype(np.int64)
    high = np.ceil(position).astype(np.int64)
    base = starts[some]
    below, above = sorted_values[base + low], sorted_values[base + high]
    found[some] = below + (above - below) * (position - low)
    return found


def aggregate(
    columns: ClockColumns,
    codes: I64,
    labels: tuple[str, ...] | list[str],
    *,
    responses: bool = True,
) -> GroupStats:
    """Figures of the clocks per group code (one code per clock; -1 means in no group).

    Median and p90 response times only when `responses` (they cost a sort per grouping).
    """
    groups = len(labels)
    table = _tally(codes, columns.kind, groups)
    met, missed = _kind_sum(table, (MET,)), _kind_sum(table, (MISSED,))
    judged = _kind_sum(table, (MET, MISSED), (0, 1))
    median = p90 = np.full(groups, np.nan)
    if responses:
        # Codes in response-time order; a stable radix sort by code keeps each group ascending.
        # Clocks in no group go to an extra last group, so nothing is compacted.
        code = codes[columns.by_response]
        if groups == 1 and bool((code == 0).all()):  # one group of everything: sorted already
            values, sizes = columns.sorted_responses, np.array([code.size], dtype=np.int64)
        else:
            code = np.where(code < 0, groups, code)
            grouped = np.argsort(small_codes(code, groups + 1), kind="stable")
            sizes = np.bincount(code, minlength=groups + 1)[:groups].astype(np.int64)
            values = columns.sorted_responses[grouped]
        median = grouped_quantiles(values, sizes, 0.5)
        p90 = grouped_quantiles(values, sizes, 0.9)
    return GroupStats(
        labels=tuple(labels),
        clocks=table.sum(axis=1),
        met=met,
        missed=missed,
        late=_kind_sum(table, (MISSED, BREACHED)),
        open=_kind_sum(table, OPEN_STATUSES),
        adherence=_ratio(met, met + missed),
        median_response=median,
        p90_response=p90,
        quality_pass_rate=_ratio(_kind_sum(table, (MET, MISSED), (1,)), judged),
        members=members(codes, groups),
    )


def deal_bands(amount: F64, edges: tuple[float, ...] = DEAL_BANDS) -> tuple[I64, tuple[str, ...]]:
    """A band code per amount (NaN goes to the last band, "No amount") and the band labels."""
    codes = np.zeros(amount.shape, dtype=np.int64)
    for edge in edges:  # a few comparisons beat a binary search per amount
        codes += amount >= edge
    codes[np.isnan(amount)] = len(edges) + 1
    labels = [f"Under {_money(edges[0])}"]
    labels += [f"{_money(a)}–{_money(b)}" for a, b in itertools.pairwise(edges)]
    labels += [f"{_money(edges[-1])} and over", "No amount"]
    return codes, tuple(labels)


def _money(value: float) -> str:
    if value >= 1_000_000:
        return f"${value / 1_000_000:g}M"
    if value >= 1_000:
        return f"${value / 1_000:g}k"
    return f"${value:g}"
