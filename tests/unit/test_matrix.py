"""The matrix file: validation with paths, durations, predicates and lossless round trips."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from slaapp.engine.durations import DurationError, describe_duration, parse_duration
from slaapp.engine.matrix_document import (
    MatrixError,
    dump_matrix,
    matrix_from_document,
    matrix_to_document,
    parse_matrix,
)
from slaapp.engine.predicates import Condition
from slaapp.importers.matrix_file import load_matrix, save_matrix

from .test_clocks import DOC

DEFAULT = Path(__file__).resolve().parents[2] / "resources" / "matrices" / "revenue-default.json"

DESIGN_EXAMPLE = {
    "format": "slaapp.matrix/1",
    "name": "Revenue handoffs",
    "calendars": {
        "ny": {
            "timezone": "America/New_York",
            "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2026-12-24"],
            "holiday_preset": {"country": "US", "subdiv": "NY"},
            "overrides": {"2026-12-31": ["09:00-13:00"]},
            "hours_per_day": 8,
        },
        "24x7": {"timezone": "UTC", "always": True},
    },
    "segments": [
        {"key": "enterprise", "name": "Enterprise", "when": {"tier": "Enterprise"}},
        {"key": "after_hours", "name": "Inbound after hours", "when": {"arrival": "after_hours"}},
        {"key": "big", "name": "Large deals", "when": {"amount": {"gte": 100000}}},
        {"key": "default", "name": "Everyone else", "when": {}},
    ],
    "handoffs": [
        {
            "key": "mql_contact",
            "name": "MQL to first contact",
            "team": "Sales",
            "start": "mql",
            "stop": "first_contact",
            "cancel": ["disqualified"],
            "pause": None,
            "resume": None,
            "calendar": "ny",
            "quality": {"required": ["discovery_notes"]},
            "warn_at": [0.5, 0.75],
            "at_risk": 0.75,
            "escalation": [
                {"at": 1.0, "notify": ["owner", "manager"], "channels": ["desktop", "email"]},
                {"at": 1.5, "notify": ["vp"], "channels": ["slack"], "reassign": True},
            ],
            "rules": {
                "enterprise": {"target": "1h", "calendar": "24x7"},
                "after_hours": {"target": "4h", "calendar": "24x7"},
                "default": {"target": "2h"},
            },
        }
    ],
}


def problems(doc) -> list[tuple[str, str]]:
    with pytest.raises(MatrixError) as info:
        matrix_from_document(doc, "m.json")
    return [(p.path, p.message) for p in info.value.problems]


def test_design_example_loads_with_every_field():
    matrix = matrix_from_document(copy.deepcopy(DESIGN_EXAMPLE))
    handoff = matrix.handoff("mql_contact")
    assert handoff.cancel == ("disqualified",)
    assert handoff.quality_required == ("discovery_notes",)
    assert handoff.warn_at == (0.5, 0.75)
    assert [s.at for s in handoff.escalation] == [1.0, 1.5]
    assert handoff.escalation[1].reassign is True
    assert {k: r.target_seconds for k, r in handoff.rules.items()} == {
        "enterprise": 3600,
        "after_hours": 14400,
        "default": 7200,
    }
    assert handoff.rule_calendar("enterprise") == "24x7"
    assert handoff.rule_calendar("default") == "ny"
    assert matrix.segment_keys == ("enterprise", "after_hours", "big", "default")
    ny = matrix.calendars["ny"]
    assert ny.holiday_preset is not None and ny.holiday_preset.subdiv == "NY"
    assert ny.overrides and ny.hours[0] == ((9 * 3600, 17 * 3600),)


@pytest.mark.parametrize("source", [DESIGN_EXAMPLE, DOC])
def test_round_trip_is_lossless(source, tmp_path):
    matrix = matrix_from_document(copy.deepcopy(source))
    path = tmp_path / "m.json"
    save_matrix(matrix, path)
    again = load_matrix(path)
    assert again == matrix
    assert dump_matrix(again) == path.read_text(encoding="utf-8")
    assert matrix_to_document(
        matrix_from_document(matrix_to_document(matrix))
    ) == matrix_to_document(matrix)


def test_round_trip_keeps_duration_text_and_predicates():
    doc = matrix_to_document(matrix_from_document(copy.deepcopy(DESIGN_EXAMPLE)))
    assert doc["handoffs"][0]["rules"]["enterprise"] == {"target": "1h", "calendar": "24x7"}
    assert [s["when"] for s in doc["segments"]] == [
        {"tier": "Enterprise"},
        {"arrival": "after_hours"},
        {"amount": {"gte": 100000}},
        {},
    ]


def test_default_matrix_ships_valid():
    matrix = load_matrix(DEFAULT)
    assert [h.key for h in matrix.handoffs] == [
        "mql_assigned",
        "first_contact",
        "sql_demo",
        "demo_proposal",
        "cs_assigned",
        "cs_kickoff",
        "onboarding",
        "renewal",
    ]
    assert matrix.segment_keys == ("enterprise", "partner_referral", "after_hours", "default")
    assert matrix.handoff("sql_demo").rules["default"].target_seconds == 5 * 10 * 3600


def test_every_problem_is_listed_with_its_path():
    doc = copy.deepcopy(DESIGN_EXAMPLE)
    doc["calendars"]["ny"]["timezone"] = "Mars/Olympus"
    doc["calendars"]["ny"]["hours"]["mon"] = ["17:00-09:00", "25:00-26:00"]
    doc["segments"][2]["when"] = {"amount": {"bigger": 1}}
    handoff = doc["handoffs"][0]
    handoff["rules"]["enterprise"]["target"] = "2 weeks"
    handoff["rules"]["vip"] = {"target": "1h"}
    handoff["warn-at"] = [0.5]
    handoff["escalation"][1]["channels"] = ["pager"]
    found = problems(doc)
    assert (
        "$.calendars.ny.timezone",
        "unknown time zone 'Mars/Olympus' (use an IANA name like America/New_York)",
    ) in found
    paths = [path for path, _ in found]
    assert "$.calendars.ny.hours.mon[0]" in paths and "$.calendars.ny.hours.mon[1]" in paths
    assert "$.segments[2].when.amount.bigger" in paths
    assert "$.handoffs[0].rules.enterprise.target" in paths
    assert "$.handoffs[0].rules.vip" in paths
    assert "$.handoffs[0].warn-at" in paths
    assert "$.handoffs[0].escalation[1].channels[0]" in paths
    # An invalid calendar is still "defined": no cascade of unknown-calendar problems.
    assert not any("no such calendar" in reason for _, reason in found)


def test_error_text_names_the_file_path_value_and_reason():
    doc = copy.deepcopy(DESIGN_EXAMPLE)
    doc["handoffs"][0]["rules"]["default"]["target"] = "-2h"
    with pytest.raises(MatrixError) as info:
        matrix_from_document(doc, "team.json")
    text = str(info.value)
    assert text.startswith("team.json: 1 problem(s):")
    assert "$.handoffs[0].rules.default.target: " in text and '"-2h"' in text


@pytest.mark.parametrize(
    ("mutate", "path", "reason_part"),
    [
        (lambda d: d.update(format="slaapp.matrix/2"), "$.format", "slaapp.matrix/1"),
        (lambda d: d["segments"].pop(), "$.segments[2].key", "catch-all"),
        (
            lambda d: d["segments"][3].update(when={"tier": "x"}),
            "$.segments[3].when",
            "every record",
        ),
        (
            lambda d: d["handoffs"][0]["rules"].pop("default"),
            "$.handoffs[0].rules.default",
            "is required",
        ),
        (
            lambda d: d["handoffs"][0].update(calendar="london"),
            "$.handoffs[0].calendar",
            "no such calendar",
        ),
        (lambda d: d["handoffs"][0].update(pause="hold"), "$.handoffs[0].resume", "go together"),
        (lambda d: d["handoffs"][0].update(stop="mql"), "$.handoffs[0]", "more than one role"),
        (lambda d: d["handoffs"][0].update(at_risk=1.5), "$.handoffs[0].at_risk", "at most 1"),
        (
            lambda d: d["handoffs"][0].update(warn_at=[0.75, 0.5]),
            "$.handoffs[0].warn_at",
            "increasing",
        ),
        (
            lambda d: d["handoffs"][0]["escalation"].reverse(),
            "$.handoffs[0].escalation[1].at",
            "increasing",
        ),
        (
            lambda d: d["handoffs"][0]["escalation"][0].update(notify=["the boss"]),
            "$.handoffs[0].escalation[0].notify[0]",
            "email",
        ),
        (
            lambda d: d["handoffs"].append(copy.deepcopy(d["handoffs"][0])),
            "$.handoffs[1].key",
            "earlier handoff",
        ),
        (
            lambda d: d["calendars"]["ny"].update(holidays=["2026-02-30"]),
            "$.calendars.ny.holidays[0]",
            "date",
        ),
        (
            lambda d: d["calendars"]["ny"].update(holiday_preset={"country": "US", "subdiv": "ZZ"}),
            "$.calendars.ny.holiday_preset.subdiv",
            "unknown subdivision",
        ),
        (
            lambda d: d["calendars"]["ny"].update(holiday_preset={"country": "XX"}),
            "$.calendars.ny.holiday_preset.country",
            "country",
        ),
        (lambda d: d["calendars"]["ny"].update(hours={}), "$.calendars.ny.hours", "never opens"),
        (
            lambda d: d["calendars"]["ny"].update(hours_per_day=30),
            "$.calendars.ny.hours_per_day",
            "at most 24",
        ),
        (
            lambda d: d["calendars"]["ny"]["hours"].update(mon=["9-5"]),
            "$.calendars.ny.hours.mon[0]",
            "09:00-17:00",
        ),
        (
            lambda d: d["calendars"]["ny"]["hours"].update(mo=["09:00-17:00"]),
            "$.calendars.ny.hours.mo",
            "weekday",
        ),
        (
            lambda d: d["segments"][0].update(when={"tier": {"in": []}}),
            "$.segments[0].when.tier.in",
            "non-empty list",
        ),
        (
            lambda d: d["handoffs"][0]["rules"]["default"].update(target=0),
            "$.handoffs[0].rules.default.target",
            "longer than zero",
        ),
    ],
)
def test_single_problems(mutate, path, reason_part):
    doc = copy.deepcopy(DESIGN_EXAMPLE)
    mutate(doc)
    found = problems(doc)
    assert any(p == path and reason_part in r for p, r in found), found


def test_bad_json_and_missing_file(tmp_path):
    with pytest.raises(MatrixError, match=r"not valid JSON: .* line 1"):
        parse_matrix("{", "x.json")
    with pytest.raises(MatrixError, match="file not found"):
        load_matrix(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([1, 2]))
    with pytest.raises(MatrixError, match=r"\$: must be an object"):
        load_matrix(bad)


def test_save_is_atomic_and_never_half_written(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("previous")
    matrix = matrix_from_document(copy.deepcopy(DESIGN_EXAMPLE))
    save_matrix(matrix, path)
    assert load_matrix(path) == matrix
    assert not (tmp_path / "m.json.tmp").exists()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (90, 90),
        ("90m", 5400),
        ("2h", 7200),
        ("1h30m", 5400),
        ("14d", 14 * 86400),
        ("3bd", 3 * 8 * 3600),
        ("1.5h", 5400),
        ("2 h 15 m", 8100),
        ("45s", 45),
        ("3600", 3600),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_business_days_use_the_calendar_hours_per_day():
    assert parse_duration("2bd", business_day_seconds=10 * 3600) == 72000


@pytest.mark.parametrize("bad", ["", "2x", "h", "-1h", 0, -5, True, None, "1h 2", [1]])
def test_bad_durations(bad):
    with pytest.raises(DurationError):
        parse_duration(bad)


def test_describe_duration():
    assert describe_duration(5400) == "1 h 30 min"
    assert describe_duration(-90061) == "-1 day 1 h"
    assert describe_duration(0) == "0 s"


@pytest.mark.parametrize(
    ("op", "operand", "value", "expected"),
    [
        ("eq", "Enterprise", "Enterprise", True),
        ("eq", "Enterprise", "enterprise", False),
        ("eq", 100, "100.0", True),
        ("ne", 100, "101", True),
        ("ne", "x", None, False),
        ("gt", 5, "10", True),
        ("gt", 5, "abc", False),
        ("gte", 100000, "100,000", True),
        ("lt", "2026-06-01", "2026-05-31", True),
        ("lte", 3, "3", True),
        ("in", ("A", 2), "2.0", True),
        ("in", ("A", 2), "B", False),
        ("not_in", ("A",), "B", True),
        ("not_in", ("A",), None, False),
        ("contains", "partner", "via partner portal", True),
        ("contains", "partner", "Partner", False),
        ("eq", True, "TRUE", True),
        ("eq", False, "true", False),
    ],
)
def test_predicate_operators(op, operand, value, expected):
    assert Condition("a", op, operand).test(value) is expected


def test_escalations_may_name_people_by_key_or_address():
    doc = copy.deepcopy(DESIGN_EXAMPLE)
    doc["handoffs"][0]["escalation"][0]["notify"] = [
        "team_lead",
        "ana.ruiz",
        "person:ben",
        "cro@acme.test",
    ]
    step = matrix_from_document(doc).handoff("mql_contact").escalation[0]
    assert step.notify == ("team_lead", "ana.ruiz", "person:ben", "cro@acme.test")
