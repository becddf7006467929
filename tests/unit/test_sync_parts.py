"""Sync building blocks without a network: times, mappings, HubSpot 429 rules, settings, tokens."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from slaapp.infra.secrets import SecretError, SecretStore, connection_token
from slaapp.sync.connections import Connection, ConnectionSettingError, check_connection
from slaapp.sync.connector import Pipeline, RateLimited, RefData, SourceSuspended, Stage
from slaapp.sync.http import Response, RetryPolicy
from slaapp.sync.hubspot_client import (
    describe_error,
    quota_words,
    rate_limit,
    record_key,
    split_key,
)
from slaapp.sync.mapping import (
    CrmMapping,
    RawObject,
    default_mapping,
    map_object,
    preview,
    stage_event,
)
from slaapp.sync.times import iso_ms, parse_time, parse_time_ms


def test_crm_times_in_every_documented_form():
    assert parse_time_ms("1579514400000") == 1_579_514_400_000
    assert parse_time("2025-01-15T14:22:10.456Z") == 1_736_950_930
    assert parse_time("2025-01-15T14:22:10.000+0000") == 1_736_950_930
    assert parse_time("2025-01-31") == 1_738_281_600  # date-only is midnight UTC
    assert iso_ms(1_736_950_930_456) == "2025-01-15T14:22:10.456Z"
    with pytest.raises(ValueError):
        parse_time("yesterday")


def test_mapping_round_trips_and_names_the_bad_field():
    mapping = default_mapping()
    assert CrmMapping.from_document(mapping.to_document()) == mapping
    doc = mapping.to_document()
    del doc["objects"]["deals"]["kind"]
    with pytest.raises(ValueError, match=r"mapping objects\.deals: 'kind'"):
        CrmMapping.from_document(doc)
    with pytest.raises(ValueError, match="format"):
        CrmMapping.from_document({"format": "other"})


def test_default_stages_follow_pipeline_metadata_and_labels():
    assert stage_event("s1", "Demo booked") == "demo_held"
    assert stage_event("s2", "Quote out") == "proposal_sent"
    assert stage_event("s3", "Signed", won=True, closed=True) == "closed_won"
    assert stage_event("s4", "Gone", closed=True) == "closed_lost"
    assert stage_event("s5", "Discovery") is None
    ref = RefData(
        pipelines=(
            Pipeline("p", "P", (Stage("123", "Demo done", 0), Stage("456", "Won", 1, True, True))),
        )
    )
    assert dict(default_mapping(ref).objects["deals"].stages) == {
        "123": "demo_held",
        "456": "closed_won",
    }


def test_map_object_keeps_good_values_and_reports_bad_ones():
    raw = RawObject("0-1/7", "contacts", {
        "hs_lifecyclestage_marketingqualifiedlead_date": "2025-01-15T14:22:10.456Z",
        "hubspot_owner_assigneddate": "soon", "hubspot_owner_id": "41", "hs_analytics_source": "PAID_SEARCH",
        "firstname": "Ana", "lastname": "Lopez",
    })  # fmt: skip
    mapped = map_object(raw, default_mapping())
    assert [(e.event, e.occurred_at, e.owner) for e in mapped.events] == [
        ("mql", 1_736_950_930, "41")
    ]
    assert mapped.events[0].attributes == {"source": "PAID_SEARCH"}
    assert mapped.name == "Ana Lopez" and mapped.kind == "lead"
    assert mapped.problems == (
        "contacts 0-1/7, property hubspot_owner_assigneddate: 'soon' is not a time",
    )
    assert len(preview([raw] * 5, default_mapping(), limit=2)) == 2


def test_hubspot_429_rules():
    def reply(body, headers=None):
        return Response(429, headers or {}, body)

    assert rate_limit(reply({"policyName": "SECONDLY"})).retry_after == 1.0
    assert rate_limit(reply({"policyName": "TEN_SECONDLY_ROLLING"})).retry_after == 10.0
    assert (
        rate_limit(reply({"message": "You have reached your secondly limit."})).retry_after == 1.0
    )
    assert rate_limit(reply({"policyName": "SECONDLY"}, {"retry-after": "3"})).retry_after == 3.0
    assert isinstance(rate_limit(reply("not json")), RateLimited)
    daily = rate_limit(
        reply({"policyName": "DAILY", "message": "You have reached your daily limit."})
    )
    assert isinstance(daily, SourceSuspended) and daily.until and "daily API limit" in daily.message
    error = Response(
        400, {}, {"message": "bad", "category": "VALIDATION_ERROR", "errors": [{"message": "x"}]}
    )
    assert describe_error(error) == "VALIDATION_ERROR; bad; x"
    assert describe_error(Response(400, {}, None)) == ""
    assert quota_words(
        {"x-hubspot-ratelimit-daily": "250000", "x-hubspot-ratelimit-daily-remaining": "1200"}
    ) == ("1,200 of 250,000 API calls left today")


def test_record_keys_and_backoff():
    assert record_key("deals", "87") == "0-3/87" and split_key("0-3/87") == ("deals", "87")
    with pytest.raises(ValueError, match="not a HubSpot record"):
        split_key("L-1042")
    policy = RetryPolicy()
    assert [policy.backoff(n, lambda: 1.0) for n in (1, 2, 3, 10)] == [1.0, 2.0, 4.0, 60.0]
    assert policy.backoff(3, lambda: 0.25) == 1.0


@pytest.mark.parametrize(
    ("connection", "field"),
    [
        (Connection("a/b", "hubspot", url="https://api.hubapi.com"), "name"),
        (Connection("crm", "pipedrive"), "kind"),
        (Connection("crm", "hubspot", url="api.hubapi.com"), "url"),
        (Connection("crm", "hubspot", url="https://x:pat-123@api.hubapi.com"), "url"),
        (Connection("crm", "folder"), "folder"),
        (
            Connection(
                "crm", "hubspot", url="https://api.hubapi.com", options={"access_token": "x"}
            ),
            "options",
        ),
    ],
)
def test_connection_settings_are_checked_by_field(connection, field):
    with pytest.raises(ConnectionSettingError, match=f"^{field}"):
        check_connection(connection)


def test_without_a_keyring_tokens_are_kept_for_this_session_only(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("SLAAPP_HUBSPOT_TOKEN", raising=False)
    monkeypatch.delenv("SLAAPP_SECRET_SYNC_CRM", raising=False)
    secrets, token = SecretStore(), connection_token("crm", "hubspot")
    try:
        assert not secrets.works()
        with pytest.raises(SecretError, match="no system keyring"):
            secrets.require(token)
        assert secrets.set(token, "pat-session") is False
        assert secrets.require(token) == "pat-session"
        monkeypatch.setenv("SLAAPP_HUBSPOT_TOKEN", "pat-env")
        assert secrets.require(token) == "pat-env"
        secrets.delete(token)
        monkeypatch.delenv("SLAAPP_HUBSPOT_TOKEN")
        with pytest.raises(SecretError):
            secrets.require(token)
    finally:
        keyring.set_keyring(previous)
