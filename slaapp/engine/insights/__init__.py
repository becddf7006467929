"""Insights: capacity vs individual causes, revenue impact, what-if, breach prediction, reports."""

from .analyze import InsightReport, analyze
from .frame import Frame, build_frame
from .inputs import InsightInputs, Period
from .predict import BreachModel, breach_risk, fit_breach_model, predictive_alerts
from .prompt import analysis_prompt
from .whatif import Change, WhatIf, what_if

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
