"""Matrix draft helpers for the issue 15 fields: stop/conversion in labels, the default zone."""

from __future__ import annotations

from slaapp.engine.matrix_document import matrix_from_document
from slaapp.engine.matrix_draft import default_business_zone, events_words

HOURS = {"mon": ["09:00-17:00"]}


def test_events_words_read_as_a_choice():
    assert events_words("closed_won") == "closed_won"
    assert events_words(["closed_won"]) == "closed_won"
    assert events_words(["closed_won", "closed_lost"]) == "closed_won or closed_lost"
    assert events_words(["a", "b", "c"]) == "a, b or c"
    assert events_words(None) == "?" and events_words([]) == "?"


def _doc(calendars: dict[str, object]) -> dict[str, object]:
    return {
        "format": "slaapp.matrix/1",
        "name": "m",
        "calendars": calendars,
        "segments": [{"key": "default", "name": "Everyone", "when": {}}],
        "handoffs": [
            {"key": "h", "name": "H", "team": "Sales", "start": "a", "stop": "b",
             "calendar": next(iter(calendars)), "rules": {"default": {"target": "1h"}}}
        ],
    }  # fmt: skip


def test_the_default_business_zone_is_the_engines():
    cases = [
        {"always": {"timezone": "Asia/Tokyo", "always": True},
         "ny": {"timezone": "America/New_York", "hours": HOURS}},
        {"always": {"timezone": "Asia/Tokyo", "always": True},
         "utc": {"always": True}},
        {"utc": {"always": True}, "tokyo": {"timezone": "Asia/Tokyo", "always": True}},
    ]  # fmt: skip
    for calendars in cases:
        doc = _doc(calendars)
        assert default_business_zone(doc) == matrix_from_document(doc).business_zone
    assert default_business_zone({}) == "UTC"
    assert default_business_zone(_doc(cases[0])) == "America/New_York"
