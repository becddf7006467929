"""Numbers in words: rates, money, periods."""

from __future__ import annotations

import numpy as np

from slaapp.engine.insights.inputs import Period


def rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.1f}M"
    if abs(value) >= 1e3:
        return f"${value / 1e3:,.0f}k"
    return f"${value:,.0f}"


def day_text(instant: int) -> str:
    return str(np.datetime64(instant // 86400, "D"))


def period_text(period: Period) -> str:
    return f"from {day_text(period.start)} to {day_text(period.end - 1)} (UTC)"
