"""A stored secret goes only to the server it was entered for: changed shared settings get nothing."""

from __future__ import annotations

import pytest

from slaapp.infra.secrets import (
    CHANGED,
    STORED,
    SecretEndpointError,
    SecretStore,
    connection_token,
    default_store,
)
from slaapp.notify.channel import ChannelError
from slaapp.notify.email import PASSWORD_SECRET, SmtpSettings
from slaapp.notify.email_channel import EmailChannel
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.service import open_connector
from slaapp.views.connections.ops import save
from tests.memory_keyring import MemoryKeyring

from .smtp_server import PASSWORD, USER, smtp_server
from .test_channel_email import DIGEST

NOW = 1_795_000_000


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("SLAAPP_SECRET_SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("SLAAPP_SECRET_SYNC_CRM", raising=False)
    monkeypatch.delenv("SLAAPP_HUBSPOT_TOKEN", raising=False)


def test_shared_smtp_settings_pointed_elsewhere_never_receive_the_password(tmp_path, no_env):
    store = SecretStore(backend=MemoryKeyring())
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    with (
        smtp_server(tmp_path / "ours") as (ours, port, ca_file),
        smtp_server(tmp_path / "theirs") as (theirs, their_port, their_ca),
    ):
        mine = SmtpSettings("127.0.0.1", port, USER, USER, True, str(ca_file))
        assert store.set(PASSWORD_SECRET, PASSWORD, mine.endpoint)
        EmailChannel(mine, store).send(DIGEST)
        assert len(ours.received) == 1

        # Another database writer points the shared settings at their own server.
        hijacked = SmtpSettings("127.0.0.1", their_port, USER, USER, True, str(their_ca))
        channel = EmailChannel(hijacked, store)
        assert "enter it again in Settings > Email" in channel.problem()
        assert store.status(PASSWORD_SECRET, hijacked.endpoint) == CHANGED
        with pytest.raises(ChannelError) as refused:
            channel.send(DIGEST)
        assert "was entered for smtp+starttls://" in str(refused.value)
        assert f":{their_port}" in str(refused.value) and not refused.value.retryable
        assert theirs.received == []

        # A person who means it enters the password again for the new server.
        store.set(PASSWORD_SECRET, PASSWORD, hijacked.endpoint)
        assert store.status(PASSWORD_SECRET, hijacked.endpoint) == STORED
        EmailChannel(hijacked, store).send(DIGEST)
        assert len(theirs.received) == 1
        with pytest.raises(ChannelError):  # and the old endpoint is the one refused now
            EmailChannel(mine, store).send(DIGEST)


def test_turning_starttls_off_or_changing_the_user_counts_as_another_endpoint(no_env) -> None:
    store = SecretStore(backend=MemoryKeyring())
    settings = SmtpSettings("mail.acme.example", 587, "ops@acme.example", starttls=True)
    store.set(PASSWORD_SECRET, "pw", settings.endpoint)
    for changed in (
        SmtpSettings("mail.acme.example", 587, "ops@acme.example", starttls=False),
        SmtpSettings("mail.acme.example", 2525, "ops@acme.example"),
        SmtpSettings("mail.acme.example", 587, "someone@else.example"),
        SmtpSettings("mail.acme.example", 587, "ops@acme.example", ca_file="/tmp/their-ca.pem"),
    ):
        with pytest.raises(SecretEndpointError):
            store.get(PASSWORD_SECRET, changed.endpoint)
    assert store.get(PASSWORD_SECRET, settings.endpoint) == "pw"


def test_a_password_stored_before_endpoints_were_recorded_is_bound_at_first_use(no_env) -> None:
    store = SecretStore(backend=MemoryKeyring())
    store.set(PASSWORD_SECRET, "pw")  # as an older version stored it
    first = SmtpSettings("mail.acme.example", 587, "ops@acme.example")
    assert store.get(PASSWORD_SECRET, first.endpoint) == "pw"
    with pytest.raises(SecretEndpointError):
        store.get(PASSWORD_SECRET, SmtpSettings("evil.example", 587, "ops@acme.example").endpoint)


def test_a_crm_connection_moved_to_another_url_does_not_get_the_token(database, no_env) -> None:
    crm = Connection("crm", "hubspot", url="https://api.hubapi.com")
    assert save(database, crm, "pat-token-123")
    assert open_connector(database, "crm") is not None
    save_connection(database, Connection("crm", "hubspot", url="https://evil.example"), NOW)
    with pytest.raises(SecretEndpointError) as refused:
        open_connector(database, "crm")
    assert "hubspot https://api.hubapi.com" in str(refused.value)
    assert "hubspot https://evil.example" in str(refused.value)
    assert (
        default_store().status(connection_token("crm"), "hubspot https://evil.example") == CHANGED
    )


def test_a_value_entered_again_without_an_endpoint_is_bound_where_it_is_next_used(no_env):
    store = SecretStore(backend=MemoryKeyring())
    store.set(PASSWORD_SECRET, "pw", "smtp+starttls://ops@old.example:587")
    moved = SmtpSettings("new.example", 587, "ops")
    with pytest.raises(SecretEndpointError):
        store.get(PASSWORD_SECRET, moved.endpoint)
    store.set(PASSWORD_SECRET, "pw2")  # typed again where the endpoint is not known (a prompt)
    assert store.get(PASSWORD_SECRET, moved.endpoint) == "pw2"
    with pytest.raises(SecretEndpointError):
        store.get(PASSWORD_SECRET, "smtp+starttls://ops@old.example:587")
