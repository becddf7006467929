"""Adherence figures and ranked causes from clock columns (numpy), shared by every report."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import BREACHED, CANCELLED, MET, MISSED, OPEN_STATUSES, ClockTable
from slaapp.reports.scorecard import Cause, Figures

B = npt.NDArray[np.bool_]


def adherence_of(status: npt.NDArray[np.int8]) -> float | None:
    """met / (met + missed + open breached) of these statuses (DESIGN 7a); None if none counts."""
    met = int((status == MET).sum())
    counted = met + int((status == MISSED).sum()) + int((status == BREACHED).sum())
    return met / counted if counted else None


def figures(
    clocks: ClockTable, rows: npt.NDArray[np.int64], amounts: npt.NDArray[np.float64]
) -> Figures:
    """Figures of the clocks at `rows`; `amounts` is the deal value per record code (NaN unknown)."""
    if rows.size == 0:
        return Figures()
    status = clocks.status[rows]
    met, missed = int((status == MET).sum()), int((status == MISSED).sum())
    closed = (status == MET) | (status == MISSED)
    elapsed = clocks.elapsed[rows][closed].astype(np.float64)
    quality = clocks.quality[rows][closed]
    judged = quality >= 0
    late = (status == MISSED) | (status == BREACHED)
    late_records = np.unique(clocks.record[rows][late])
    at_stake = amounts[late_records]
    return Figures(
        clocks=int(rows.size),
        met=met,
        missed=missed,
        open=int(np.isin(status, OPEN_STATUSES).sum()),
        breached_open=int((status == BREACHED).sum()),
        cancelled=int((status == CANCELLED).sum()),
        adherence=adherence_of(status),
        median_response_seconds=float(np.median(elapsed)) if elapsed.size else None,
        mean_response_seconds=float(elapsed.mean()) if elapsed.size else None,
        p90_response_seconds=float(np.percentile(elapsed, 90)) if elapsed.size else None,
        quality_pass_rate=float((quality[judged] == 1).mean()) if judged.any() else None,
        revenue_at_stake=float(np.nansum(at_stake)) if at_stake.size else 0.0,
    )


def late_mask(clocks: ClockTable) -> B:
    mask: B = (clocks.status == MISSED) | (clocks.status == BREACHED)
    return mask


def causes(
    clocks: ClockTable,
    rows: npt.NDArray[np.int64],
    amounts: npt.NDArray[np.float64],
    groupings: Sequence[tuple[str, npt.NDArray[np.int64], Sequence[str]]],
    limit: int = 6,
) -> tuple[Cause, ...]:
    """The groups holding the most breaches, across several ways of grouping the clocks.

    Each grouping is (how to say it, a code per clock, the label per code); a group is a
    cause when it holds a larger share of the breaches than of the clocks. Each late clock
    counts under one cause only (the largest that holds it), so the shares add up to at most 1.
    """
    late = late_mask(clocks)[rows]
    total_late = int(late.sum())
    if total_late == 0:
        return ()
    candidates: list[tuple[str, npt.NDArray[np.int64]]] = []
    for template, codes, labels in groupings:
        group = codes[rows]
        valid = group >= 0
        breaches = np.bincount(group[valid & late], minlength=len(labels))
        volume = np.bincount(group[valid], minlength=len(labels))
        for code in np.flatnonzero(breaches):
            if breaches[code] / total_late <= volume[code] / max(int(valid.sum()), 1):
                continue  # no more late than its share of the work
            candidates.append((template.format(labels[int(code)]), rows[(group == code) & late]))
    candidates.sort(key=lambda c: (-c[1].size, c[0]))
    counted = np.zeros(0, dtype=np.int64)
    found: list[Cause] = []
    for text, members in candidates:
        mine = np.setdiff1d(members, counted)
        if mine.size == 0:
            continue
        counted = np.union1d(counted, mine)
        value = float(np.nansum(amounts[np.unique(clocks.record[mine])]))
        found.append(Cause(text, int(mine.size), mine.size / total_late, value))
    found.sort(key=lambda c: (-c.breaches, c.text))
    return tuple(found[:limit])
