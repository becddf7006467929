"""All insights for one period in one pass: the report the CLI prints and the screen shows."""

from __future__ import annotations

from dataclasses import dataclass

from slaapp.engine.insights.advice import Advice, advise, explained_handoffs
from slaapp.engine.insights.backtest import AlertBacktest, alert_backtest
from slaapp.engine.insights.capacity import CAPACITY_THRESHOLD, CapacityFindings, capacity_findings
from slaapp.engine.insights.frame import Frame, build_frame
from slaapp.engine.insights.health import HandoffHealth, RootCause, handoff_health, root_causes
from slaapp.engine.insights.inputs import InsightInputs, Period
from slaapp.engine.insights.predict import BreachModel, Quality, fit_breach_model
from slaapp.engine.insights.revenue import RevenueImpact, revenue_impact
from slaapp.engine.insights.sources import MissingData, missing_data
from slaapp.engine.insights.speed import SpeedCurve, speed_curves
from slaapp.engine.insights.suggest import ReviewLine, Suggestion, review_pack, suggest
from slaapp.engine.people import PersonInfo


@dataclass(frozen=True, eq=False)
class InsightReport:
    """Everything the insight functions found for the clocks started in `period`."""

    period: Period
    as_of: int
    handoffs: tuple[HandoffHealth, ...]
    causes: tuple[RootCause, ...]
    capacity: CapacityFindings
    missing: tuple[MissingData, ...]
    revenue: RevenueImpact
    speed: tuple[SpeedCurve, ...]  # per handoff, the groups where speed matters, then the rest
    backtest: AlertBacktest
    model: BreachModel | None
    model_problem: str | None  # why no model could be fitted
    suggestions: tuple[Suggestion, ...]
    review: tuple[ReviewLine, ...]
    advice: tuple[Advice, ...]
    names: dict[str, str]  # handoff and segment keys -> names
    zone: str  # the business zone hours and days are read in
    people: tuple[PersonInfo, ...]
    needs: dict[str, str]  # attribute -> the first segment whose rule reads it

    @property
    def quality(self) -> Quality | None:
        return None if self.model is None else self.model.quality


def analyze(
    inputs: InsightInputs,
    period: Period,
    threshold: float = CAPACITY_THRESHOLD,
    with_suggestions: bool = True,
    frame: Frame | None = None,
) -> InsightReport:
    """Capacity vs individual causes, data gaps, revenue, backtest, predictor and suggestions."""
    frame = frame or build_frame(inputs)
    clocks = inputs.clocks
    scope = period.contains(clocks.started_at)
    capacity = capacity_findings(frame, scope, threshold)
    missing = missing_data(frame, scope)
    model: BreachModel | None = None
    problem: str | None = None
    try:
        model = fit_breach_model(clocks, inputs.matrix, frame.zone)
    except ValueError as exc:
        problem = str(exc)
    causes = root_causes(frame, scope, capacity, missing)
    explained = explained_handoffs(frame, capacity, causes)
    speed = speed_curves(frame, scope)
    for curve in speed:
        if curve.matters:
            explained.setdefault(curve.handoff, "conversion falls with slower responses")
    suggestions = suggest(frame, period, explained=explained) if with_suggestions else ()
    names = {h.key: h.name for h in inputs.matrix.handoffs}
    names |= {s.key: s.name for s in inputs.matrix.segments}
    return InsightReport(
        period=period,
        as_of=inputs.as_of,
        handoffs=handoff_health(frame, scope),
        causes=causes,
        capacity=capacity,
        missing=missing,
        revenue=revenue_impact(frame, scope),
        speed=speed,
        backtest=alert_backtest(inputs.matrix, clocks, scope),
        model=model,
        model_problem=problem,
        suggestions=suggestions,
        review=review_pack(frame, period, suggestions),
        advice=advise(frame, capacity, speed, suggestions),
        names=names,
        zone=frame.zone,
        people=inputs.people,
        needs=_needs(inputs),
    )


def _needs(inputs: InsightInputs) -> dict[str, str]:
    found: dict[str, str] = {}
    for segment in inputs.matrix.segments:
        for attribute in sorted(segment.when.attributes):
            found.setdefault(attribute, segment.key)
    return found
