"""SMS (Twilio) and Teams (Workflows webhook) against real HTTP fakes on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from slaapp.infra.secrets import SecretStore
from slaapp.notify.channel import ChannelError, Notice
from slaapp.notify.render import sms_text, teams_payload
from slaapp.notify.sms import SmsChannel
from slaapp.notify.teams import TeamsChannel

from .fake_teams import BAD_GATEWAY, BAD_REQUEST, NOT_FOUND, THROTTLED, fake_teams
from .fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    INVALID_TO,
    SERVER_ERROR,
    TOO_MANY,
    UNSUBSCRIBED,
    fake_twilio,
)

ESCALATION = Notice(
    alert_ids=(7,),
    severity="escalation",
    recipient_key="victor.hale",
    recipient_name="Victor Hale",
    address="+14155550123",
    title="Escalation: MQL to first contact for Paragon Retail (Ben Carter)",
    lines=(
        "What: MQL to first contact (Enterprise), target 1 h",
        "For: Paragon Retail, owned by Ben Carter (SDR)",
        "Late by: 2 h 15 min",
        "Deal value: $210,000",
        "Source: Webinar · Tier: Enterprise",
        "Ben Carter's open load: 17 open clocks (capacity 60)",
        "Record: HubSpot 9001 · https://crm.example/c/9001",
    ),
    link="https://crm.example/c/9001",
    record_id=9001,
)
GROUPED = Notice(
    alert_ids=(7, 8, 9),
    severity="digest",
    recipient_key="victor.hale",
    recipient_name="Victor Hale",
    address="+14155550123",
    title="3 SLA alerts for Victor Hale: 2 escalations, 1 breach",
    lines=(
        "• Escalation: MQL to first contact for Paragon Retail (Ben Carter) · late by 2 h 15 min"
        " · $210,000 · https://crm.example/c/9001",
        "• Escalation: MQL to first contact for Bluepeak (Ana Diaz) · late by 1 h · $90,000"
        " · https://crm.example/c/9002",
        "• Breached: SQL to meeting for Northwind (Ben Carter) · late by 20 min",
    ),
)


@pytest.fixture
def twilio(monkeypatch):
    with fake_twilio() as fake:
        monkeypatch.setenv("SLAAPP_TWILIO_API_BASE", fake.base)
        monkeypatch.setenv("SLAAPP_SECRET_TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        monkeypatch.setenv("SLAAPP_SECRET_TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        yield fake


@pytest.fixture
def teams(monkeypatch):
    with fake_teams() as fake:
        monkeypatch.setenv("SLAAPP_SECRET_TEAMS_WEBHOOK_URL", fake.url)
        yield fake


def failure(send, *args) -> ChannelError:
    with pytest.raises(ChannelError) as caught:
        send(*args)
    return caught.value


def test_an_sms_is_one_short_line_with_what_whose_value_lateness_owner_and_link(twilio):
    channel = SmsChannel(SecretStore(), "+14155559999")
    channel.send(ESCALATION)
    assert twilio.answers == [201]
    assert twilio.paths == [f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"]
    assert twilio.forms == [
        {
            "To": "+14155550123",
            "From": "+14155559999",
            "Body": "Escalation: Paragon Retail, $210,000, late by 2 h 15 min, owner Ben Carter "
            "https://crm.example/c/9001",
        }
    ]
    assert channel.last_sid.startswith("SM") and channel.last_status == "queued"
    assert channel.problem() == ""


def test_a_grouped_sms_says_the_count_and_the_most_urgent_item_through_a_messaging_service(twilio):
    SmsChannel(SecretStore(), "MG00000000000000000000000000000000").send(GROUPED)
    (form,) = twilio.forms
    assert form == {
        "To": "+14155550123",
        "MessagingServiceSid": "MG00000000000000000000000000000000",
        "Body": "3 SLA alerts for Victor Hale: 2 escalations, 1 breach. First: Escalation: MQL to "
        "first contact for Paragon Retail (Ben Carter) · late by 2 h 15 min · $210,000 "
        "https://crm.example/c/9001 Details in slaapp.",
    }
    assert len(form["Body"]) <= 320


def test_twilio_429_and_5xx_are_retried_after_retry_after(twilio):
    twilio.script = [TOO_MANY, SERVER_ERROR]
    channel = SmsChannel(SecretStore(), "+14155559999")
    busy = failure(channel.send, ESCALATION)
    assert busy.retryable and busy.retry_after == 2.0
    assert str(busy) == "Twilio is busy (429 20429 Too Many Requests); will retry in 2 s"
    failing = failure(channel.send, ESCALATION)
    assert failing.retryable and failing.retry_after is None
    assert "(500 20500 An internal server error has occurred); will retry" in str(failing)
    channel.send(ESCALATION)
    assert twilio.answers == [429, 500, 201]


def test_twilio_4xx_is_permanent_and_said_in_words(twilio):
    twilio.script = [UNSUBSCRIBED]
    channel = SmsChannel(SecretStore(), "+14155559999")
    stopped = failure(channel.send, ESCALATION)
    assert not stopped.retryable
    assert "replied STOP to this sender (21610)" in str(stopped)
    # the fake checks E.164 itself, like Twilio: a number that slips through is refused
    invalid = failure(
        channel.send,
        Notice((1,), "breach", "x", "X", "+1415", "Breached: a for b (c)", ("For: b, owned by c",)),
    )
    assert not invalid.retryable and "no mobile number for X in the directory" in str(invalid)
    twilio.script = [INVALID_TO]
    refused = failure(channel.send, ESCALATION)
    assert not refused.retryable
    assert "not a valid mobile number (21211): correct the person's phone" in str(refused)
    assert twilio.answers == [400, 400]


def test_wrong_credentials_and_a_missing_sender_fail_visibly(twilio, monkeypatch):
    monkeypatch.setenv("SLAAPP_SECRET_TWILIO_AUTH_TOKEN", "wrong")
    refused = failure(SmsChannel(SecretStore(), "+14155559999").send, ESCALATION)
    assert not refused.retryable and "account SID and auth token (20003)" in str(refused)
    assert SmsChannel(SecretStore(), "").problem().startswith("no sender yet")
    assert "not a phone number" in SmsChannel(SecretStore(), "415 555").problem()


def test_the_api_base_override_is_for_this_machine_only(twilio, monkeypatch):
    monkeypatch.setenv("SLAAPP_TWILIO_API_BASE", "https://example.com")
    refused = failure(SmsChannel(SecretStore(), "+14155559999").send, ESCALATION)
    assert "may only point at this machine" in str(refused) and twilio.forms == []


def test_sms_text_is_cut_to_two_segments_keeping_the_link():
    long = Notice(
        (1,), "breach", "x", "X", "+14155550123", "Breached: h for r (o)",
        (f"For: {'Very Long Account Name ' * 20}, owned by Ben Carter (SDR)", "Late by: 3 h"),
        link="https://crm.example/c/1",
    )  # fmt: skip
    text = sms_text(long)
    assert len(text) <= 320 and text.endswith("… https://crm.example/c/1")


def test_teams_posts_an_adaptive_card_with_the_email_facts_and_a_button(teams):
    TeamsChannel(SecretStore()).send(ESCALATION)
    (body,) = teams.bodies
    assert body == teams_payload(ESCALATION)
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    label, title, addressed, facts = card["body"]
    assert label == {
        "type": "TextBlock", "text": "SLA ESCALATION", "size": "Small", "weight": "Bolder",
        "color": "Attention",
    }  # fmt: skip
    assert title["text"] == ESCALATION.title and title["wrap"] is True
    assert addressed["text"] == "Addressed to Victor Hale"
    assert facts == {
        "type": "FactSet",
        "facts": [
            {"title": "What", "value": "MQL to first contact (Enterprise), target 1 h"},
            {"title": "For", "value": "Paragon Retail, owned by Ben Carter (SDR)"},
            {"title": "Late by", "value": "2 h 15 min"},
            {"title": "Deal value", "value": "$210,000"},
            {"title": "Source", "value": "Webinar · Tier: Enterprise"},
            {"title": "Ben Carter's open load", "value": "17 open clocks (capacity 60)"},
            {"title": "Record", "value": "HubSpot 9001 · https://crm.example/c/9001"},
        ],
    }
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the record", "url": "https://crm.example/c/9001"}
    ]
    assert teams.headers[0]["Content-Type"] == "application/json"


def test_a_grouped_teams_message_is_one_card_with_a_container_per_item(teams):
    TeamsChannel(SecretStore()).send(GROUPED)
    card = teams.bodies[0]["attachments"][0]["content"]
    assert card["body"][1]["text"] == GROUPED.title
    first, second, third = card["body"][3:]
    assert first == {
        "type": "Container",
        "separator": True,
        "items": [
            {
                "type": "TextBlock",
                "text": "Escalation: MQL to first contact for Paragon Retail (Ben Carter) · "
                "late by 2 h 15 min · $210,000",
                "wrap": True,
            },
            {
                "type": "TextBlock",
                "text": "[Open the record](https://crm.example/c/9001)",
                "wrap": True,
            },
        ],
        "selectAction": {"type": "Action.OpenUrl", "url": "https://crm.example/c/9001"},
    }
    assert second["selectAction"]["url"] == "https://crm.example/c/9002"
    assert "selectAction" not in third and len(third["items"]) == 1
    assert "actions" not in card


def test_teams_429_and_5xx_are_retried_and_4xx_say_the_bodys_words(teams):
    teams.script = [THROTTLED, BAD_GATEWAY, BAD_REQUEST, NOT_FOUND]
    channel = TeamsChannel(SecretStore())
    throttled = failure(channel.send, ESCALATION)
    assert throttled.retryable and throttled.retry_after == 3.0
    gateway = failure(channel.send, ESCALATION)
    assert gateway.retryable and "Teams is busy or failing (502 Bad Gateway)" in str(gateway)
    bad = failure(channel.send, ESCALATION)
    assert not bad.retryable
    assert "did not match its schema definition. (InvalidRequestContent)" in str(bad)
    gone = failure(channel.send, ESCALATION)
    assert not gone.retryable and "could not be found. (WorkflowNotFound)" in str(gone)
    assert "XXXXSECRETXXXX" not in str(gone) + str(bad) + str(gateway)
    channel.send(ESCALATION)
    assert len(teams.bodies) == 5


def test_teams_without_a_url_says_where_to_put_it(monkeypatch):
    monkeypatch.delenv("SLAAPP_SECRET_TEAMS_WEBHOOK_URL", raising=False)
    channel = TeamsChannel(SecretStore("slaapp-test-i21-none"))
    assert "no Teams webhook URL stored yet" in channel.problem()


def test_a_long_grouped_card_lists_25_items_and_counts_the_rest():
    many = Notice(
        tuple(range(40)), "digest", "v", "Victor Hale", None, "40 SLA alerts for Victor Hale",
        tuple(f"• Breached: Account {n} · late by 1 h · https://crm.example/c/{n}" for n in range(40)),
    )  # fmt: skip
    body = teams_payload(many)["attachments"][0]["content"]["body"]
    containers = [e for e in body if e["type"] == "Container"]
    assert len(containers) == 25
    assert body[-1]["text"] == "… and 15 more in slaapp's Alerts screen"
    assert len(json.dumps(body)) < 28_000


def test_a_grouped_sms_names_the_first_alert_not_an_out_of_office_line():
    covered = Notice(
        GROUPED.alert_ids, "digest", GROUPED.recipient_key, GROUPED.recipient_name,
        GROUPED.address, GROUPED.title,
        ("Sent to you while Ben Carter is out of office.", *GROUPED.lines),
    )  # fmt: skip
    assert sms_text(covered) == sms_text(GROUPED)
