"""Suggested target changes per handoff (what-if over candidates) and the quarterly review pack."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slaapp.engine.clocks import MET
from slaapp.engine.insights.frame import Frame
from slaapp.engine.insights.inputs import Period
from slaapp.engine.insights.ladder import describe_target
from slaapp.engine.insights.whatif import Change, WhatIf, what_if
from slaapp.engine.matrix import DEFAULT_SEGMENT, Matrix

FACTORS = (1.25, 1.5, 2.0, 3.0)
ADHERENCE_GOAL = 0.9
MAX_RELATIVE_LOSS = 0.05
MIN_CUT = 0.25


@dataclass(frozen=True)
class Suggestion:
    """A proposed target for one handoff's default rule, with its replayed effect."""

    handoff: str
    handoff_name: str
    candidates: tuple[WhatIf, ...]
    chosen: WhatIf | None
    reason: str


def candidate_targets(matrix: Matrix, handoff_key: str) -> list[int]:
    """Longer targets for the default rule, rounded to the units its calendar counts in."""
    handoff = matrix.handoff(handoff_key)
    rule = handoff.rules[DEFAULT_SEGMENT]
    spec = matrix.calendars.get(handoff.rule_calendar(DEFAULT_SEGMENT))
    unit = 3600 if rule.target_seconds >= 3600 else 900
    if spec is not None and not spec.always and rule.target_seconds >= spec.business_day_seconds:
        unit = spec.business_day_seconds
    elif spec is not None and spec.always and rule.target_seconds >= 86400:
        unit = 86400
    found = sorted(
        {max(unit, round(rule.target_seconds * f / unit) * unit) for f in FACTORS}
        - {rule.target_seconds}
    )
    return [t for t in found if t > rule.target_seconds]


def suggest(
    frame: Frame,
    period: Period,
    goal: float = ADHERENCE_GOAL,
    max_relative_loss: float = MAX_RELATIVE_LOSS,
    explained: dict[str, str] | None = None,
) -> tuple[Suggestion, ...]:
    """For each handoff below the goal, the smallest longer target that reaches it (or cuts
    late clocks by at least a quarter) while costing at most `max_relative_loss` of conversion.

    A handoff in `explained` (key -> why, in words) gets no longer target: its late clocks
    are explained by a capacity block or by named people, or its conversion needs speed."""
    matrix = frame.inputs.matrix
    clocks = frame.inputs.clocks
    found: list[Suggestion] = []
    in_period = period.contains(clocks.started_at)
    for handoff in matrix.handoffs:
        if handoff.key not in clocks.handoff_keys:
            continue
        mine = in_period & (clocks.handoff == clocks.handoff_keys.index(handoff.key))
        judged = mine & frame.judged
        if not judged.any():
            continue
        adherence = float((clocks.status[judged] == MET).mean())
        if adherence >= goal:
            found.append(Suggestion(handoff.key, handoff.name, (), None,
                                    f"meets the {goal:.0%} goal ({adherence:.0%} on time)"))  # fmt: skip
            continue
        if explained is not None and handoff.key in explained:
            reason = f"no longer target: {explained[handoff.key]}"
            found.append(Suggestion(handoff.key, handoff.name, (), None, reason))
            continue
        runs = tuple(
            what_if(frame, (Change(handoff.key, DEFAULT_SEGMENT, target),), period)
            for target in candidate_targets(matrix, handoff.key)
        )
        found.append(_choose(handoff.key, handoff.name, runs, goal, max_relative_loss, adherence))
    return tuple(found)


def _choose(
    key: str, name: str, runs: tuple[WhatIf, ...], goal: float, max_loss: float, adherence: float
) -> Suggestion:
    def loss_ok(run: WhatIf) -> bool:
        before, after = run.before.conversion, run.after.conversion
        return before is None or after is None or after >= before * (1 - max_loss)

    def violation_rate(run: WhatIf) -> float:
        return run.after.violations / max(run.after.clocks, 1)

    allowed = [r for r in runs if loss_ok(r)]
    reaching = [r for r in allowed if violation_rate(r) <= 1 - goal]
    if reaching:
        return Suggestion(key, name, runs, reaching[0], f"reaches the {goal:.0%} goal")
    cutting = [r for r in allowed if (r.violations_change or 0.0) <= -MIN_CUT]
    if cutting:
        best = min(cutting, key=lambda r: r.violations_change or 0.0)
        return Suggestion(
            key, name, runs, best, "cuts late clocks most within the conversion limit"
        )
    return Suggestion(
        key, name, runs, None,
        f"no longer target fixes it without costing over {max_loss:.0%} of conversion: "
        f"{adherence:.0%} on time is a staffing or process problem",
    )  # fmt: skip


@dataclass(frozen=True)
class ReviewLine:
    """One handoff in the quarterly review: adherence, its monthly trend and the suggestion."""

    handoff: str
    handoff_name: str
    target: str
    clocks: int
    adherence: float | None
    monthly: tuple[tuple[str, float | None], ...]  # (YYYY-MM, adherence)
    trend_points: float | None  # adherence change per month, in points
    suggestion: str


def review_pack(
    frame: Frame, period: Period, suggestions: tuple[Suggestion, ...]
) -> tuple[ReviewLine, ...]:
    clocks = frame.inputs.clocks
    matrix = frame.inputs.matrix
    month = (frame.local_day.astype("datetime64[D]").astype("datetime64[M]")).astype(np.int64)
    in_period = period.contains(clocks.started_at) & frame.judged
    by_key = {s.handoff: s for s in suggestions}
    lines: list[ReviewLine] = []
    for handoff in matrix.handoffs:
        if handoff.key not in clocks.handoff_keys:
            continue
        mine = in_period & (clocks.handoff == clocks.handoff_keys.index(handoff.key))
        met = clocks.status == MET
        monthly: list[tuple[str, float | None]] = []
        for m in np.unique(month[mine]).tolist():
            rows = mine & (month == m)
            monthly.append((str(np.datetime64(m, "M")), float(met[rows].mean())))
        values = [v for _, v in monthly if v is not None]
        trend = (
            float(np.polyfit(np.arange(len(values)), values, 1)[0] * 100)
            if len(values) >= 2
            else None
        )
        rule = handoff.rules[DEFAULT_SEGMENT]
        spec = matrix.calendars.get(handoff.rule_calendar(DEFAULT_SEGMENT))
        found = by_key.get(handoff.key)
        text = "no clocks in the period"
        if found is not None:
            text = (
                found.chosen.sentence
                if found.chosen
                else found.reason[:1].upper() + found.reason[1:] + "."
            )
        lines.append(
            ReviewLine(
                handoff.key,
                handoff.name,
                describe_target(rule.target_seconds, spec),
                int(mine.sum()),
                float(met[mine].mean()) if mine.any() else None,
                tuple(monthly),
                trend,
                text,
            )
        )
    return tuple(lines)
