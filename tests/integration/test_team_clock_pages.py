"""Team mode: every login sees the same dashboard; managers keep pages, viewers only read them, writers' triggers run as the owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import func, select, text

from slaapp.models.tables import Clock, ClockDay, ClockPage
from slaapp.services.dashboard import DashboardData, DashboardFilter, load_dashboard
from slaapp.services.demo_org import load_demo
from tests.integration.team_fixtures import Team, add_people, team_fixture  # noqa: F401


def facts(data: DashboardData) -> tuple:
    summary = data.metrics.summary
    return (
        len(data),
        data.clock_id.tolist(),
        data.columns.status.tolist(),
        data.columns.elapsed.tolist(),
        [data.record.labels[c] for c in data.record.codes.tolist()],
        summary.met.tolist(),
        summary.late.tolist(),
        np.nan_to_num(summary.median_response).tolist(),
    )


def pages(database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(ClockPage)) or 0)


def test_viewers_read_pages_managers_keep_them_and_owner_triggers_mark_days(team: Team) -> None:
    load_demo(team.owner, seed=3, days=14)
    with team.owner.session() as session:
        now = int(session.scalar(select(func.max(Clock.evaluated_at))))
    add_people(team.owner, ("val", "viewer"), ("mia", "manager"))
    team.grant("val", "viewer")
    team.grant("mia", "manager")
    viewer, manager = team.as_person("val"), team.as_person("mia")
    today = datetime.fromtimestamp(now, UTC).date()
    chosen = DashboardFilter(today - timedelta(days=10), today)

    seen = facts(load_dashboard(viewer, chosen, now))
    assert pages(team.owner) == 0  # a viewer may not write pages: read from the table
    assert facts(load_dashboard(manager, chosen, now)) == seen
    kept = pages(team.owner)
    assert kept >= 10
    assert facts(load_dashboard(viewer, chosen, now)) == seen  # now from the manager's pages

    # A manager rewrites clocks: the triggers (run as the schema owner) raise the day.
    with team.owner.session() as session:
        before = dict(session.execute(select(ClockDay.day, ClockDay.generation)).all())
    with manager.session() as session:
        clock = session.scalar(
            select(Clock).where(Clock.status == "met", Clock.started_at > now - 5 * 86400).limit(1)
        )
        assert clock is not None
        day = clock.started_at // 86400
        clock.elapsed_seconds += 60
    with team.owner.session() as session:
        assert session.get(ClockDay, day).generation == before[day] + 1
    changed = facts(load_dashboard(viewer, chosen, now))
    assert changed != seen  # the retired page is not used
    assert changed == facts(load_dashboard(team.owner, chosen, now))

    # A login that may not read the pages still gets the dashboard, from the table.
    with team.owner.session() as session:
        session.execute(text(f'REVOKE SELECT ON clock_pages FROM "{team.prefix}viewer"'))
    assert facts(load_dashboard(viewer, chosen, now)) == changed
