"""Dashboard metrics checked by hand on small clock tables, and against the scorecard's figures."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slaapp.engine.clocks import AT_RISK, BREACHED, CANCELLED, MET, MISSED, ON_TRACK
from slaapp.engine.metrics import ClockColumns, aggregate, deal_bands, grouped_quantiles
from slaapp.engine.metrics_reps import rep_scorecards, response_distribution
from slaapp.engine.metrics_time import (
    adherence_over_time,
    breach_heat,
    bucket_bounds,
    local_seconds,
)

H = 3600
NY = "America/New_York"


def at(text: str, zone: str = NY) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp())


def table(rows: list[tuple[int, int, int, int, int]]) -> ClockColumns:
    """Rows of (status, started_at, elapsed, target, quality)."""
    status, started, elapsed, target, quality = zip(*rows, strict=True)
    return ClockColumns(
        np.array(status, dtype=np.int8),
        np.array(started, dtype=np.int64),
        np.array(elapsed, dtype=np.int64),
        np.array(target, dtype=np.int64),
        np.array(quality, dtype=np.int8),
    )


START = at("2026-03-02T00:00")  # a Monday
SIX = table(
    [
        (MET, START + 1 * H, 1 * H, 2 * H, 1),  # 0 group a
        (MET, START + 2 * H, 3 * H, 4 * H, 0),  # 1 group a
        (MISSED, START + 3 * H, 5 * H, 2 * H, 1),  # 2 group a
        (BREACHED, START + 4 * H, 9 * H, 2 * H, -1),  # 3 group b
        (ON_TRACK, START + 5 * H, 1 * H, 2 * H, -1),  # 4 group b
        (CANCELLED, START + 6 * H, 0, 2 * H, -1),  # 5 no group
    ]
)
GROUPS = np.array([0, 0, 0, 1, 1, -1], dtype=np.int64)


def test_aggregate_counts_adherence_quality_and_members_by_hand() -> None:
    stats = aggregate(SIX, GROUPS, ("a", "b"))
    assert stats.clocks.tolist() == [3, 2]
    assert stats.met.tolist() == [2, 0] and stats.missed.tolist() == [1, 0]
    assert stats.late.tolist() == [1, 1] and stats.open.tolist() == [0, 2]
    assert stats.adherence[0] == pytest.approx(2 / 3) and np.isnan(stats.adherence[1])
    assert stats.quality_pass_rate[0] == pytest.approx(2 / 3)
    assert stats.median_response[0] == 3 * H and np.isnan(stats.median_response[1])
    assert stats.p90_response[0] == pytest.approx(np.percentile([1 * H, 3 * H, 5 * H], 90))
    assert stats.breach_rate.tolist() == [pytest.approx(1 / 3), 0.5]
    assert stats.members.of(0).tolist() == [0, 1, 2]
    assert stats.members.of(1).tolist() == [3, 4]


def test_grouped_quantiles_match_numpy_on_every_group_size() -> None:
    rng = np.random.default_rng(3)
    groups = [np.sort(rng.integers(0, 1000, size)).astype(float) for size in range(0, 12)]
    values = np.concatenate(groups)
    sizes = np.array([g.size for g in groups])
    for q in (0.5, 0.9):
        found = grouped_quantiles(values, sizes, q)
        assert np.isnan(found[0])
        expected = [np.percentile(g, q * 100) for g in groups[1:]]
        assert found[1:] == pytest.approx(expected)


def test_deal_bands_put_amounts_in_their_band_and_unknown_last() -> None:
    codes, labels = deal_bands(np.array([500.0, 10_000.0, 75_000.0, 250_000.0, np.nan]))
    assert codes.tolist() == [0, 1, 2, 3, 4]
    assert labels == ("Under $10k", "$10k–$50k", "$50k–$100k", "$100k and over", "No amount")


def test_local_seconds_follow_daylight_saving_in_the_display_zone() -> None:
    # New York springs forward on 2026-03-08 at 02:00 (EST -5 to EDT -4).
    before = at("2026-03-08T01:30")
    after = at("2026-03-08T03:30")
    assert after - before == H
    local = local_seconds(np.array([before, after, at("2026-11-02T09:00")]), NY)
    wall = [datetime.fromtimestamp(int(s), UTC).strftime("%m-%d %H:%M") for s in local]
    assert wall == ["03-08 01:30", "03-08 03:30", "11-02 09:00"]


def test_day_buckets_are_local_days_and_23_hours_long_on_the_spring_change() -> None:
    bounds, labels = bucket_bounds(at("2026-03-07T00:00"), at("2026-03-10T00:00"), NY, "day")
    assert labels == ("2026-03-07", "2026-03-08", "2026-03-09")
    assert np.diff(bounds).tolist() == [24 * H, 23 * H, 24 * H]
    weeks, week_labels = bucket_bounds(at("2026-03-04T12:00"), at("2026-03-17T00:00"), NY, "week")
    assert week_labels == ("2026-03-02", "2026-03-09", "2026-03-16")
    assert weeks[0] == START and weeks.size == 4
    with pytest.raises(ValueError, match="cannot bucket by 'month'"):
        bucket_bounds(0, 1, NY, "month")


def test_adherence_over_time_per_handoff_and_day() -> None:
    day2 = at("2026-03-03T10:00")
    columns = table(
        [
            (MET, START + H, H, 2 * H, -1),  # handoff 0, day 0
            (MISSED, START + 2 * H, 3 * H, 2 * H, -1),  # handoff 0, day 0
            (MET, day2, H, 2 * H, -1),  # handoff 1, day 1
            (MISSED, at("2026-03-05T10:00"), 3 * H, 2 * H, -1),  # outside [start, end)
        ]
    )
    handoff = np.array([0, 0, 1, 0], dtype=np.int64)
    series = adherence_over_time(
        columns, handoff, ("h0", "h1"), start=START, end=at("2026-03-05T00:00"), zone=NY
    )
    assert series.buckets == ("2026-03-02", "2026-03-03", "2026-03-04")
    adherence = series.by_handoff.adherence.reshape(2, 3)
    assert adherence[0, 0] == 0.5 and np.isnan(adherence[0, 1])
    assert adherence[1, 1] == 1.0
    assert series.total.clocks.tolist() == [2, 1, 0]
    assert series.by_handoff.members.of(series.handoff_group(0, 0)).tolist() == [0, 1]


def test_breach_heat_counts_by_local_weekday_and_hour_and_lists_breaches() -> None:
    monday_9 = at("2026-03-02T09:15")
    sunday_after_change = at("2026-03-08T09:15")  # EDT now: still 09:00 local
    columns = table(
        [
            (MISSED, monday_9, 3 * H, 2 * H, -1),
            (MET, monday_9 + 60, H, 2 * H, -1),
            (BREACHED, sunday_after_change, 3 * H, 2 * H, -1),
        ]
    )
    heat = breach_heat(columns, NY)
    assert heat.clocks[0, 9] == 2 and heat.breaches[0, 9] == 1
    assert heat.breaches[6, 9] == 1 and heat.clocks.sum() == 3
    assert heat.members.of(0 * 24 + 9).tolist() == [0]
    assert heat.members.of(6 * 24 + 9).tolist() == [2]
    assert heat.breach_rate()[0, 9] == 0.5


def test_response_distribution_bins_by_share_of_target() -> None:
    columns = table(
        [
            (MET, START, 30 * 60, 2 * H, -1),  # 25 %: bin 2 (20-30 %)
            (MET, START, 2 * H, 2 * H, -1),  # exactly 100 %: bin 9 (90-100 %)
            (MISSED, START, 5 * H, 2 * H, -1),  # 250 %: over 200 %
            (ON_TRACK, START, H, 2 * H, -1),  # open: not a response
        ]
    )
    found = response_distribution(columns, np.zeros(4, dtype=np.int64), ("h",))
    assert found.counts[0].sum() == 3
    assert found.counts[0, 2] == 1 and found.counts[0, 9] == 1 and found.counts[0, -1] == 1
    assert found.bin_label(9) == "90%–100% of target"
    assert found.bin_label(found.bins - 1) == "over 200% of target"
    assert found.members.of(found.group(0, 9)).tolist() == [1]
    assert found.handoff.median_response[0] == 2 * H


def test_rep_scorecards_use_all_team_clocks_as_the_reference() -> None:
    owner = np.array([0, 0, 1, 1, 2, -1], dtype=np.int64)
    team = np.array([0, 0, 0, 0, 1, 2], dtype=np.int64)
    cards = rep_scorecards(
        SIX, owner, ("ann", "bob", "cy"), np.array([0, 0, 1]), team, ("A", "B", "Unassigned")
    )
    assert cards.reps.adherence[0] == 1.0 and cards.reps.adherence[1] == 0.0
    assert cards.teams.adherence[0] == pytest.approx(2 / 3)  # 2 met of 3 judged, not (1 + 0) / 2
    assert cards.reference(cards.teams.adherence).tolist()[:2] == [pytest.approx(2 / 3)] * 2
    assert cards.team_of(2) == 1
    assert cards.teams.clocks.tolist() == [4, 1, 1]


def test_open_clocks_are_judged_again_with_their_rule_calendar() -> None:
    from slaapp.engine.calendar import Calendar, CalendarSpec
    from slaapp.engine.metrics_open import judge_open_now

    office = Calendar(CalendarSpec(timezone=NY, hours={d: ((9 * H, 17 * H),) for d in range(5)}))
    friday_5pm = at("2026-03-06T17:00")
    status = np.array([ON_TRACK, ON_TRACK, MET, ON_TRACK], dtype=np.int8)
    elapsed = np.array([H, H, H, H], dtype=np.int64)
    target = np.full(4, 2 * H, dtype=np.int64)
    evaluated = np.array([friday_5pm, friday_5pm, friday_5pm, at("2026-03-09T10:00")])
    rule = np.array([0, 1, 0, 0], dtype=np.int64)
    rules = [(office, 0.75), None]
    # Monday 10:00: one business hour later the clock has used exactly its target: at risk.
    found, spent, _ = judge_open_now(
        status, elapsed, target, evaluated, at("2026-03-09T10:00"), rule, rules
    )
    assert found.tolist() == [AT_RISK, ON_TRACK, MET, ON_TRACK] and spent.tolist() == [
        2 * H,
        H,
        H,
        H,
    ]
    # 11:00: past the target, breached; the unknown rule and the closed clock stay as stored;
    # the clock stored at 10:00 gains one hour only.
    found, spent, _ = judge_open_now(
        status, elapsed, target, evaluated, at("2026-03-09T11:00"), rule, rules
    )
    assert found.tolist() == [BREACHED, ON_TRACK, MET, AT_RISK]
    assert spent.tolist() == [3 * H, H, H, 2 * H]
