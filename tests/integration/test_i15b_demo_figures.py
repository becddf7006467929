"""The demo org's figures agree across scorecard, insights and dashboard (DESIGN 7a)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from slaapp.engine.insights.inputs import Period
from slaapp.models.database import Database
from slaapp.reports.build import build_scorecard
from slaapp.reports.periods import local_day
from slaapp.services.dashboard import DashboardFilter, load_dashboard
from slaapp.services.demo_org import load_demo
from slaapp.services.insights import insight_report, load_insight_data
from slaapp.services.store import now


@pytest.fixture
def demo(database: Database) -> Database:
    load_demo(database, days=21)
    return database


def test_team_rows_cause_shares_and_adherence_agree(demo: Database) -> None:
    at = now()
    start, end = at - 21 * 86400, at - 7 * 86400
    with demo.session() as session:
        data = build_scorecard(session, start=start, end=end, now=at)
    # A team's row counts the clocks of the handoffs it is responsible for.
    by_team: dict[str, int] = {}
    for handoff in data.handoffs:
        by_team[handoff.team] = by_team.get(handoff.team, 0) + handoff.figures.clocks
    teams = {t.team: t.figures for t in data.teams}
    assert {k: v for k, v in by_team.items() if v} == {t: f.clocks for t, f in teams.items()}
    assert teams["Marketing"].met + teams["Marketing"].missed > 0
    # Each late clock counts under one cause: shares add up to at most 100 %.
    assert data.causes and sum(c.share for c in data.causes) <= 1.0 + 1e-9
    assert sum(c.breaches for c in data.causes) <= data.summary.breaches

    # Insights judge the same period at its end and count adherence the same way.
    insight = load_insight_data(demo, end)
    assert insight is not None
    report = insight_report(insight, Period(start, end), 0.6, with_suggestions=False)
    for row in data.handoffs:
        health = next((h for h in report.handoffs if h.handoff == row.key), None)
        if health is None or not health.judged:
            continue
        assert health.adherence == pytest.approx(row.figures.adherence), row.key
    assert report.revenue.breached_value == pytest.approx(data.summary.revenue_at_stake)


def test_the_dashboard_team_breakdown_counts_the_handoffs_teams(demo: Database) -> None:
    at = now()
    last = local_day(at, "America/New_York") - timedelta(days=7)
    shown = load_dashboard(demo, DashboardFilter(last - timedelta(days=13), last), at)
    with demo.session() as session:
        card = build_scorecard(session, start=shown.start, end=shown.end, now=at)
    stats = shown.metrics.breakdowns["team"]
    dashboard = {
        stats.labels[g]: int(stats.clocks[g]) for g in range(len(stats)) if stats.clocks[g]
    }
    assert dashboard == {t.team: t.figures.clocks for t in card.teams}
    assert float(shown.metrics.summary.adherence[0]) == pytest.approx(card.summary.adherence)
