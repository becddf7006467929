"""Property test: the vectorised clock engine equals a literal event-by-event reference."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaapp.engine.clocks import evaluate
from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.matrix_document import matrix_from_document

from .reference_clocks import reference_clocks
from .test_clocks import DOC, at

MONDAY = at("2026-03-02T00:00")
EVENTS = ["mql", "first_contact", "disqualified", "hold", "unhold", "note", "demo_held"]

doc = copy.deepcopy(DOC)
doc["segments"].insert(
    2, {"key": "partner", "name": "Partner", "when": {"source": {"in": ["Partner", "Referral"]}}}
)
doc["handoffs"][0]["rules"]["big"] = {"target": "3h", "at_risk": 0.5}
second = copy.deepcopy(doc["handoffs"][0])
second.update(
    key="contact_demo",
    start="first_contact",
    stop="demo_held",
    cancel=["disqualified"],
    pause=None,
    resume=None,
)
second["rules"] = {"partner": {"target": "1bd"}, "default": {"target": "90m", "calendar": "24x7"}}
doc["handoffs"].append(second)
MATRIX = matrix_from_document(doc)

rows = st.lists(
    st.builds(
        EventRow,
        record_id=st.sampled_from(["r1", "r2", "r3", "r4"]),
        event=st.sampled_from(EVENTS),
        occurred_at=st.integers(MONDAY, MONDAY + 9 * 86400).map(lambda t: t - t % 600),
        owner=st.sampled_from([None, None, "ann", "bob", ""]),
        attributes=st.fixed_dictionaries(
            {},
            optional={
                "tier": st.sampled_from(["Enterprise", "SMB", ""]),
                "amount": st.sampled_from(["150000", "5000", "", "n/a"]),
                "source": st.sampled_from(["Partner", "Web", ""]),
                "discovery_notes": st.sampled_from(["notes", ""]),
            },
        ),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.integers(MONDAY, MONDAY + 10 * 86400))
def test_engine_equals_reference(events, as_of):
    got = list(evaluate(MATRIX, event_log(events), as_of).rows())
    assert got == reference_clocks(MATRIX, events, as_of)
