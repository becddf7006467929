"""Channels come from one registry: the built-in ones agree with it, and a new one needs one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from slaapp.engine.errors import BadInputError
from slaapp.engine.matrix import CHANNELS as MATRIX_CHANNELS
from slaapp.infra.secrets import SecretStore
from slaapp.notify.channels import (
    CHANNEL_KINDS,
    ChannelSettings,
    channel_kind,
    channel_names,
    make_channels,
    secret_fields,
)

from .fake_slack import fake_slack

ROOT = Path(__file__).resolve().parents[2]
DRIVER = """
import sys
from slaapp.notify import channels
from tests.integration.pager_channel import PAGER
channels.CHANNEL_KINDS = (*channels.CHANNEL_KINDS, PAGER)  # the one registry line
if sys.argv[1] == "send":
    from slaapp.models.database import Database
    database = Database(sys.argv[2])
    channels.send_test(channels.build_channels(database)["pager"], "Grace Okafor")
    database.dispose()
    sys.exit(0)
from slaapp.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_registry_names_every_channel_once_and_matches_the_matrix_words():
    assert channel_names() == ("desktop", "email", "slack", "teams", "webhook", "sms")
    assert set(channel_names()) == set(MATRIX_CHANNELS)
    fields = [s.field for s in secret_fields()]
    assert len(fields) == len(set(fields))
    for kind in CHANNEL_KINDS:
        assert all(
            f.field.split(".")[0] in (kind.name, "smtp") for f in kind.secrets + kind.options
        )
    with pytest.raises(BadInputError, match="no channel named 'pager'"):
        channel_kind("pager")


def test_channel_settings_have_one_member_per_switch_and_option():
    settings = ChannelSettings(slack=True, webhook_title="the SMS gateway")
    assert (settings.desktop, settings.email, settings.slack, settings.webhook) == (True, False, True, False)  # fmt: skip
    assert settings.option("webhook_title") == "the SMS gateway" and settings.timeout == 10.0
    assert settings.changed(slack=False) == ChannelSettings(webhook_title="the SMS gateway")
    assert ChannelSettings.from_dict(settings.to_dict()) == settings
    with pytest.raises(BadInputError, match=r"'notify\.channels' field 'slack': expected true or"):
        ChannelSettings.from_dict({"slack": "yes"})
    with pytest.raises(TypeError, match="no channel or channel option named 'pager'"):
        ChannelSettings(pager=True)
    built = make_channels(ChannelSettings(slack=True), None, SecretStore())
    assert sorted(built) == ["slack"]  # desktop comes from the app; email is off until set up


def _run(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_a_new_channel_is_one_module_and_one_registry_line(tmp_path):
    """The pager (tests/integration/pager_channel.py) gets the CLI, the checks, the build and a test."""
    url = f"sqlite:///{tmp_path / 'pager.db'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLAAPP_SECRET_")}
    env["PYTHONPATH"] = str(ROOT)  # an empty keyring in each run: the pager URL is missing
    env["PYTHON_KEYRING_BACKEND"] = "tests.memory_keyring.MemoryKeyring"
    refused = _run("settings", "channels", "--pager", "on", "--db", url, env=env)
    assert refused.returncode == 2
    assert "--pager-url-stdin: The pager URL is needed to turn this channel on" in refused.stderr
    with fake_slack() as pager:
        env["SLAAPP_SECRET_PAGER_URL"] = pager.url
        saved = _run(
            "settings", "channels", "--pager", "on", "--format", "json", "--db", url, env=env
        )
        assert saved.returncode == 0, saved.stderr
        data = json.loads(saved.stdout)
        assert data["pager"] is True and data["secrets"]["pager_url"] == "environment"
        listed = _run("settings", "channels", "--db", url, env=env)
        assert "pager    on   URL from the environment" in listed.stdout.splitlines()
        sent = _run("send", url, env=env)
        assert sent.returncode == 0, sent.stderr
    assert pager.bodies[0]["title"] == "Test message for the pager channel"
    assert pager.url not in saved.stdout + listed.stdout + saved.stderr
