"""`slaapp sync add` says what it accepts and where a token went; Salesforce renewal set up from the CLI."""

from __future__ import annotations

import io

import pytest

from slaapp.cli import main

from .fake_hubspot import TOKEN, fake_hubspot, seed_org
from .fake_salesforce import FakeSalesforce, running


@pytest.fixture
def run(capsys, db_url):
    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--db", db_url])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_the_url_message_says_what_is_accepted(run):
    code, _, err = run("sync", "add", "crm", "--kind", "hubspot", "--url", "http://api.hubapi.com")
    assert code == 2
    assert "must start with https:// (e.g. https://api.hubapi.com)" in err
    assert "http:// is accepted only on this computer (127.0.0.1, localhost or ::1)" in err
    code, _, err = run("sync", "add", "crm", "--kind", "hubspot", "--url", "http://127.0.0.1:9")
    assert code == 0, err


def test_the_token_message_says_where_the_token_went(run, monkeypatch, memory_keyring):
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=1)
        add = ("sync", "add", "crm", "--kind", "hubspot", "--url", url, "--token-stdin")
        monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
        assert "(token in the system keyring)" in run(*add)[1]

        monkeypatch.setattr(memory_keyring, "set_password", lambda *args: None)  # discards
        memory_keyring.store.clear()
        monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
        code, out, _ = run(*add)
        assert code == 0
        assert "the system keyring did not keep the token: set SLAAPP_SECRET_SYNC_CRM" in out
        assert "token in the system keyring" not in out

        monkeypatch.setenv("SLAAPP_SECRET_SYNC_CRM", TOKEN)
        monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
        assert "SLAAPP_SECRET_SYNC_CRM is set and is used instead" in run(*add)[1]


def test_salesforce_refresh_is_set_up_from_the_cli(run, monkeypatch, memory_keyring):
    fake = FakeSalesforce(batch_size=10)
    ann = fake.add("User", Name="Ann", Email="ann@acme.test", IsActive=True)
    fake.add("Lead", Name="A lead", OwnerId=ann, Status="Open")
    with running(fake):
        old = fake.access_token
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{old}\n{fake.refresh_token}\n"))
        code, out, err = run("sync", "add", "sf", "--kind", "salesforce", "--url", fake.url,
                             "--client-id", fake.client_id, "--token-stdin",
                             "--refresh-token-stdin")  # fmt: skip
        assert code == 0, err
        assert "(refresh token: token in the system keyring)" in out
        assert memory_keyring.store[("slaapp", "sync:sf#refresh")] == fake.refresh_token
        fake.expire_session()  # the access token stops working
        code, out, err = run("sync", "--source", "sf")
        assert code == 0, out + err
        assert memory_keyring.store[("slaapp", "sync:sf")] == fake.access_token != old
        assert any(s.path == "/services/oauth2/token" for s in fake.seen)


def test_salesforce_refresh_token_from_the_environment(run, monkeypatch, memory_keyring):
    fake = FakeSalesforce(batch_size=10)
    fake.add("User", Name="Ann", Email="ann@acme.test", IsActive=True)
    with running(fake):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{fake.access_token}\n"))
        code, _, err = run("sync", "add", "sf", "--kind", "salesforce", "--url", fake.url,
                           "--client-id", fake.client_id, "--token-stdin")  # fmt: skip
        assert code == 0, err
        monkeypatch.setenv("SLAAPP_SALESFORCE_REFRESH_TOKEN", fake.refresh_token)
        fake.expire_session()
        code, out, err = run("sync", "--source", "sf")
        assert code == 0, out + err
        code, _, err = run("sync", "add", "crm", "--kind", "hubspot", "--client-id", "x")
        assert code == 2 and "HubSpot connections take no client id" in err
