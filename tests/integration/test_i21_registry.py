"""SMS and Teams through the registry: `slaapp settings channels` with secrets from stdin,
test messages to the local fakes, and matrix steps that name them.

The registry line is added in a subprocess exactly as it will read in
slaapp/notify/channels.py (and the words in slaapp.engine.matrix.CHANNELS).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .fake_teams import fake_teams
from .fake_twilio import ACCOUNT_SID, AUTH_TOKEN, fake_twilio

ROOT = Path(__file__).resolve().parents[2]
DRIVER = """
import sys
from slaapp.engine import matrix
from slaapp.notify import channels
from slaapp.notify.sms import SMS
from slaapp.notify.teams import TEAMS
if "sms" not in channels.channel_names():  # until the registry line is in channels.py
    kinds = channels.CHANNEL_KINDS
    channels.CHANNEL_KINDS = (*kinds[:3], TEAMS, kinds[3], SMS)
matrix.CHANNELS = channels.channel_names()
from slaapp.engine import matrix_document
matrix_document.CHANNELS = matrix.CHANNELS
if sys.argv[1] == "parse":
    import json
    try:
        found = matrix_document.matrix_from_document(json.load(open(sys.argv[2])))
    except matrix_document.MatrixError as exc:
        print(exc)
        sys.exit(1)
    print(json.dumps([[list(s.channels), s.critical] for s in found.handoffs[0].escalation]))
    sys.exit(0)
if sys.argv[1] == "send":
    from slaapp.models.database import Database
    database = Database(sys.argv[2])
    built = channels.build_channels(database)
    for name in sys.argv[3:]:
        channels.send_test(built[name], "Grace Okafor")
    database.dispose()
    sys.exit(0)
from slaapp.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _run(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_settings_channels_turns_sms_and_teams_on_with_secrets_from_stdin(tmp_path):
    url = f"sqlite:///{tmp_path / 'i21.db'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLAAPP_")}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHON_KEYRING_BACKEND"] = "tests.memory_keyring.MemoryKeyring"
    refused = _run("settings", "channels", "--sms", "on", "--db", url, env=env)
    assert refused.returncode == 2
    assert "--twilio-sid-stdin: The Twilio account SID is needed to turn this channel on" in (
        refused.stderr
    )
    with fake_twilio() as twilio, fake_teams() as teams:
        env["SLAAPP_TWILIO_API_BASE"] = twilio.base
        # the memory keyring lives one process long: the secrets come from the environment
        env["SLAAPP_SECRET_TWILIO_ACCOUNT_SID"] = ACCOUNT_SID
        env["SLAAPP_SECRET_TWILIO_AUTH_TOKEN"] = AUTH_TOKEN
        env["SLAAPP_SECRET_TEAMS_WEBHOOK_URL"] = teams.url
        saved = _run(
            "settings", "channels", "--sms", "on", "--teams", "on",
            "--sms-sender", "+14155559999", "--sms-test-number", "+14155550100",
            "--twilio-sid-stdin", "--twilio-token-stdin", "--teams-webhook-stdin",
            "--format", "json", "--db", url,
            env=env, stdin=f"{teams.url}\n{ACCOUNT_SID}\n{AUTH_TOKEN}\n",  # registry order
        )  # fmt: skip
        assert saved.returncode == 0, saved.stderr
        data = json.loads(saved.stdout)
        assert (data["sms"], data["teams"], data["sms_sender"]) == (True, True, "+14155559999")
        assert data["secrets"]["twilio_auth_token"] == "environment"
        assert AUTH_TOKEN not in saved.stdout and teams.url not in saved.stdout
        listed = _run("settings", "channels", "--db", url, env=env).stdout.splitlines()
        assert "teams    on   webhook URL from the environment" in listed
        assert (
            "sms      on   +14155559999, +14155550100: account SID from the environment, "
            "auth token from the environment"
        ) in listed
        sent = _run("send", url, "sms", "teams", env=env)
        assert sent.returncode == 0, sent.stderr
    assert [f["To"] for f in twilio.forms] == ["+14155550100"]
    assert teams.bodies[0]["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_a_matrix_step_opts_in_to_sms_with_its_channels(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLAAPP_")}
    env["PYTHONPATH"] = str(ROOT)
    doc = json.loads((ROOT / "resources/matrices/revenue-default.json").read_text())
    doc["handoffs"][0]["escalation"].append(
        {"at": 3.0, "notify": ["vp"], "channels": ["sms", "teams"], "critical": True}
    )
    path = tmp_path / "with-sms.json"
    path.write_text(json.dumps(doc))
    checked = _run("parse", str(path), env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)[-1] == [["sms", "teams"], True]
    doc["handoffs"][0]["escalation"][-1]["channels"] = ["pager"]
    path.write_text(json.dumps(doc))
    refused = _run("parse", str(path), env=env)
    assert (
        refused.returncode != 0
        and "unknown channel (use desktop, email, slack, teams, webhook, sms)"
        in (refused.stdout + refused.stderr)
    )
