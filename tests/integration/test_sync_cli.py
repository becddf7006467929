"""`slaapp sync` end to end against the fake HubSpot: add, list, test, sync, history, remove."""

from __future__ import annotations

import io
import json

import pytest

from slaapp.cli import main

from .fake_hubspot import TOKEN, fake_hubspot, seed_org


@pytest.fixture
def run(capsys, db_url):
    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--db", db_url])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_add_list_test_sync_history_remove(run, monkeypatch, memory_keyring):
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=250, deals=5)
        monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
        code, out, err = run(
            "sync",
            "add",
            "crm",
            "--kind",
            "hubspot",
            "--url",
            url,
            "--every",
            "15",
            "--token-stdin",
        )
        assert code == 0, err
        assert "saved (token in the system keyring)" in out
        assert memory_keyring.store[("slaapp", "sync:crm")] == TOKEN

        code, out, _ = run("sync", "list", "--format", "json")
        listed = json.loads(out)
        assert [(c["name"], c["schedule_minutes"], c["last_result"]) for c in listed] == [
            ("crm", 15, "never synced")
        ]
        assert TOKEN not in out

        code, out, _ = run("sync", "test", "crm")
        assert code == 0 and "connected to HubSpot portal 62515" in out

        code, out, err = run("sync", "--source", "crm", "--format", "json")
        assert code == 0, err
        report = json.loads(out)[0]
        assert report["state"] == "ok" and report["records"] > 250
        assert report["quota"]["x-hubspot-ratelimit-daily"] == "250000"

        code, out, _ = run("sync", "history")
        assert "crm" in out and " ok " in out

        code, out, err = run("sync", "--source", "nope")
        assert code == 2 and "no connection named 'nope'" in err

        code, out, err = run("sync", "add", "bad/name", "--kind", "hubspot", "--url", url)
        assert code == 2 and "name 'bad/name'" in err

        code, out, _ = run("sync", "remove", "crm")
        assert code == 0 and ("slaapp", "sync:crm") not in memory_keyring.store
        code, out, err = run("sync")
        assert code == 2 and "no connections yet" in err


def test_a_revoked_token_exits_1_with_a_plain_message(run, monkeypatch):
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=3)
        monkeypatch.setattr("sys.stdin", io.StringIO("pat-revoked\n"))
        assert run("sync", "add", "crm", "--kind", "hubspot", "--url", url, "--token-stdin")[0] == 0
        code, out, err = run("sync", "test", "crm")
        assert (
            code == 2 and "access token was refused (HTTP 401)" in err and "pat-revoked" not in err
        )
        code, out, _ = run("sync")
        assert code == 1 and "refused" in out
