"""Clocks under several matrix versions: effective-from, the first version's reach, re-evaluation."""

from __future__ import annotations

import copy

from slaapp.engine.eventlog import event_log
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.engine.versions import PublishedMatrix, evaluate_versions

from .test_clocks import DOC, at, ev

H = 3600


def matrix(target: str):
    doc = copy.deepcopy(DOC)
    doc["handoffs"][0]["rules"]["default"]["target"] = target
    return matrix_from_document(doc)


V1, V2 = matrix("2h"), matrix("4h")
LOG = event_log(
    [
        ev("early", "mql", "2026-03-02T09:00"),  # closed before v2
        ev("early", "first_contact", "2026-03-02T10:00"),
        ev("open", "mql", "2026-03-02T11:00"),  # still open when v2 takes effect
        ev("late", "mql", "2026-03-03T10:00"),  # starts after v2
    ]
)
SWITCH = at("2026-03-02T12:00")
AS_OF = at("2026-03-03T12:00")


def judged(versions):
    table, numbers = evaluate_versions(versions, LOG, AS_OF)
    return {
        row["record_id"]: (row["target_seconds"], int(n)) for row, n in zip(table.rows(), numbers)
    }


def test_each_clock_is_judged_by_the_version_in_force_at_its_start():
    found = judged([PublishedMatrix(1, V1, at("2026-03-02T10:30")), PublishedMatrix(2, V2, SWITCH)])
    # The first version covers all earlier history, even before its own effective-from.
    assert found == {"early": (2 * H, 1), "open": (2 * H, 1), "late": (4 * H, 2)}


def test_reevaluate_open_moves_clocks_open_at_the_switch_to_the_new_version():
    found = judged(
        [PublishedMatrix(1, V1, 0), PublishedMatrix(2, V2, SWITCH, reevaluate_open=True)]
    )
    assert found == {"early": (2 * H, 1), "open": (4 * H, 2), "late": (4 * H, 2)}


def test_a_version_effective_after_as_of_judges_nothing_yet():
    found = judged(
        [PublishedMatrix(1, V1, 0), PublishedMatrix(2, V2, AS_OF + 1, reevaluate_open=True)]
    )
    assert {v for _, v in found.values()} == {1}


def test_versions_may_differ_in_handoffs_and_segments():
    doc = copy.deepcopy(DOC)
    extra = copy.deepcopy(doc["handoffs"][0])
    extra.update(
        key="contact_demo",
        start="first_contact",
        stop="demo_held",
        cancel=[],
        pause=None,
        resume=None,
    )
    doc["handoffs"].append(extra)
    table, numbers = evaluate_versions(
        [PublishedMatrix(1, V1, 0), PublishedMatrix(2, matrix_from_document(doc), SWITCH)],
        LOG,
        AS_OF,
    )
    assert set(table.handoff_keys) == {"mql_contact", "contact_demo"}
    rows = list(table.rows())
    # "early" reached first_contact before v2 existed: under v1 there is no contact_demo clock.
    assert [(r["record_id"], r["handoff"]) for r in rows] == [
        ("early", "mql_contact"),
        ("open", "mql_contact"),
        ("late", "mql_contact"),
    ]
    assert list(numbers) == [1, 1, 2]
