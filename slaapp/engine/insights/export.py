"""The insight report as plain JSON-ready values (for `slaapp insights --format json`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from slaapp.engine.insights.analyze import InsightReport
from slaapp.engine.insights.findings import report_findings
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
    """DESIGN 7b: `as_of`, `period` and the `findings` (what_if is added by the command)."""
    return {
        "as_of": report.as_of,
        "period": {"start": report.period.start, "end": report.period.end},
        "findings": report_findings(report),
        # Totals over distinct records (DESIGN 7a), for scripts that read the period's value.
        "revenue": {
            "outcome_event": report.revenue.outcome_event,
            "breached_value": report.revenue.breached_value,
            "at_stake_value": report.revenue.at_stake_value,
        },
    }
