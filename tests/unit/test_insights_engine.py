"""Insight functions on synthetic histories with planted causes, and on one without causes."""

from __future__ import annotations

import numpy as np
import pytest

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventLogBuilder
from slaapp.engine.insights import InsightInputs, Period, analysis_prompt, analyze, build_frame
from slaapp.engine.insights.capacity import capacity_findings
from slaapp.engine.insights.sources import missing_data
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.engine.people import PersonInfo

H, D = 3600, 86400
MONDAY = 1_789_344_000  # 2026-09-14 00:00 UTC, a Monday
REPS = ("ana", "ben", "cleo", "dev", "eli", "fay")
SLOW = "ben"
SOURCES = ("Web", "Partner", "Trade show")
DOC = {
    "format": "slaapp.matrix/1",
    "name": "Synthetic",
    "calendars": {"utc": {"timezone": "UTC", "always": True}},
    "segments": [{"key": "default", "name": "Everyone", "when": {}}],
    "handoffs": [
        {"key": "first_contact", "name": "Assigned to first contact", "team": "SDR",
         "start": "assigned", "stop": "first_contact", "calendar": "utc",
         "warn_at": [0.5, 0.75],
         "escalation": [{"at": 1.0, "notify": ["owner"], "channels": ["desktop"]},
                        {"at": 1.5, "notify": ["manager"], "channels": ["email"]}],
         "rules": {"default": {"target": "2h"}}},
    ],
}  # fmt: skip
MATRIX = matrix_from_document(DOC)
PEOPLE = tuple(
    PersonInfo(r, r.title(), f"{r}@example.com", "SDR", "rep", None, "UTC", (9, 17), 60)
    for r in REPS
)


def history(planted: bool, weeks: int = 12, per_day: int = 40, seed: int = 3) -> InsightInputs:
    """Leads assigned in office hours; first contact after a lognormal delay (median 45 min).

    Planted: Mondays take four times as long (capacity), one rep takes 2.5 times as long
    (individual), and Trade show leads arrive without tier, region or amount (data), which
    slows their first contact by half.
    """
    rng = np.random.default_rng(seed)
    builder = EventLogBuilder(("source", "tier", "region", "amount"))
    for day in range(weeks * 7):
        for n in range(per_day):
            record = f"L{day}-{n}"
            assigned = MONDAY + day * D + 9 * H + int(rng.uniform(0, 8 * H))
            rep = REPS[int(rng.integers(len(REPS)))]
            source = SOURCES[int(rng.choice(3, p=(0.5, 0.3, 0.2)))]
            bare = planted and source == "Trade show"
            attributes = {
                "source": source,
                "tier": None if bare else "SMB",
                "region": None if bare else "West",
                "amount": None if bare else str(int(rng.integers(5, 50)) * 1000),
            }
            delay = 45 * 60 * float(rng.lognormal(0.0, 0.6))
            if planted and day % 7 == 0:
                delay *= 4
            if planted and rep == SLOW:
                delay *= 2.5
            if bare:
                delay *= 1.5  # reps research the lead first
            builder.add(record, "assigned", assigned, f"{rep}@example.com", attributes)
            builder.add(record, "first_contact", assigned + int(delay))
            if rng.uniform() < (0.3 if delay < H else 0.1):
                builder.add(record, "closed_won", assigned + int(delay) + 20 * D)
    log = builder.build()
    as_of = MONDAY + weeks * 7 * D + 30 * D
    return InsightInputs(log, evaluate(MATRIX, log, as_of), MATRIX, PEOPLE, as_of)


WHOLE = Period(MONDAY, MONDAY + 12 * 7 * D)


@pytest.fixture(scope="module")
def planted() -> InsightInputs:
    return history(planted=True)


@pytest.fixture(scope="module")
def clean() -> InsightInputs:
    return history(planted=False)


def test_monday_capacity_gap_is_flagged_with_its_volume(planted):
    frame = build_frame(planted)
    found = capacity_findings(frame, WHOLE.contains(planted.clocks.started_at))
    assert len(found.blocks) == 1, "the Monday gap was not found as one recurring block"
    block = found.blocks[0]
    assert (block.team, block.day_name) == ("SDR", "Monday")
    assert block.weeks >= 10 and block.weeks_seen == 12  # 12 Mondays, volume about 40 each
    assert block.rate > 0.6 > 0.3 > block.baseline_rate
    assert found.days == ()  # the Mondays are one block, not twelve bad days


def test_the_slow_rep_is_found_on_normal_days_and_nobody_else(planted):
    frame = build_frame(planted)
    found = capacity_findings(frame, WHOLE.contains(planted.clocks.started_at))
    assert [r.owner for r in found.reps] == [f"{SLOW}@example.com"]
    rep = found.reps[0]
    assert rep.clocks > 300 and rep.team_clocks > 1500  # sample sizes, Mondays left out
    assert rep.rate > 2 * rep.team_rate
    assert rep.q_value < 1e-6
    assert found.reps_tested == len(REPS)


def test_the_source_without_data_is_found(planted):
    frame = build_frame(planted)
    found = missing_data(frame, WHOLE.contains(planted.clocks.started_at))
    assert {(m.source, m.attribute) for m in found} == {
        ("Trade show", "tier"), ("Trade show", "region"), ("Trade show", "amount"),
    }  # fmt: skip
    assert all(m.share == 1.0 and m.other_share == 0.0 and m.records > 300 for m in found)


def test_root_causes_rank_the_planted_causes(planted):
    report = analyze(planted, WHOLE, with_suggestions=False)
    kinds = [c.kind for c in report.causes]
    assert "capacity" in kinds and "individual" in kinds and "data" in kinds
    capacity = next(c for c in report.causes if c.kind == "capacity")
    assert "Monday" in capacity.title and capacity.excess_breaches > 100
    prompt = analysis_prompt(report)
    assert "SDR, Mondays" in prompt and "Ben slow" in prompt
    assert "Trade show leads arrive without" in prompt


def test_a_history_without_causes_yields_no_findings(clean):
    report = analyze(clean, WHOLE)
    assert report.capacity.blocks == () and report.capacity.days == ()
    assert report.capacity.reps == ()
    assert report.missing == ()
    assert report.causes == ()
    assert all(s.chosen is None for s in report.suggestions)  # the handoff meets its goal


def test_revenue_bands_follow_the_planted_conversion(planted):
    report = analyze(planted, WHOLE, with_suggestions=False)
    (entry,) = report.revenue.handoffs
    rates = [b.rate for b in entry.bands]
    assert rates[0] is not None and rates[-1] is not None
    assert rates[0] > 0.2 and rates[-1] < 0.15  # fast contact converts at 30 %, slow at 10 %
    assert entry.breached_value > 0


def test_the_predictor_beats_the_base_rate_on_a_planted_history(planted):
    report = analyze(planted, WHOLE, with_suggestions=False)
    quality = report.quality
    assert quality is not None
    assert quality.auc > 0.7
    assert quality.brier < quality.base_brier
