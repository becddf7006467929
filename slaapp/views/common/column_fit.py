"""Column widths within a table's width: text columns give up what is missing, stage by stage."""

from __future__ import annotations

from collections.abc import Sequence

Stages = Sequence[tuple[Sequence[int], int]]
"""(columns, floor) pairs in the order they give up width: each stage's columns shrink in
proportion to their width over its floor, the next stage only when that is not enough."""


def fitted_widths(widths: dict[int, int], room: int, stages: Stages, last: int) -> dict[int, int]:
    """`widths` (column -> pixels) made to fit `room`; column `last` takes what is left over."""
    fitted = dict(widths)
    excess = sum(fitted.values()) - room
    for columns, floor in stages:
        spare = {c: fitted[c] - floor for c in columns if c in fitted and fitted[c] > floor}
        total = sum(spare.values())
        if excess <= 0 or total <= 0:
            continue
        for c, extra in spare.items():
            fitted[c] -= min(extra, -(-excess * extra // total))  # ceiling: never over
        excess = sum(fitted.values()) - room
    if fitted and excess < 0:  # room to spare
        fitted[last] -= excess
    return fitted
