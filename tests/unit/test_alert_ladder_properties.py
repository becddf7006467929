"""Alert ladder properties: once per step, highest only, nothing before the next instant."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slaapp.engine.alert_ladder import NEVER, plan

crossing_rows = st.lists(st.integers(0, 1000), min_size=1, max_size=5).map(sorted)
ticks = st.lists(st.integers(0, 1200), min_size=1, max_size=12).map(sorted)


def _run(rows: list[list[int]], times: list[int], remind_every: int, acks: bool, cap: int = 0):
    n, width = len(rows), max(len(r) for r in rows)
    crossing = np.full((n, width), NEVER, dtype=np.int64)
    remindable = np.zeros((n, width), dtype=np.bool_)
    for i, row in enumerate(rows):
        crossing[i, : len(row)] = row
        remindable[i, : len(row)] = [k == len(row) - 1 for k in range(len(row))]
    fired = np.full(n, -1, dtype=np.int32)
    fired_at = np.zeros(n, dtype=np.int64)
    acked = np.zeros(n, dtype=np.bool_)
    snoozed = np.zeros(n, dtype=np.int64)
    is_open = np.ones(n, dtype=np.bool_)
    events: list[tuple[int, int, int, bool, int]] = []
    next_at = np.zeros(n, dtype=np.int64)
    reminders = np.zeros(n, dtype=np.int32)
    for now in times:
        result = plan(
            crossing, remindable, is_open, fired, fired_at, acked, snoozed, now, remind_every,
            reminders, cap,
        )  # fmt: skip
        for i in np.flatnonzero(result.step >= 0).tolist():
            step = int(result.step[i])
            assert now >= next_at[i], "fired before the announced next instant"
            events.append((i, now, step, bool(result.reminder[i]), int(fired[i])))
            if step != fired[i]:
                acked[i] = False
                reminders[i] = 0
            else:
                reminders[i] += 1
            fired[i], fired_at[i] = step, now
            if acks:
                acked[i] = True
        next_at = result.next_at
    return crossing, events


@settings(max_examples=150, deadline=None)
@given(
    st.lists(crossing_rows, min_size=1, max_size=4), ticks, st.sampled_from([0, 50]), st.booleans()
)
def test_each_step_fires_once_highest_crossed_only(rows, times, remind_every, acks) -> None:
    crossing, events = _run(rows, times, remind_every, acks)
    first_firings = [e for e in events if not e[3]]
    seen = {(i, step) for i, _, step, _, _ in first_firings}
    assert len(seen) == len(first_firings)  # each step at most once per clock
    for i, now, step, reminder, before in events:
        crossed = np.flatnonzero(crossing[i] <= now)
        assert crossed.size and step == crossed[-1]  # the highest crossed step
        if reminder:
            assert step == before and not acks and remind_every > 0
        else:
            assert step > before


@settings(max_examples=150, deadline=None)
@given(crossing_rows, st.integers(0, 1200))
def test_after_downtime_a_clock_raises_only_its_highest_step(row, now) -> None:
    _, events = _run([row], [now, now], 0, False)
    crossed = [k for k, c in enumerate(row) if c <= now]
    assert [e[2] for e in events] == crossed[-1:]


@settings(max_examples=100, deadline=None)
@given(crossing_rows, ticks)
def test_closed_clocks_fire_nothing(row, times) -> None:
    crossing = np.array([row], dtype=np.int64)
    for now in times:
        result = plan(
            crossing, np.ones_like(crossing, dtype=np.bool_), np.array([False]),
            np.array([-1], dtype=np.int32), np.zeros(1, dtype=np.int64), np.array([False]),
            np.zeros(1, dtype=np.int64), now, 10,
        )  # fmt: skip
        assert result.step.tolist() == [-1] and result.next_at.tolist() == [NEVER]


@settings(max_examples=100, deadline=None)
@given(crossing_rows, st.integers(0, 1200), st.integers(1, 300))
def test_a_snooze_delays_the_next_step_until_it_ends(row, now, length) -> None:
    crossing = np.array([row], dtype=np.int64)
    args = (
        np.zeros_like(crossing, dtype=np.bool_),
        np.array([True]),
        np.array([-1], dtype=np.int32),
    )
    result = plan(crossing, *args, np.zeros(1, dtype=np.int64), np.array([False]),
                  np.array([now + length]), now, 0)  # fmt: skip
    assert result.step.tolist() == [-1]
    assert result.next_at[0] >= now + length


@settings(max_examples=100, deadline=None)
@given(
    crossing_rows,
    st.lists(st.integers(0, 3000), min_size=1, max_size=30).map(sorted),
    st.integers(1, 3),
)
def test_reminders_stop_after_the_cap(row, times, cap) -> None:
    _, events = _run([row], times, 50, False, cap)
    per_step: dict[int, int] = {}
    for _, _, step, reminder, _ in events:
        if reminder:
            per_step[step] = per_step.get(step, 0) + 1
    assert all(count <= cap for count in per_step.values())
