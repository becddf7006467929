"""Alert ladder: hand-checked steps and crossings, and a fake clock through catch-up, snooze, ack."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from slaapp.engine.alert_clocks import clock_ladders, open_rows
from slaapp.engine.alert_ladder import NEVER, ladder, plan
from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.matrix_document import matrix_from_document

NY = "America/New_York"
H = 3600
WEEK = ["mon", "tue", "wed", "thu", "fri"]


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(NY)).timestamp())


DOC = {
    "format": "slaapp.matrix/1",
    "name": "Test",
    "calendars": {
        "ny": {"timezone": NY, "hours": {d: ["09:00-17:00"] for d in WEEK}},
        "24x7": {"timezone": "UTC", "always": True},
    },
    "segments": [
        {"key": "fast", "name": "Fast", "when": {"tier": "Enterprise"}},
        {"key": "default", "name": "Everyone else", "when": {}},
    ],
    "handoffs": [
        {
            "key": "contact",
            "name": "First contact",
            "team": "Sales",
            "start": "assigned",
            "stop": "first_contact",
            "cancel": ["disqualified"],
            "pause": "hold",
            "resume": "unhold",
            "calendar": "ny",
            "warn_at": [0.5, 0.75],
            "escalation": [
                {"at": 1.0, "notify": ["owner", "manager"], "channels": ["desktop", "email"]},
                {"at": 1.5, "notify": ["vp"], "channels": ["slack"], "reassign": True},
            ],
            "rules": {
                "fast": {"target": "1h", "calendar": "24x7", "warn_at": [0.5]},
                "default": {"target": "2h"},
            },
        }
    ],
}
MATRIX = matrix_from_document(DOC)


def test_ladder_orders_warnings_breach_and_escalations() -> None:
    steps = ladder(MATRIX.handoff("contact"), "default")
    assert [(s.key, s.at, s.kind) for s in steps] == [
        ("warn@0.5", 0.5, "warning"),
        ("warn@0.75", 0.75, "warning"),
        ("breach", 1.0, "breach"),
        ("esc@1.5", 1.5, "escalation"),
    ]
    assert steps[2].notify == ("owner", "manager") and steps[2].channels == ("desktop", "email")
    assert steps[3].reassign and not steps[0].remindable and steps[2].remindable
    assert [s.key for s in ladder(MATRIX.handoff("contact"), "fast")] == [
        "warn@0.5",
        "breach",
        "esc@1.5",
    ]


def _ladders(rows: list[EventRow], now: int):
    clocks = evaluate(MATRIX, event_log(rows), now)
    versions = np.ones(len(clocks), dtype=np.int32)
    return clock_ladders(clocks, {1: MATRIX}, versions, open_rows(clocks))


def test_crossings_follow_the_business_calendar() -> None:
    # Assigned Friday 16:00; 2 business hours: warn 0.5 at 17:00 Friday, 0.75 Monday 09:30,
    # breach just after Monday 10:00, escalation (3 h) just after Monday 11:00.
    start = at("2026-11-27T16:00")
    found = _ladders([EventRow("r1", "assigned", start, "ann")], start)
    assert found.crossing.tolist() == [
        [at("2026-11-27T17:00"), at("2026-11-30T09:30"), at("2026-11-30T10:00") + 1,
         at("2026-11-30T11:00") + 1]
    ]  # fmt: skip


def test_a_pause_moves_the_crossings_and_a_paused_clock_crosses_nothing() -> None:
    start = at("2026-11-30T09:00")
    rows = [EventRow("r1", "assigned", start, "ann"), EventRow("r1", "hold", start + H // 2)]
    paused = _ladders(rows, start + 2 * H)
    assert paused.crossing.tolist() == [[NEVER] * 4]
    rows.append(EventRow("r1", "unhold", start + 3 * H))
    resumed = _ladders(rows, start + 3 * H)
    # 30 min ran before the hold; 30 more reach the first warning at 12:30.
    assert resumed.crossing[0, 0] == start + 3 * H + H // 2


def test_met_and_cancelled_clocks_have_no_ladder() -> None:
    start = at("2026-11-30T09:00")
    rows = [
        EventRow("r1", "assigned", start, "ann"),
        EventRow("r1", "first_contact", start + H),
        EventRow("r2", "assigned", start, "bob"),
        EventRow("r2", "disqualified", start + H),
    ]
    assert len(_ladders(rows, start + 10 * H)) == 0


@dataclass
class FakeClockState:
    """The persisted state of one clock, as the service keeps it, driven by a fake clock."""

    fired: int = -1
    fired_at: int = 0
    acked: bool = False
    snoozed_until: int = 0
    log: list[tuple[int, str, bool]] = field(default_factory=list)

    def tick(self, rows: list[EventRow], now: int, remind_every: int = 0) -> int:
        found = _ladders(rows, now)
        is_open = np.array([len(found) > 0])
        if not len(found):
            return NEVER
        result = plan(
            found.crossing, found.remindable, is_open, np.array([self.fired], dtype=np.int32),
            np.array([self.fired_at]), np.array([self.acked]), np.array([self.snoozed_until]),
            now, remind_every,
        )  # fmt: skip
        step = int(result.step[0])
        if step >= 0:
            self.log.append((now, found.steps[0][step].key, bool(result.reminder[0])))
            if step != self.fired:
                self.acked = False
            self.fired, self.fired_at = step, now
        return int(result.next_at[0])


def test_fake_clock_crossings_catch_up_snooze_and_acknowledge() -> None:
    start = at("2026-11-30T09:00")
    rows = [EventRow("r1", "assigned", start, "ann")]
    state = FakeClockState()
    assert state.tick(rows, start) == start + H  # next: warn@0.5 at 10:00
    assert state.tick(rows, start + H) == start + H + H // 2
    assert state.log == [(start + H, "warn@0.5", False)]
    # Downtime from 10:00 to 12:00: only the breach (highest crossed) fires, once.
    now = start + 3 * H
    state.tick(rows, now, remind_every=H)
    state.tick(rows, now, remind_every=H)
    assert state.log[1:] == [(now, "breach", False)]
    # Snoozed for 15 minutes: the escalation at 12:00 waits until the snooze ends.
    state.snoozed_until = now + 15 * 60
    assert state.tick(rows, now + 60, remind_every=H) == now + 15 * 60
    assert len(state.log) == 2
    # The escalation crossed at 12:00 (3 h of business time); it fires when the snooze ends.
    state.tick(rows, now + 15 * 60, remind_every=H)
    assert state.log[-1] == (now + 15 * 60, "esc@1.5", False)
    # Unacknowledged, it reminds an hour later; acknowledged, it stops.
    state.snoozed_until = 0
    assert state.tick(rows, now + 75 * 60, remind_every=H) == now + 135 * 60
    assert state.log[-1] == (now + 75 * 60, "esc@1.5", True)
    state.acked = True
    assert state.tick(rows, now + 10 * H, remind_every=H) == NEVER
    assert len(state.log) == 4
    # Once met, nothing more.
    rows.append(EventRow("r1", "first_contact", now + 11 * H))
    assert state.tick(rows, now + 12 * H, remind_every=H) == NEVER
    assert len(state.log) == 4
