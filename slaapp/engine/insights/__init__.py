"""Insights: capacity vs individual causes, revenue impact, what-if, breach prediction, reports."""

from slaapp.engine.insights.analyze import InsightReport, analyze
from slaapp.engine.insights.frame import Frame, build_frame
from slaapp.engine.insights.inputs import InsightInputs, Period
from slaapp.engine.insights.predict import (
    BreachModel,
    breach_risk,
    fit_breach_model,
    predictive_alerts,
)
from slaapp.engine.insights.prompt import analysis_prompt
from slaapp.engine.insights.whatif import Change, WhatIf, what_if

__all__ = [
    "BreachModel",
    "Change",
    "Frame",
    "InsightInputs",
    "InsightReport",
    "Period",
    "WhatIf",
    "analysis_prompt",
    "analyze",
    "breach_risk",
    "build_frame",
    "fit_breach_model",
    "predictive_alerts",
    "what_if",
]
