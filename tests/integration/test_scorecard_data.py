"""Scorecard figures computed from the database agree with the engine's clocks for the same data."""

from __future__ import annotations

import numpy as np
import pytest

from slaapp.engine.clocks import BREACHED, MET, MISSED, evaluate
from slaapp.engine.instants import parse_instant
from slaapp.engine.people import PersonInfo
from slaapp.models.directory import upsert_people
from slaapp.models.evaluation import refresh_clocks
from slaapp.models.ingest import ingest_log
from slaapp.reports.build import build_scorecard

from .test_store import MATRIX, NOW, SAMPLE, published

START = parse_instant("2026-11-16T00:00:00-05:00")
END = parse_instant("2026-11-23T00:00:00-05:00")
PEOPLE = [
    PersonInfo(
        "ana", "Ana Ruiz", "ana.ruiz@acme.test", "SDR", "rep", None, "America/New_York", (8, 17), 30
    ),
    PersonInfo(
        "ben",
        "Ben Okafor",
        "ben.okafor@acme.test",
        "SDR",
        "rep",
        None,
        "America/New_York",
        (8, 17),
        30,
    ),
    PersonInfo(
        "chloe",
        "Chloe Martin",
        "chloe.martin@acme.test",
        "AE",
        "rep",
        None,
        "America/Chicago",
        (8, 17),
        30,
    ),
]


@pytest.fixture
def filled(database):
    published(database)
    with database.session() as session:
        upsert_people(session, PEOPLE)
        ingest_log(session, SAMPLE, source="csv", now=NOW)
        refresh_clocks(session, NOW)
    return database


def engine_rows():
    table = evaluate(MATRIX, SAMPLE, min(END, NOW))  # judged at the period's end (DESIGN 7a)
    rows = np.flatnonzero((table.started_at >= START) & (table.started_at < END))
    return table, rows


def test_summary_matches_engine_counts_and_response_times(filled):
    with filled.session() as session:
        data = build_scorecard(session, start=START, end=END, now=NOW)
    table, rows = engine_rows()
    status = table.status[rows]
    met, missed = int((status == MET).sum()), int((status == MISSED).sum())
    closed = rows[(status == MET) | (status == MISSED)]
    assert (data.summary.clocks, data.summary.met, data.summary.missed) == (rows.size, met, missed)
    breached = int((status == BREACHED).sum())
    assert data.summary.adherence == pytest.approx(met / (met + missed + breached))
    assert data.summary.median_response_seconds == pytest.approx(
        float(np.median(table.elapsed[closed]))
    )
    assert data.summary.breached_open == int((status == BREACHED).sum())
    assert len(data.breaches) == missed + data.summary.breached_open
    late_records = {
        table.records[table.record[i]] for i in rows if table.status[i] in (MISSED, BREACHED)
    }
    amounts = {
        r.record_id: float(r.attributes["amount"])
        for r in SAMPLE.rows()
        if "amount" in r.attributes
    }
    assert data.summary.revenue_at_stake == pytest.approx(
        sum(amounts.get(r, 0.0) for r in late_records)
    )
    assert (
        data.scope == "All teams"
        and data.matrix_version == 1
        and data.timezone == "America/New_York"
    )


def test_handoffs_teams_and_reps_add_up(filled):
    with filled.session() as session:
        data = build_scorecard(session, start=START, end=END, now=NOW)
    assert sum(h.figures.clocks for h in data.handoffs) == data.summary.clocks
    assert sum(t.figures.clocks for t in data.teams) == data.summary.clocks
    first = next(h for h in data.handoffs if h.key == "first_contact")
    assert sum(s.figures.clocks for s in first.segments) == first.figures.clocks
    assert first.target == "2 h (us_business)"
    ana = next(r for r in data.reps if r.email == "ana.ruiz@acme.test")
    assert (ana.name, ana.team) == ("Ana Ruiz", "SDR")
    # Team rows are the teams responsible for handoffs (the matrix's `team`, DESIGN 7a).
    assert {t.team for t in data.teams} == {h.team for h in data.handoffs if h.figures.clocks}
    for row in data.teams:
        mine = [h.figures.clocks for h in data.handoffs if h.team == row.team]
        assert row.figures.clocks == sum(mine)
    # "SDR" is a directory team only: a rep's team figures are its members' clocks.
    sdr_reps = [r for r in data.reps if r.team == "SDR"]
    assert ana.team_figures.clocks == sum(r.figures.clocks for r in sdr_reps)
    assert "SDR" in {r.team for r in data.reps}


def test_team_scope_previous_period_trend_and_breach_order(filled):
    with filled.session() as session:
        data = build_scorecard(session, start=START, end=END, now=NOW, team="SDR")
        with pytest.raises(ValueError, match=r"no team 'East'.*teams of the directory: AE, SDR"):
            build_scorecard(session, start=START, end=END, now=NOW, team="East")
        with pytest.raises(ValueError, match="must end after it starts"):
            build_scorecard(session, start=END, end=START, now=NOW)
    assert data.scope == "SDR"
    assert data.summary.clocks > 0 and {b.owner for b in data.breaches} <= {
        "Ana Ruiz",
        "Ben Okafor",
    }
    assert [b.late_seconds for b in data.breaches] == sorted(
        (b.late_seconds for b in data.breaches), reverse=True
    )
    assert data.previous_start == START - (END - START)
    weeks = sorted({p.week for p in data.trend})
    assert weeks == ["2026-11-16"] and data.trend_step == "week"  # the whole period, no more
    assert sum(p.clocks for p in data.trend if p.week == "2026-11-16") == data.summary.clocks
    assert all(c.share > 0 for c in data.causes)
