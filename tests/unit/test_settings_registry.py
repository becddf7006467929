"""The settings registry: every key declared once, shapes checked, older shapes upgraded, defaults agreed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import slaapp
from slaapp.engine.errors import BadInputError
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.settings import (
    ALERTS,
    CHANNELS,
    MATRIX_DRAFT,
    NUMBER,
    OPTIONS,
    RECORD_URL,
    SCORECARD_SCHEDULE,
    SMTP,
    TEXT,
    Field,
    Option,
    option_of,
)
from slaapp.notify.channels import ChannelSettings
from slaapp.notify.email import SmtpSettings
from slaapp.reports.schedule import WeeklySchedule

PACKAGE = Path(slaapp.__file__).parent


def test_every_key_is_declared_once_with_a_title():
    keys = [option.key for option in OPTIONS]
    assert len(keys) == len(set(keys))
    assert all(option.title for option in OPTIONS)
    assert option_of("crm.record_url") is RECORD_URL
    assert option_of("matrix_draft:ana") == MATRIX_DRAFT.named("ana")
    with pytest.raises(KeyError, match="no setting is declared"):
        option_of("retired.key")


def test_no_module_spells_a_key_but_the_registry():
    """Code passes the declarations; a dotted key written elsewhere would bypass its shape."""
    keys = [o.key for o in OPTIONS if "." in o.key or o.key.endswith(":")]
    pattern = re.compile("|".join(rf"[\"']{re.escape(key)}" for key in keys))
    registry = PACKAGE / "models" / "settings.py"
    spelled = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path != registry and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert spelled == []


def test_reading_fills_defaults_drops_retired_members_and_names_a_wrong_field():
    assert SMTP.check({"host": "mail.acme.test", "retired": 1}) == {**SMTP.default, "host": "mail.acme.test"}  # fmt: skip
    assert RECORD_URL.check({"hubspot": "https://x.test/{external_id}"}) == {
        "hubspot": "https://x.test/{external_id}"
    }
    with pytest.raises(BadInputError, match=r"setting 'smtp' field 'port': expected a whole number, got '587'"):  # fmt: skip
        SMTP.check({"host": "mail.acme.test", "port": "587"})
    with pytest.raises(BadInputError, match=r"setting 'crm.record_url' field 'hubspot': expected text"):  # fmt: skip
        RECORD_URL.check({"hubspot": 42})
    with pytest.raises(BadInputError, match=r"setting 'alerts' field 'quiet_hours': expected true or false"):  # fmt: skip
        ALERTS.check({"quiet_hours": "yes"})
    with pytest.raises(BadInputError, match=r"setting 'alerts': expected an object, got \[1\]"):
        ALERTS.check([1])
    fresh = ALERTS.default
    fresh["warning_channels"].append("slack")
    assert ALERTS.default["warning_channels"] == ["desktop", "email"]  # defaults are copies


def test_an_older_shape_is_upgraded_step_by_step_and_a_newer_one_refused():
    def split_name(value):  # shape 1 -> 2: "name" became "first" and "last"
        first, _, last = value.pop("name", "").partition(" ")
        return {**value, "first": first, "last": last}

    def add_title(value):  # shape 2 -> 3: a new member with a default needs no step
        return value

    option = Option(
        "test.person", "a test setting",
        (Field("first", TEXT, ""), Field("last", TEXT, ""), Field("title", TEXT, "rep"), Field("quota", NUMBER, 0)),
        version=3, upgrades={1: split_name, 2: add_title},
    )  # fmt: skip
    assert option.upgrade({"name": "Ana Diaz", "quota": 3}, 1) == {
        "first": "Ana", "last": "Diaz", "title": "rep", "quota": 3,
    }  # fmt: skip
    assert (
        option.upgrade({"first": "Bo", "last": "Li", "title": "vp", "quota": 1}, 3)["title"] == "vp"
    )
    with pytest.raises(
        BadInputError, match=r"saved by a newer slaapp \(shape 4, this one reads up to 3\)"
    ):
        option.upgrade({}, 4)
    with pytest.raises(BadInputError, match="field 'quota'"):  # upgraded values are checked too
        option.upgrade({"name": "Ana", "quota": "many"}, 1)
    with pytest.raises(TypeError, match="no upgrade from shape 2"):
        Option("test.gap", "a gap in the steps", version=3, upgrades={1: add_title})


def test_a_family_is_read_and_written_one_member_at_a_time():
    assert MATRIX_DRAFT.named("ana").key == "matrix_draft:ana"
    with pytest.raises(TypeError):
        SMTP.named("x")


def test_the_typed_settings_agree_with_the_declared_defaults():
    assert AlertSettings().to_dict() == ALERTS.default
    assert AlertSettings.from_dict({}) == AlertSettings()
    assert SmtpSettings("").to_dict() == SMTP.default
    assert SmtpSettings.from_dict({"host": "mail.acme.test"}) == SmtpSettings("mail.acme.test")
    assert WeeklySchedule().to_dict() == SCORECARD_SCHEDULE.default
    assert ChannelSettings().timeout == CHANNELS.default["timeout"]


def test_alert_settings_keep_their_range_checks():
    with pytest.raises(BadInputError, match="field 'max_reminders': expected a number >= 0"):
        AlertSettings.from_dict({"max_reminders": -1})
    with pytest.raises(BadInputError, match="'sometimes' is not one of ask, auto, never"):
        AlertSettings.from_dict({"reassign_policy": "sometimes"})
    with pytest.raises(
        BadInputError, match="field 'rate_limit_per_hour': expected an object of numbers"
    ):
        AlertSettings.from_dict({"rate_limit_per_hour": {"slack": "many"}})
    partial = AlertSettings.from_dict(
        {"rate_limit_per_hour": {"slack": 5}, "remind_every_minutes": 30.0}
    )
    assert partial.rate_limit_per_hour == {"desktop": 60, "email": 30, "slack": 5, "webhook": 60}
    assert partial.remind_every_minutes == 30 and isinstance(partial.remind_every_minutes, int)
