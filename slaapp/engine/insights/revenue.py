"""Revenue impact: breached value per handoff, conversion by response-time band, value at stake."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import AT_RISK, BREACHED, MET, MISSED
from slaapp.engine.insights.frame import Frame

B = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]

BAND_EDGES = (0.5, 1.0, 2.0)
"""Response time as a share of the target: within half, within target, up to twice, beyond."""
BAND_LABELS = ("within half the target", "within the target", "up to twice the target",
               "over twice the target")  # fmt: skip
MIN_CONVERSION_CLOCKS = 30
PRIOR_WEIGHT = 10.0


@dataclass(frozen=True)
class ConversionBand:
    label: str
    clocks: int
    converted: int

    @property
    def rate(self) -> float | None:
        return self.converted / self.clocks if self.clocks else None


@dataclass(frozen=True)
class HandoffRevenue:
    """One handoff's breaches by value and, where records can still convert, conversion by band."""

    handoff: str
    breaches: int
    breached_value: float
    bands: tuple[ConversionBand, ...]  # empty where the outcome does not follow this handoff
    open_value: float
    at_stake_value: float  # records of open clocks at risk or breached


@dataclass(frozen=True)
class RevenueImpact:
    """Per handoff, and totals over distinct records (a record late on two handoffs counts once)."""

    handoffs: tuple[HandoffRevenue, ...]
    outcome_event: str
    breached_value: float
    at_stake_value: float


def band_rates(bands: tuple[ConversionBand, ...]) -> F64:
    """Band conversion rates shrunk toward the overall rate (a band without clocks gets it)."""
    clocks = np.array([b.clocks for b in bands], dtype=np.float64)
    converted = np.array([b.converted for b in bands], dtype=np.float64)
    overall = converted.sum() / max(clocks.sum(), 1.0)
    rates: F64 = (converted + PRIOR_WEIGHT * overall) / (clocks + PRIOR_WEIGHT)
    return rates


def band_of(share: F64) -> npt.NDArray[np.int64]:
    """Band index of each response time given as a share of the target."""
    return np.searchsorted(np.array(BAND_EDGES), share, side="left").astype(np.int64)


def conversion_bands(frame: Frame, rows: npt.NDArray[np.int64]) -> tuple[ConversionBand, ...]:
    """Conversion of closed clocks by band; empty when these clocks' records cannot convert."""
    clocks = frame.inputs.clocks
    status = clocks.status[rows]
    closed = rows[((status == MET) | (status == MISSED)) & frame.eligible[rows]]
    outcome = frame.converted[closed]
    if closed.size < MIN_CONVERSION_CLOCKS or outcome.all() or not outcome.any():
        return ()
    band = band_of(clocks.elapsed[closed] / clocks.target[closed])
    counts = np.bincount(band, minlength=len(BAND_LABELS))
    wins = np.bincount(band, weights=outcome, minlength=len(BAND_LABELS))
    return tuple(
        ConversionBand(label, int(n), int(w))
        for label, n, w in zip(BAND_LABELS, counts.tolist(), wins.tolist(), strict=True)
    )


def revenue_impact(frame: Frame, scope: B) -> RevenueImpact:
    clocks = frame.inputs.clocks
    found: list[HandoffRevenue] = []
    # Value at stake is about now: every open clock, whatever period is chosen.
    at_stake = frame.open & ((clocks.status == AT_RISK) | (clocks.status == BREACHED))
    for h, key in enumerate(clocks.handoff_keys):
        mine = clocks.handoff == h
        rows = np.flatnonzero(scope & mine)
        breached = rows[frame.breached[rows]]
        found.append(
            HandoffRevenue(
                handoff=key,
                breaches=int(breached.size),
                breached_value=_value(frame, breached),
                bands=conversion_bands(frame, rows),
                open_value=_value(frame, np.flatnonzero(mine & frame.open)),
                at_stake_value=_value(frame, np.flatnonzero(mine & at_stake)),
            )
        )
    return RevenueImpact(
        tuple(found),
        frame.inputs.outcome_event,
        _value(frame, np.flatnonzero(scope & frame.breached)),
        _value(frame, np.flatnonzero(at_stake)),
    )


def _value(frame: Frame, rows: npt.NDArray[np.int64]) -> float:
    """The value of the distinct records behind these clocks."""
    if rows.size == 0:
        return 0.0
    records, first = np.unique(frame.inputs.clocks.record[rows], return_index=True)
    del records
    return float(frame.amount[rows[first]].sum())
