"""SMS deliveries: the person's number, quiet hours unless critical, one grouped SMS per run,
Twilio's 429 retried after Retry-After; the `critical` flag of matrix escalation steps."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from slaapp.engine.alert_ladder import ladder
from slaapp.engine.matrix_document import MatrixError, dump_matrix, matrix_from_document
from slaapp.infra.secrets import SecretStore
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.tables import Alert, AlertDelivery
from slaapp.notify.alerting_fire import queue_alert
from slaapp.notify.alerting_send import claim_due, record_outcomes, send_batch
from slaapp.notify.health import ChannelHealth
from slaapp.notify.noise import delivery_time
from slaapp.notify.recipients import Recipient
from slaapp.notify.sms import SmsChannel

from .fake_twilio import ACCOUNT_SID, AUTH_TOKEN, TOO_MANY, fake_twilio
from .test_alert_support import DOC, NY, T0, H, person

NIGHT = T0 - 8 * H  # Monday 01:00 in New York; T0 is 09:00 there
VAL = person("val", "Leadership", "vp", None, hours=(9, 17), timezone=NY, phone="+14155550100")
NO_PHONE = person("ned", "Leadership", "vp", None, hours=(9, 17), timezone=NY)
HEALTH = {name: ChannelHealth(name, name.title(), True) for name in ("sms", "email", "desktop")}
SETTINGS = AlertSettings(critical_bypass=True, quiet_hours=True, business_hours_only=False)


@pytest.fixture
def twilio(monkeypatch):
    with fake_twilio() as fake:
        monkeypatch.setenv("SLAAPP_TWILIO_API_BASE", fake.base)
        monkeypatch.setenv("SLAAPP_SECRET_TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        monkeypatch.setenv("SLAAPP_SECRET_TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        yield fake


def _alert(session, n: int, title: str) -> Alert:
    alert = Alert(
        dedup_key=f"i21:{n}", handoff="contact", step="esc@1.5", step_at=1.5,
        severity="escalation", fired_at=NIGHT, owner="ann", team="SDR", title=title,
        lines=[
            "What: First contact (Enterprise), target 2 h",
            f"For: Account {n}, owned by Ann (SDR)",
            "Late by: 1 h",
            "Deal value: $210,000",
        ],
        link=f"https://crm.example/c/{n}",
    )  # fmt: skip
    session.add(alert)
    session.flush()
    return alert


def _queue(session, alert: Alert, who, *, critical: bool, named=("sms", "email")) -> None:
    recipient = Recipient(who.key, who.name, who.email, who)
    queue_alert(
        session, alert, "escalation", [recipient], None, SETTINGS, NIGHT, HEALTH, named,
        critical=critical,
    )  # fmt: skip


def _deliveries(session, channel: str) -> list[AlertDelivery]:
    return list(
        session.scalars(
            select(AlertDelivery).where(AlertDelivery.channel == channel).order_by(AlertDelivery.id)
        )
    )


def test_a_non_critical_sms_waits_for_the_persons_day_while_email_keeps_todays_rule(database):
    with database.session() as session:
        _queue(session, _alert(session, 1, "Escalation: First contact for Account 1 (Ann)"), VAL, critical=False)  # fmt: skip
        (sms,) = _deliveries(session, "sms")
        (email,) = _deliveries(session, "email")
        assert (sms.not_before, sms.address, sms.state) == (T0, "+14155550100", "waiting")
        assert (email.not_before, email.address) == (NIGHT, "val@example.com")  # bypass as today
        assert not claim_due(session, NIGHT, ["sms"], SETTINGS)  # nothing due at night


def test_a_critical_sms_goes_at_once_in_quiet_hours(database, twilio):
    with database.session() as session:
        _queue(session, _alert(session, 1, "Escalation: First contact for Account 1 (Ann)"), VAL, critical=True)  # fmt: skip
        (sms,) = _deliveries(session, "sms")
        assert sms.not_before == NIGHT
        (batch,) = claim_due(session, NIGHT, ["sms"], SETTINGS)
        outcome = send_batch(batch, {"sms": SmsChannel(SecretStore(), "+14155559999")})
        record_outcomes(session, [outcome], NIGHT, SETTINGS)
        assert (sms.state, sms.sent_at) == ("sent", NIGHT)
    assert twilio.forms == [
        {
            "To": "+14155550100",
            "From": "+14155559999",
            "Body": "Escalation: Account 1, $210,000, late by 1 h, owner Ann https://crm.example/c/1",
        }
    ]


def test_several_items_for_one_person_become_one_sms_with_a_count(database, twilio):
    with database.session() as session:
        for n in (1, 2, 3):
            alert = _alert(session, n, f"Escalation: First contact for Account {n} (Ann)")
            _queue(session, alert, VAL, critical=True, named=("sms",))
        (batch,) = claim_due(session, NIGHT, ["sms"], SETTINGS)
        assert len(batch.delivery_ids) == 3
        record_outcomes(
            session, [send_batch(batch, {"sms": SmsChannel(SecretStore(), "+14155559999")})],
            NIGHT, SETTINGS,
        )  # fmt: skip
        assert {d.state for d in _deliveries(session, "sms")} == {"sent"}
    (form,) = twilio.forms
    assert form["Body"].startswith("3 SLA alerts for Val: 3 escalations. First: Escalation: ")
    assert form["To"] == "+14155550100"


def test_twilio_429_is_retried_after_its_retry_after(database, twilio):
    twilio.script = [TOO_MANY]
    with database.session() as session:
        _queue(session, _alert(session, 1, "Escalation: First contact for Account 1 (Ann)"), VAL, critical=True, named=("sms",))  # fmt: skip
        channels = {"sms": SmsChannel(SecretStore(), "+14155559999")}
        (batch,) = claim_due(session, NIGHT, ["sms"], SETTINGS)
        record_outcomes(session, [send_batch(batch, channels)], NIGHT, SETTINGS)
        (sms,) = _deliveries(session, "sms")
        assert (sms.state, sms.not_before, sms.attempts) == ("retrying", NIGHT + 2, 1)
        assert "Twilio is busy (429 20429 Too Many Requests)" in (sms.last_error or "")
        assert not claim_due(session, NIGHT + 1, ["sms"], SETTINGS)
        (again,) = claim_due(session, NIGHT + 2, ["sms"], SETTINGS)
        record_outcomes(session, [send_batch(again, channels)], NIGHT + 2, SETTINGS)
        assert sms.state == "sent"
    assert twilio.answers == [429, 201]


def test_someone_without_a_number_gets_no_sms_and_the_delivery_says_why(database):
    with database.session() as session:
        _queue(session, _alert(session, 1, "Escalation: First contact for Account 1 (Ann)"), NO_PHONE, critical=True)  # fmt: skip
        (sms,) = _deliveries(session, "sms")
        assert sms.state == "failed" and sms.address is None
        assert sms.last_error == (
            "no mobile number for Ned in the directory: add it in the People screen or with "
            "`slaapp people set KEY --phone`"
        )
        (email,) = _deliveries(session, "email")
        assert email.state == "waiting"


def test_quiet_hours_for_sms_do_not_depend_on_the_escalation_bypass():
    kwargs = {"digest": False, "channel": "sms"}
    assert delivery_time(NIGHT, "breach", VAL, None, SETTINGS, **kwargs) == T0
    assert delivery_time(NIGHT, "breach", VAL, None, SETTINGS, critical=True, **kwargs) == NIGHT
    assert delivery_time(T0 + H, "escalation", VAL, None, SETTINGS, **kwargs) == T0 + H
    assert delivery_time(NIGHT, "escalation", VAL, None, SETTINGS, digest=False) == NIGHT
    assert delivery_time(NIGHT, "breach", VAL, None, SETTINGS, digest=False) == T0


def test_critical_is_an_optional_flag_of_escalation_steps_kept_through_export():
    doc = json.loads(json.dumps(DOC))
    steps = doc["handoffs"][0]["escalation"]
    steps[1]["critical"] = True
    matrix = matrix_from_document(doc)
    handoff = matrix.handoff("contact")
    assert [s.critical for s in handoff.escalation] == [False, True]
    assert [(s.key, s.critical) for s in ladder(handoff, "default")][-2:] == [
        ("breach", False),
        ("esc@1.5", True),
    ]
    exported = json.loads(dump_matrix(matrix))["handoffs"][0]["escalation"]
    assert "critical" not in exported[0] and exported[1]["critical"] is True
    assert matrix_from_document(json.loads(dump_matrix(matrix))) == matrix
    steps[1]["critical"] = "yes"
    with pytest.raises(MatrixError, match=r"escalation\[1\]\.critical.*must be true or false"):
        matrix_from_document(doc)


def test_retiming_keeps_a_held_sms_held_and_a_critical_one_due(database):
    from slaapp.notify.recipients import Directory
    from slaapp.notify.retime import retime_waiting

    with database.session() as session:
        _queue(session, _alert(session, 1, "Escalation: First contact for Account 1 (Ann)"), VAL, critical=False, named=("sms",))  # fmt: skip
        _queue(session, _alert(session, 2, "Escalation: First contact for Account 2 (Ann)"), VAL, critical=True, named=("sms",))  # fmt: skip
        directory = Directory({"val": VAL}, {})
        retime_waiting(session, SETTINGS, directory, {}, NIGHT + 60)
        held, critical = _deliveries(session, "sms")
        assert (held.not_before, critical.not_before) == (T0, NIGHT)
