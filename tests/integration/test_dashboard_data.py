"""Dashboard data from the database: agrees with the Excel scorecard, filters, shows the demo's planted signals."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from slaapp.demo.people import SLOW_REPS, UNDERSTAFFED_SDRS
from slaapp.models.tables import Clock, Person
from slaapp.reports.build import build_scorecard
from slaapp.services.dashboard import DashboardFilter, dashboard_data, with_step
from slaapp.services.demo_org import load_demo

SDR = "SDR"


def _as_of(database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.max(Clock.evaluated_at))) or 0)


def _close(a: float | None, b: float) -> bool:
    return (a is None and np.isnan(b)) or (a is not None and a == pytest.approx(b))


def test_demo_dashboard_agrees_with_scorecard_and_shows_planted_signals(database) -> None:
    load_demo(database, days=35)
    now = _as_of(database)
    with database.session() as session:
        off = session.scalar(select(Person.out_of_office).where(Person.key == UNDERSTAFFED_SDRS[0]))
        first, last = date.fromisoformat(off[0][0]), date.fromisoformat(off[0][1])
        whole = DashboardFilter(first - timedelta(days=21), last + timedelta(days=9))
        data = dashboard_data(session, whole, now)
        scorecard = build_scorecard(session, start=data.start, end=data.end, now=now)

        # Same clocks, same figures as the Excel scorecard.
        summary = data.metrics.summary
        assert int(summary.clocks[0]) == scorecard.summary.clocks
        assert int(summary.late[0]) == scorecard.summary.breaches
        assert _close(scorecard.summary.adherence, summary.adherence[0])
        assert _close(scorecard.summary.median_response_seconds, summary.median_response[0])
        assert _close(scorecard.summary.p90_response_seconds, summary.p90_response[0])
        assert _close(scorecard.summary.quality_pass_rate, summary.quality_pass_rate[0])
        reps = data.metrics.reps
        by_name = {name: i for i, name in enumerate(reps.reps.labels)}
        for row in scorecard.reps:
            i = by_name[row.name]
            assert int(reps.reps.clocks[i]) == row.figures.clocks, row.name
            assert _close(row.figures.adherence, reps.reps.adherence[i]), row.name
            assert _close(row.figures.p90_response_seconds, reps.reps.p90_response[i]), row.name
            assert data.team.labels[reps.team_of(i)] == row.team
            team = reps.team_of(i)
            assert _close(row.team_figures.adherence, reps.teams.adherence[team]), row.team

        # Two days later the stored open clocks are judged again with their rule calendars
        # (the period runs up to today, so that it holds the clocks still open now).
        recent = DashboardFilter(whole.first, date.fromtimestamp(now) + timedelta(days=1))
        before = dashboard_data(session, recent, now)
        later = now + 2 * 86400
        again = dashboard_data(session, recent, later).metrics.summary
        rescored = build_scorecard(session, start=before.start, end=before.end, now=later).summary
        assert int(again.late[0]) == rescored.breaches > int(before.metrics.summary.late[0])
        assert int(again.open[0]) == rescored.open

        # The slow SDRs are the two slowest and least adherent SDRs in the rep scorecards.
        sdr = [i for i in range(len(reps.reps)) if data.team.labels[reps.team_of(i)] == SDR]
        slowest = sorted(sdr, key=lambda i: -reps.reps.median_response[i])[:2]
        least = sorted(sdr, key=lambda i: reps.reps.adherence[i])[:2]
        slow_names = {n for n in reps.reps.labels if n.lower().replace(" ", ".") in SLOW_REPS}
        assert {reps.reps.labels[i] for i in slowest} == slow_names
        assert {reps.reps.labels[i] for i in least} == slow_names
        sdr_team = data.team.labels.index(SDR)
        for i in slowest:
            assert reps.reps.adherence[i] < reps.teams.adherence[sdr_team]

        # The understaffed week: SDR breaches on its weekdays in the heat map, and its weekly dip.
        def weekday_breach_rate(first_day: date) -> float:
            chosen = DashboardFilter(first_day, first_day + timedelta(days=4), team=SDR)
            heat = dashboard_data(session, chosen, now).metrics.heat
            return float(heat.breaches[:5].sum() / heat.clocks[:5].sum())

        understaffed = weekday_breach_rate(first)
        for weeks in (-2, -1, 1):
            assert understaffed > 1.2 * weekday_breach_rate(first + timedelta(weeks=weeks))
        weekly = with_step(dashboard_data(session, DashboardFilter(
            whole.first, whole.last, team=SDR), now), "week").metrics.adherence  # fmt: skip
        week = weekly.buckets.index(first.isoformat())
        others = [weekly.buckets.index((first + timedelta(weeks=w)).isoformat()) for w in (-1, 1)]
        assert all(weekly.total.adherence[week] < weekly.total.adherence[o] - 0.03 for o in others)


def test_filters_narrow_every_aggregate_and_clicks_list_the_clocks_behind(database) -> None:
    load_demo(database, days=14)
    now = _as_of(database)
    with database.session() as session:
        last = date.fromtimestamp(now)
        whole = dashboard_data(session, DashboardFilter(last - timedelta(days=13), last), now)
        assert whole.stored >= len(whole) > 0
        assert all(key.endswith("@northwind.example") for key in whole.owner_keys)
        assert "SDR" in whole.choices.teams and whole.choices.sources
        source = whole.choices.sources[0]
        narrow = dashboard_data(
            session,
            DashboardFilter(
                whole.filter.first, last, team=SDR, handoff="first_contact", source=source
            ),
            now,
        )
        sdr = whole.team.labels.index(SDR)
        expected = (
            (whole.team.codes == sdr)
            & (np.array(whole.handoff_keys)[whole.handoff.codes] == "first_contact")
            & (np.array(whole.source.labels)[whole.source.codes] == source)
        )
        assert sorted(narrow.clock_id.tolist()) == sorted(whole.clock_id[expected].tolist())
        assert narrow.choices == whole.choices  # the bar still offers everything of the period
        # A bar of the source breakdown lists exactly its clocks.
        bars = whole.metrics.breakdowns["source"]
        code = bars.labels.index(source)
        behind = bars.members.of(code)
        assert behind.size == bars.clocks[code]
        assert set(whole.clock_id[behind].tolist()) == set(
            whole.clock_id[whole.source.codes == code].tolist()
        )
        # A clock started in the period is stored with the record it belongs to.
        first_id = int(whole.clock_id[behind[0]])
        stored = session.get(Clock, first_id)
        assert stored is not None and stored.record_id == int(whole.record_id[behind[0]])


def test_an_empty_database_and_a_backwards_period(database) -> None:
    with database.session() as session:
        empty = dashboard_data(session, DashboardFilter(date(2026, 1, 1), date(2026, 1, 31)), 0)
        assert len(empty) == 0 and empty.stored == 0 and empty.zone == "UTC"
        assert int(empty.metrics.summary.clocks[0]) == 0
        assert len(empty.metrics.adherence.buckets) == 31
        with pytest.raises(ValueError, match=r"ends .* before it starts"):
            dashboard_data(session, DashboardFilter(date(2026, 2, 1), date(2026, 1, 1)), 0)
