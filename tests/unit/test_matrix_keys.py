"""A new segment's or handoff's key follows the name people give it, until it is published."""

from __future__ import annotations

from slaapp.engine.matrix_keys import key_from_name, renamed_handoff, renamed_segment

DOC = {
    "segments": [
        {"key": "enterprise", "name": "Enterprise", "when": {}},
        {"key": "segment_1", "name": "New segment 1", "when": {}},
        {"key": "default", "name": "Everyone else", "when": {}},
    ],
    "handoffs": [
        {"key": "handoff_2", "name": "New handoff 2",
         "rules": {"segment_1": {"target": "1h"}, "default": {"target": "2h"}}},
    ],
}  # fmt: skip


def test_keys_from_names() -> None:
    assert key_from_name("Inbound after hours", []) == "inbound_after_hours"
    assert key_from_name("Große Kunden!", []) == "groe_kunden"
    assert key_from_name("Enterprise", ["enterprise"]) == "enterprise_2"
    assert key_from_name("2026 leads", [], "segment") == "segment_2026_leads"
    assert key_from_name("???", [], "segment") == "segment"


def test_a_new_segments_key_and_its_rules_follow_the_name() -> None:
    doc = renamed_segment(DOC, 1, "Inbound after hours", ["enterprise", "default"])
    assert doc["segments"][1] == {"key": "inbound_after_hours", "name": "Inbound after hours",
                                  "when": {}}  # fmt: skip
    assert list(doc["handoffs"][0]["rules"]) == ["inbound_after_hours", "default"]
    assert DOC["segments"][1]["key"] == "segment_1"  # the draft given is not changed


def test_published_or_named_keys_stay() -> None:
    assert renamed_segment(DOC, 1, "Late", ["segment_1"])["segments"][1]["key"] == "segment_1"
    assert renamed_segment(DOC, 0, "Big", [])["segments"][0]["key"] == "enterprise"
    assert renamed_handoff(DOC, 0, "Lead to SDR", [])["handoffs"][0]["key"] == "lead_to_sdr"
