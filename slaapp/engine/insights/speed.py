"""Where speed matters: conversion by response band per segment and per source, with a trend test."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import MET, MISSED
from slaapp.engine.insights.blocks import certainty
from slaapp.engine.insights.frame import UNKNOWN, Frame
from slaapp.engine.insights.revenue import BAND_LABELS, ConversionBand, band_of, band_rates

B = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

MIN_GROUP_CLOCKS = 60
ALPHA = 0.01
MIN_DROP = 0.05
"""The fastest band must convert at least this much more often than the slowest ..."""
MIN_RARE_DROP = 0.005
"""... or half as much again and at least this much more."""


@dataclass(frozen=True)
class SpeedCurve:
    """Conversion by response band of one handoff's clocks of one segment or one source."""

    handoff: str
    dimension: str  # segment or source
    group: str  # the segment key or the source name
    bands: tuple[ConversionBand, ...]
    z: float  # Cochran-Armitage: negative when conversion falls with slower responses
    p_adjusted: float
    matters: bool

    @property
    def certainty(self) -> str:
        return certainty(self.p_adjusted)

    @property
    def rates(self) -> F64:
        return band_rates(self.bands)

    @property
    def ends(self) -> tuple[ConversionBand, ConversionBand]:
        """The fastest and the slowest band with at least 10 clocks (else the first and last)."""
        filled = [b for b in self.bands if b.clocks >= 10]
        return (filled[0], filled[-1]) if len(filled) >= 2 else (self.bands[0], self.bands[-1])

    @property
    def drop(self) -> float:
        fast, slow = self.ends
        return (fast.rate or 0.0) - (slow.rate or 0.0) if fast is not slow else 0.0

    @property
    def steep(self) -> bool:
        """The fastest band converts at least MIN_DROP more, or half as much again (rare
        outcomes: 3 % against 2 % matters as much as 30 % against 20 %)."""
        fast, slow = self.ends
        low = slow.rate or 0.0
        return self.drop >= MIN_DROP or (
            self.drop >= MIN_RARE_DROP and (fast.rate or 0.0) >= 1.5 * low
        )


def trend_z(bands: tuple[ConversionBand, ...]) -> float:
    """Cochran-Armitage trend statistic over band order (negative: slower converts less)."""
    n = np.array([b.clocks for b in bands], dtype=np.float64)
    k = np.array([b.converted for b in bands], dtype=np.float64)
    total, wins = float(n.sum()), float(k.sum())
    if total == 0 or wins in (0.0, total):
        return 0.0
    score = np.arange(n.size, dtype=np.float64)
    p = wins / total
    t = float((score * (k - n * p)).sum())
    var = p * (1 - p) * float((n * score**2).sum() - (n * score).sum() ** 2 / total)
    return t / math.sqrt(var) if var > 0 else 0.0


def one_sided_p(z: float) -> float:
    """P(Z <= z) for a standard normal: small when conversion falls with slower responses."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def group_bands(frame: Frame, rows: I64) -> tuple[ConversionBand, ...]:
    clocks = frame.inputs.clocks
    band = band_of(clocks.elapsed[rows] / np.maximum(clocks.target[rows], 1))
    counts = np.bincount(band, minlength=len(BAND_LABELS))
    wins = np.bincount(band, weights=frame.converted[rows], minlength=len(BAND_LABELS))
    return tuple(
        ConversionBand(label, int(n), int(w))
        for label, n, w in zip(BAND_LABELS, counts.tolist(), wins.tolist(), strict=True)
    )


def speed_curves(
    frame: Frame, scope: B, alpha: float = ALPHA, handoffs: set[str] | None = None
) -> tuple[SpeedCurve, ...]:
    """Per handoff whose records convert: test each segment and each source for a falling
    trend; the strongest group first, its clocks then left out of the other groups' tests,
    so an effect of one source is not found again diluted in the segments it falls in."""
    clocks = frame.inputs.clocks
    status = clocks.status
    closed = scope & ((status == MET) | (status == MISSED)) & frame.eligible
    found: list[SpeedCurve] = []
    for h, key in enumerate(clocks.handoff_keys):
        if handoffs is not None and key not in handoffs:
            continue
        rows = closed & (clocks.handoff == h)
        outcome = frame.converted[rows]
        if int(rows.sum()) < MIN_GROUP_CLOCKS or outcome.all() or not outcome.any():
            continue
        found.extend(_handoff_curves(frame, rows, key, alpha))
    return tuple(found)


def _groups(frame: Frame, rows: B) -> list[tuple[str, str, B]]:
    clocks = frame.inputs.clocks
    groups: list[tuple[str, str, B]] = []
    for s in np.unique(clocks.segment[rows]).tolist():
        groups.append(("segment", clocks.segment_keys[s], rows & (clocks.segment == s)))
    sources = np.unique(frame.source[rows]).tolist()
    if len(sources) > 1:
        for s in sources:
            if frame.sources[s] != UNKNOWN:
                groups.append(("source", frame.sources[s], rows & (frame.source == s)))
    return groups


def _handoff_curves(frame: Frame, rows: B, key: str, alpha: float) -> list[SpeedCurve]:
    groups = _groups(frame, rows)
    tests = max(len(groups), 1)
    left = rows.copy()
    chosen: list[SpeedCurve] = []
    done: set[tuple[str, str]] = set()
    while True:
        best: SpeedCurve | None = None
        for dimension, group, mask in groups:
            if (dimension, group) in done:
                continue
            members = np.flatnonzero(mask & left)
            if members.size < MIN_GROUP_CLOCKS:
                continue
            bands = group_bands(frame, members)
            z = trend_z(bands)
            p = min(1.0, one_sided_p(z) * tests)
            curve = SpeedCurve(key, dimension, group, bands, z, p, False)
            if p < alpha and curve.steep and (best is None or z < best.z):
                best = curve
        if best is None:
            break
        chosen.append(SpeedCurve(key, best.dimension, best.group, best.bands, best.z,
                                 best.p_adjusted, True))  # fmt: skip
        done.add((best.dimension, best.group))
        mask = next(m for d, g, m in groups if (d, g) == (best.dimension, best.group))
        left &= ~mask
    flat: list[SpeedCurve] = []
    for dimension, group, mask in groups:
        members = np.flatnonzero(mask & left)
        if (dimension, group) in done or members.size < MIN_GROUP_CLOCKS:
            continue
        bands = group_bands(frame, members)
        z = trend_z(bands)
        flat.append(SpeedCurve(key, dimension, group, bands, z, min(1.0, one_sided_p(z) * tests),
                               False))  # fmt: skip
    return chosen + flat
