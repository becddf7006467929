"""The insight report as plain JSON-ready values (for `slaapp insights --format json`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.whatif import WhatIf


def what_if_json(run: WhatIf) -> dict[str, Any]:
    return {
        "changes": [dataclasses.asdict(c) for c in run.changes],
        "period": {"start": run.period.start, "end": run.period.end},
        "before": dataclasses.asdict(run.before),
        "after": dataclasses.asdict(run.after),
        "violations_change": run.violations_change,
        "conversion_points": run.conversion_points,
        "sentence": run.sentence,
    }


def report_json(report: InsightReport) -> dict[str, Any]:
    capacity = report.capacity
    quality = report.quality
    return {
        "period": {"start": report.period.start, "end": report.period.end},
        "as_of": report.as_of,
        "handoffs": [{**dataclasses.asdict(h), "adherence": h.adherence} for h in report.handoffs],
        "root_causes": [dataclasses.asdict(c) for c in report.causes],
        "capacity": {
            "threshold": capacity.threshold,
            "periods": [
                {**dataclasses.asdict(p), "breach_rate": p.breach_rate} for p in capacity.periods
            ],
            "reps_tested": capacity.reps_tested,
            "slow_reps": [
                {**dataclasses.asdict(r), "rate": r.rate, "team_rate": r.team_rate}
                for r in capacity.reps
            ],
        },
        "missing_data": [dataclasses.asdict(m) for m in report.missing],
        "revenue": {
            "outcome_event": report.revenue.outcome_event,
            "breached_value": report.revenue.breached_value,
            "at_stake_value": report.revenue.at_stake_value,
            "handoffs": [
                {
                    **dataclasses.asdict(h),
                    "bands": [{**dataclasses.asdict(b), "rate": b.rate} for b in h.bands],
                }
                for h in report.revenue.handoffs
            ],
        },
        "alert_backtest": {
            "warnings_followed_by_breach": report.backtest.precision,
            "breaches_warned_in_time": report.backtest.in_time,
            "handoffs": [
                {**dataclasses.asdict(h), "precision": h.precision, "in_time": h.in_time}
                for h in report.backtest.handoffs
            ],
        },
        "predictor": None if quality is None else dataclasses.asdict(quality),
        "predictor_problem": report.model_problem,
        "suggestions": [
            {
                "handoff": s.handoff,
                "reason": s.reason,
                "chosen": None if s.chosen is None else what_if_json(s.chosen),
                "candidates": [what_if_json(c) for c in s.candidates],
            }
            for s in report.suggestions
        ],
        "quarterly_review": [dataclasses.asdict(line) for line in report.review],
    }
