"""Issue 18: planted causes (hour block, bad day, slow people, source slope, weekend 24x7) are
found exactly, with their figures, and nothing is found on histories without causes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventLogBuilder
from slaapp.engine.insights import InsightInputs, Period, analyze, build_frame, what_if
from slaapp.engine.insights.export import report_json
from slaapp.engine.insights.findings import KINDS
from slaapp.engine.insights.report_text import report_lines
from slaapp.engine.insights.whatif import Change
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.engine.people import PersonInfo

NY = "America/New_York"
H, D = 3600, 86400
FIRST = date(2026, 1, 5)  # a Monday
WEEKS = 17
REPS = ("ana", "ben", "cleo", "dev", "eli", "fay", "gus", "hal")
SLOW, DECOY = "ben", "dev"  # ben is slow everywhere; dev works the block a lot, at normal speed
BAD_DAY = FIRST + timedelta(weeks=9, days=1)  # a Tuesday
SOURCES = ("Web", "Partner", "Event")
DOC = {
    "format": "slaapp.matrix/1",
    "name": "Synthetic i18",
    "calendars": {
        "ny": {"timezone": NY, "hours": {d: ["09:00-18:00"] for d in
                                         ("mon", "tue", "wed", "thu", "fri")}},
        "24x7": {"timezone": NY, "always": True},
    },
    "segments": [
        {"key": "enterprise", "name": "Enterprise", "when": {"tier": "Enterprise"}},
        {"key": "default", "name": "Everyone else", "when": {}},
    ],
    "handoffs": [
        {"key": "first_contact", "name": "Assigned to first contact", "team": "SDR",
         "start": "assigned", "stop": "first_contact", "calendar": "ny",
         "rules": {"default": {"target": "2h"}}},
        {"key": "weekend_reply", "name": "Weekend inquiry to reply", "team": "SDR",
         "start": "inquiry", "stop": "reply", "calendar": "24x7",
         "rules": {"default": {"target": "1h"}}},
    ],
}  # fmt: skip
MATRIX = matrix_from_document(DOC)
PEOPLE = tuple(
    PersonInfo(r, r.title(), f"{r}@example.com", "SDR", "rep", None, NY, (9, 18), 60) for r in REPS
)
PARTNER_BANDS = (0.25, 0.14, 0.07, 0.04)  # conversion by band: within half .. over twice
FLAT = 0.08


@dataclass(frozen=True)
class Plant:
    block: bool = False  # SDR slow on Thursdays 13:00-17:00 New York, every week
    bad_day: bool = False  # one bad Tuesday
    slow: bool = False  # ben 3x slower, inside and outside the block
    slope: bool = False  # Partner leads convert much less when contacted slowly
    weekend: bool = False  # weekend inquiries on a 24x7 rule, answered on Monday


def midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(NY)).timestamp())


def history(
    plant: Plant, seed: int, per_day: int = 50, people: tuple[PersonInfo, ...] = PEOPLE
) -> InsightInputs:
    rng = np.random.default_rng(seed)
    builder = EventLogBuilder(("source", "tier"))
    for offset in range(WEEKS * 7):
        day = FIRST + timedelta(days=offset)
        base = midnight(day)
        if day.weekday() >= 5:
            if plant.weekend:
                monday = midnight(day + timedelta(days=7 - day.weekday()))
                for n in range(20):
                    record, rep = f"W{offset}-{n}", REPS[int(rng.integers(len(REPS)))]
                    at = base + int(rng.uniform(0, 24 * H))
                    attributes = {"source": "Web", "tier": "SMB"}
                    builder.add(record, "inquiry", at, f"{rep}@example.com", attributes)
                    reply = monday + 9 * H + int(rng.exponential(H))
                    builder.add(record, "reply", reply, f"{rep}@example.com")
            continue
        for n in range(per_day):
            record = f"L{offset}-{n}"
            local = int(rng.uniform(9 * H, 17 * H))
            hour = local // H
            in_block = plant.block and day.weekday() == 3 and 13 <= hour < 17
            rep = REPS[int(rng.integers(len(REPS)))]
            if plant.block and in_block and rng.uniform() < 0.4:
                rep = DECOY
            source = SOURCES[int(rng.choice(3, p=(0.5, 0.3, 0.2)))]
            tier = "Enterprise" if rng.uniform() < 0.3 else "SMB"
            delay = 40 * 60 * float(rng.lognormal(0.0, 0.8))
            if in_block:
                delay *= 8
            if plant.bad_day and day == BAD_DAY:
                delay *= 8
            if plant.slow and rep == SLOW:
                delay *= 3.5
            assigned = base + local
            contact = _business_add(base, local, delay)
            owner = f"{rep}@example.com"
            builder.add(record, "assigned", assigned, owner, {"source": source, "tier": tier})
            builder.add(record, "first_contact", contact, owner)
            share = delay / (2 * H)
            band = int(np.searchsorted((0.5, 1.0, 2.0), share))
            chance = PARTNER_BANDS[band] if plant.slope and source == "Partner" else FLAT
            if rng.uniform() < chance:
                builder.add(record, "closed_won", contact + 20 * D, owner)
    log = builder.build()
    as_of = midnight(FIRST + timedelta(weeks=WEEKS)) + 40 * D
    return InsightInputs(log, evaluate(MATRIX, log, as_of), MATRIX, people, as_of)


def _business_add(base: int, local: int, seconds: float) -> int:
    """`seconds` of work from `local` (seconds after local midnight) in 09:00-18:00 weekdays."""
    day_start, day_end = 9 * H, 18 * H
    left = seconds
    at = local
    day = 0
    while True:
        room = day_end - at
        if left <= room:
            result = base + day * D + at + int(left)
            break
        left -= room
        day += 1
        weekday = (FIRST.weekday() + ((base - midnight(FIRST)) // D) + day) % 7
        while weekday >= 5:
            day += 1
            weekday = (weekday + 1) % 7
        at = day_start
    return result


PERIOD = Period(midnight(FIRST), midnight(FIRST + timedelta(weeks=WEEKS)))
SEEDS = (1, 2, 3)
ALL = Plant(block=True, bad_day=True, slow=True, slope=True, weekend=True)


def kinds(report) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {k: [] for k in KINDS}
    for f in report_json(report)["findings"]:
        found[f["kind"]].append(f)
    return found


@pytest.fixture(scope="module", params=SEEDS)
def planted(request):
    inputs = history(ALL, request.param)
    return inputs, analyze(inputs, PERIOD, with_suggestions=False)


@pytest.fixture(scope="module", params=SEEDS)
def clean(request):
    inputs = history(Plant(weekend=False), request.param)
    return inputs, analyze(inputs, PERIOD)


def test_the_hour_block_is_found_exactly_with_its_figures(planted):
    _, report = planted
    (block,) = kinds(report)["capacity_block"]
    assert (block["team"], block["weekday"], block["hours"]) == ("SDR", "Thursday", [13, 17])
    assert block["weeks"] >= 15 and block["weeks_seen"] == WEEKS
    assert block["rate"] > 0.6 and block["baseline_rate"] < 0.25
    assert block["late"] <= block["clocks"] and block["clocks"] > 300
    assert block["certainty"] == "very likely"
    assert "Thursdays 13:00-17:00 (New York)" in block["title"]


def test_the_single_bad_day_is_found_and_nothing_on_weekends(planted):
    _, report = planted
    days = kinds(report)["capacity_day"]
    assert [d["day"] for d in days] == [BAD_DAY.isoformat()]
    assert days[0]["rate"] > 0.5 > 0.25 > days[0]["baseline_rate"]
    weekend = {"Saturday", "Sunday"}
    assert not any(b["weekday"] in weekend for b in kinds(report)["capacity_block"])


def test_the_slow_person_is_compared_with_normal_work_and_the_decoy_is_not(planted):
    inputs, report = planted
    (person,) = kinds(report)["slow_person"]
    assert (person["person"], person["email"], person["team"]) == (
        SLOW,
        f"{SLOW}@example.com",
        "SDR",
    )
    assert person["handoff"] == "first_contact"
    # The block and the bad day are left out of both sides: the team's normal rate is low.
    frame = build_frame(inputs)
    clocks = inputs.clocks
    h = clocks.handoff_keys.index("first_contact")
    ben = clocks.owners.index(f"{SLOW}@example.com")
    normal = (
        PERIOD.contains(clocks.started_at) & frame.judged & (clocks.handoff == h)
        & ~((frame.weekday == 3) & (frame.hour >= 13) & (frame.hour < 17))
        & (frame.local_day != np.datetime64(BAD_DAY, "D").astype(np.int64))
    )  # fmt: skip
    rest = normal & (clocks.owner != ben)
    assert person["baseline_rate"] == pytest.approx(float(frame.breached[rest].mean()), abs=0.01)
    mine = normal & (clocks.owner == ben)
    assert person["clocks"] == int(mine.sum())
    assert person["rate"] > 2 * person["baseline_rate"]


def test_speed_matters_for_partner_leads_only(planted):
    _, report = planted
    (speed,) = kinds(report)["speed_matters"]
    assert (speed["handoff"], speed.get("source")) == ("first_contact", "Partner")
    assert "segment" not in speed
    bands = speed["bands"]
    assert bands[0]["label"] == "within half the target"
    assert bands[0]["rate"] > 0.18 and bands[-1]["rate"] < 0.09
    assert "no effect" in speed["title"]


def test_no_target_is_loosened_when_blocks_and_people_explain_the_late_clocks(planted):
    inputs, _ = planted
    report = analyze(inputs, PERIOD)
    actions = {(f["action"], f["handoff"]) for f in kinds(report)["suggestion"]}
    assert ("loosen", "first_contact") not in actions
    assert ("staff", "first_contact") in actions and ("coach", "first_contact") in actions
    assert ("tighten", "first_contact") in actions
    staff = next(f for f in kinds(report)["suggestion"] if f["action"] == "staff")
    assert "Thursdays 13:00-17:00" in staff["change"] and "to about" in staff["effect"]
    text = "\n".join(report_lines(report))
    assert "About 0 " not in text and "q = 0" not in text and "BH-adjusted" not in text


def test_the_what_if_uses_the_partner_curve(planted):
    inputs, _ = planted
    frame = build_frame(inputs)
    loose = what_if(frame, (Change("first_contact", None, 8 * H),), PERIOD)
    assert loose.conversion_points is not None and loose.conversion_points < -0.1


def test_nothing_is_found_without_causes(clean):
    _, report = clean
    found = kinds(report)
    assert all(found[k] == [] for k in KINDS if k != "suggestion"), found
    assert [f for f in found["suggestion"] if f["action"] != "loosen"] == []
    assert report.causes == () or all(c.kind == "target" for c in report.causes)


NO_HOURS = tuple(
    PersonInfo(r, r.title(), f"{r}@example.com", "SDR", "rep", None, NY, (0, 0), 60) for r in REPS
)


@pytest.mark.parametrize("people", [PEOPLE, NO_HOURS], ids=["directory hours", "calendar"])
def test_weekend_24x7_clocks_alone_make_no_capacity_finding(people):
    inputs = history(Plant(weekend=True), seed=5, people=people)
    report = analyze(inputs, PERIOD, with_suggestions=False)
    found = kinds(report)
    assert found["capacity_block"] == [] and found["capacity_day"] == []
    assert found["slow_person"] == []


SINGLE = {
    "block": Plant(block=True),
    "bad_day": Plant(bad_day=True),
    "slow": Plant(slow=True),
    "slope": Plant(slope=True),
}
EXPECTED = {
    "block": {"capacity_block"},
    "bad_day": {"capacity_day"},
    "slow": {"slow_person"},
    "slope": {"speed_matters"},
}


@pytest.mark.parametrize("seed", (11, 12))
@pytest.mark.parametrize("cause", sorted(SINGLE))
def test_each_cause_alone_is_the_only_finding(cause, seed):
    report = analyze(history(SINGLE[cause], seed), PERIOD, with_suggestions=False)
    found = {k for k, items in kinds(report).items() if items and k != "suggestion"}
    assert found == EXPECTED[cause]
    if cause == "block":  # the decoy who works the block a lot is not a slow person
        assert kinds(report)["capacity_block"][0]["hours"] == [13, 17]
    if cause == "slow":
        assert [f["person"] for f in kinds(report)["slow_person"]] == [SLOW]
