"""The one secrets store: the variable scheme, the old names read only, the keyring picker and its fallback."""

from __future__ import annotations

import re
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null
from keyring.errors import KeyringLocked

import slaapp
from slaapp.infra.secrets import (
    ENVIRONMENT,
    MISSING,
    STORED,
    UNAVAILABLE,
    SecretMissingError,
    SecretStore,
    SecretsUnavailableError,
    connection_token,
    default_store,
    env_var,
    pick_backend,
    refresh_token,
)
from tests.memory_keyring import MemoryKeyring

SECRET = "hook-secret-value-123"


class LockedKeyring(MemoryKeyring):
    """A keyring that exists but is locked (a SecretService collection nobody unlocked)."""

    def get_password(self, service, username):
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service, username, password):
        raise KeyringLocked("Failed to unlock the collection!")


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SLAAPP_HUBSPOT_TOKEN", "SLAAPP_SALESFORCE_TOKEN", "SLAAPP_SALESFORCE_REFRESH_TOKEN",
                 "SLAAPP_SECRET_SYNC_CRM", "SLAAPP_SECRET_SYNC_CRM_REFRESH", "SLAAPP_SECRET_WEBHOOK_URL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_one_variable_scheme_for_every_secret():
    assert env_var("smtp_password") == "SLAAPP_SECRET_SMTP_PASSWORD"
    assert env_var("slack_webhook_url") == "SLAAPP_SECRET_SLACK_WEBHOOK_URL"
    assert connection_token("sales-exports", "hubspot").env == "SLAAPP_SECRET_SYNC_SALES_EXPORTS"
    assert connection_token("crm", "hubspot").name == "sync:crm"
    assert refresh_token("sf").name == "sync:sf#refresh"
    assert refresh_token("sf").env == "SLAAPP_SECRET_SYNC_SF_REFRESH"


def test_the_environment_wins_and_old_names_are_read_after_the_new_one_never_written(clean_env):
    store = SecretStore(backend=MemoryKeyring())
    token = connection_token("crm", "hubspot")
    assert store.set(token, "from-keyring") is True
    assert store.get(token) == "from-keyring" and store.status(token) == STORED
    clean_env.setenv("SLAAPP_HUBSPOT_TOKEN", "old-name")
    assert store.get(token) == "old-name" and store.status(token) == ENVIRONMENT
    clean_env.setenv("SLAAPP_SECRET_SYNC_CRM", "new-name")
    assert store.get(token) == "new-name"
    assert store.get(connection_token("crm", "salesforce")) == "new-name"
    clean_env.delenv("SLAAPP_SECRET_SYNC_CRM")
    assert store.get(connection_token("crm", "salesforce")) == "from-keyring"  # not its old name
    clean_env.setenv("SLAAPP_SALESFORCE_REFRESH_TOKEN", "old-refresh")
    assert store.get(refresh_token("crm")) == "old-refresh"
    store.set(token, "typed")
    assert store.get(token) == "old-name"  # writing never touches the environment


def test_the_picker_treats_fail_and_null_backends_as_no_keyring(request):
    previous = keyring.get_keyring()
    request.addfinalizer(lambda: keyring.set_keyring(previous))
    for backend in (fail.Keyring(), null.Keyring()):
        keyring.set_keyring(backend)
        assert pick_backend() is None and not SecretStore().works()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    assert pick_backend() is memory and SecretStore().works()


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), LockedKeyring()])
def test_without_a_working_keyring_secrets_last_for_the_session_and_say_what_to_do(
    backend, clean_env
):
    store = SecretStore(backend=backend) if isinstance(backend, LockedKeyring) else SecretStore()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        assert not store.works() and store.status("webhook_url") == UNAVAILABLE
        with pytest.raises(SecretsUnavailableError) as raised:
            store.get("webhook_url")
        words = "is locked" if isinstance(backend, LockedKeyring) else "no system keyring"
        assert words in str(raised.value) and "set SLAAPP_SECRET_WEBHOOK_URL" in str(raised.value)
        assert store.set("webhook_url", SECRET) is False
        assert store.get("webhook_url") == SECRET and store.status("webhook_url") == STORED
        assert SecretStore(backend=store._backend).status("webhook_url") == UNAVAILABLE  # not kept
        store.delete("webhook_url")
        assert store.status("webhook_url") == UNAVAILABLE
    finally:
        keyring.set_keyring(previous)


def test_a_missing_secret_names_where_to_enter_it_and_never_a_value(clean_env):
    store = SecretStore(backend=MemoryKeyring())
    assert store.status(connection_token("crm")) == MISSING
    with pytest.raises(SecretMissingError) as raised:
        store.require(connection_token("crm", "hubspot"), "Connections")
    assert str(raised.value) == (
        "the token of 'crm' is not stored yet: enter it in Connections or set SLAAPP_SECRET_SYNC_CRM"
    )
    store.set("webhook_url", SECRET)
    store.delete("webhook_url")
    assert store.get("webhook_url") is None


def test_the_app_shares_one_store():
    assert default_store() is default_store()


def test_only_the_store_touches_the_keyring_or_reads_secret_variables():
    """No other module imports keyring or spells a secret's variable in a string."""
    package = Path(slaapp.__file__).parent
    store = package / "infra" / "secrets.py"
    found = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path != store
        and re.search(
            r"^\s*(import|from) keyring|[\"']SLAAPP_(SECRET_|\w+_TOKEN)", path.read_text(), re.M
        )
    ]
    assert found == []
