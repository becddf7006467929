"""Lead sources that arrive without data: attributes missing far more often than elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.eventlog import NO_VALUE
from slaapp.engine.insights.frame import UNKNOWN, Frame, latest_per_record
from slaapp.engine.insights.inputs import SOURCE
from slaapp.engine.insights.stats import benjamini_hochberg, binomial_sf

B = npt.NDArray[np.bool_]

MIN_RECORDS = 20
MIN_GAP = 0.2
FALSE_DISCOVERY = 0.05


@dataclass(frozen=True)
class MissingData:
    """Records of one source lacking an attribute, against the records of every other source."""

    source: str
    attribute: str
    records: int
    missing: int
    other_records: int
    other_missing: int
    q_value: float
    clocks: int  # judged clocks of the source's records in the period
    breaches: int
    other_clocks: int
    other_breaches: int

    @property
    def share(self) -> float:
        return self.missing / self.records

    @property
    def other_share(self) -> float:
        return self.other_missing / self.other_records if self.other_records else 0.0

    @property
    def breach_rate(self) -> float:
        return self.breaches / self.clocks if self.clocks else 0.0

    @property
    def other_breach_rate(self) -> float:
        return self.other_breaches / self.other_clocks if self.other_clocks else 0.0


def missing_data(
    frame: Frame, scope: B, min_records: int = MIN_RECORDS, alpha: float = FALSE_DISCOVERY
) -> tuple[MissingData, ...]:
    """Per source and attribute, a one-sided binomial test of the missing share, BH-adjusted."""
    log = frame.inputs.log
    clocks = frame.inputs.clocks
    if SOURCE not in log.attributes:
        return ()
    in_scope = np.zeros(len(log.record.values), dtype=np.bool_)
    in_scope[clocks.record[scope]] = True
    record_source = np.full(in_scope.size, len(frame.sources) - 1, dtype=np.int32)
    record_source[clocks.record] = frame.source
    judged = scope & frame.judged
    tests: list[tuple[int, str, int, int, int, int, float]] = []
    for name, column in log.attributes.items():
        if name == SOURCE:
            continue
        missing = latest_per_record(log, column) == NO_VALUE
        for s in range(len(frame.sources)):
            if frame.sources[s] == UNKNOWN:
                continue
            mine = in_scope & (record_source == s)
            rest = in_scope & (record_source != s)
            n, k = int(mine.sum()), int((mine & missing).sum())
            rn, rk = int(rest.sum()), int((rest & missing).sum())
            if n < min_records or rn < min_records or k / n - rk / rn < MIN_GAP:
                continue
            p = binomial_sf(k, n, max(rk / rn, 0.5 / rn))
            tests.append((s, name, n, k, rn, rk, p))
    if not tests:
        return ()
    q = benjamini_hochberg(np.array([t[6] for t in tests], dtype=np.float64))
    found: list[MissingData] = []
    for (s, name, n, k, rn, rk, _), qv in zip(tests, q.tolist(), strict=True):
        if qv >= alpha:
            continue
        mine = judged & (frame.source == s)
        rest = judged & (frame.source != s)
        found.append(
            MissingData(
                frame.sources[s],
                name,
                n,
                k,
                rn,
                rk,
                float(qv),
                int(mine.sum()),
                int(frame.breached[mine].sum()),
                int(rest.sum()),
                int(frame.breached[rest].sum()),
            )
        )
    found.sort(key=lambda m: -(m.share - m.other_share) * m.records)
    return tuple(found)
