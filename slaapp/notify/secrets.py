"""Secrets (SMTP password, tokens, webhook URLs) in the OS keyring, never in files or the database."""

from __future__ import annotations

import contextlib
import os

import keyring
from keyring.errors import KeyringError, NoKeyringError

from slaapp.engine.errors import UserError

SERVICE = "slaapp"


class SecretsUnavailableError(UserError):
    """No working keyring backend: the user must type the secret for this session."""


class SecretStore:
    """Get, set and delete secrets by name in the keyring (service `slaapp`).

    When no backend works, secrets set during this session are kept in memory only, and
    reading a missing one raises SecretsUnavailableError so the app can ask for it.
    Environment variables `SLAAPP_SECRET_<NAME>` win for headless runs.
    """

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._session: dict[str, str] = {}

    @staticmethod
    def _env(name: str) -> str:
        return "SLAAPP_SECRET_" + "".join(c if c.isalnum() else "_" for c in name).upper()

    def get(self, name: str) -> str | None:
        from_env = os.environ.get(self._env(name))
        if from_env:
            return from_env
        if name in self._session:
            return self._session[name]
        try:
            return keyring.get_password(self.service, name)
        except NoKeyringError:
            raise SecretsUnavailableError(
                f"no system keyring is available to read the secret {name!r}; enter it for this session "
                f"or set {self._env(name)}"
            ) from None
        except KeyringError as exc:
            raise SecretsUnavailableError(
                f"the system keyring refused to read {name!r}: {exc}"
            ) from None

    def set(self, name: str, value: str) -> bool:
        """Store a secret; False when it could only be kept for this session."""
        try:
            keyring.set_password(self.service, name, value)
        except (NoKeyringError, KeyringError):
            self._session[name] = value
            return False
        self._session.pop(name, None)
        return True

    def delete(self, name: str) -> None:
        self._session.pop(name, None)
        with contextlib.suppress(NoKeyringError, KeyringError):
            keyring.delete_password(self.service, name)
