"""The one secrets store: the environment for headless runs, else the OS keyring, else this session.

Every secret has a name, its user name in the keyring under the service `slaapp`:
`smtp_password`, `slack_webhook_url`, `webhook_url` and `webhook_token` (alert channels),
`sync:<connection>` (a CRM connection's access token) and `sync:<connection>#refresh`
(a Salesforce refresh token). Values never reach the database, settings, messages or logs.

Environment variables (one scheme; they win over the keyring, for servers and cron jobs):
`SLAAPP_SECRET_<NAME>`, where <NAME> is the secret's name upper-cased with every character
that is not a letter or a digit replaced by `_`, e.g. SLAAPP_SECRET_SMTP_PASSWORD,
SLAAPP_SECRET_SLACK_WEBHOOK_URL, SLAAPP_SECRET_SYNC_HUBSPOT (connection `hubspot`),
SLAAPP_SECRET_SYNC_SFDC_REFRESH (connection `sfdc`). Older names are still read, after the
new one, and never written: SLAAPP_HUBSPOT_TOKEN and SLAAPP_SALESFORCE_TOKEN (every
connection of that kind) and SLAAPP_SALESFORCE_REFRESH_TOKEN.

The keyring backend is chosen by `pick_backend()` (keyring's own choice, which tests and
`PYTHON_KEYRING_BACKEND` can set). When none works (no backend, the `fail` or `null`
one, a locked or refusing one), secrets typed in this session are kept in its memory
only, and reading one that is not there raises SecretsUnavailableError, which says to
enter it again or set the environment variable.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringError, KeyringLocked

from slaapp.engine.errors import UserError

SERVICE = "slaapp"
ENV_PREFIX = "SLAAPP_SECRET_"
LEGACY_TOKEN_ENV = {"hubspot": "SLAAPP_HUBSPOT_TOKEN", "salesforce": "SLAAPP_SALESFORCE_TOKEN"}
LEGACY_REFRESH_ENV = "SLAAPP_SALESFORCE_REFRESH_TOKEN"
STORED, ENVIRONMENT, MISSING, UNAVAILABLE = "stored", "environment", "missing", "unavailable"
CHANGED = "changed"
"""A stored secret whose server changed since it was entered: it must be entered again."""
BINDING = "@endpoint"
"""Suffix of the keyring entry holding the server a secret was entered for (not a secret)."""
"""Where a secret is (`status`): never its value."""
_PROBE = "probe"
_BACKEND_ERRORS = (KeyringError, RuntimeError)


class SecretError(UserError):
    """A secret that cannot be read: the message says what to enter or which variable to set."""


class SecretsUnavailableError(SecretError):
    """No working keyring: the secret must be typed for this session or set in the environment."""


class SecretMissingError(SecretError):
    """The keyring works but holds no value for the secret."""


class SecretEndpointError(SecretError):
    """A stored secret entered for another server than the shared settings now name."""


def env_var(name: str) -> str:
    """The environment variable that supplies secret `name` on headless runs."""
    return ENV_PREFIX + "".join(c if c.isalnum() else "_" for c in name).upper()


@dataclass(frozen=True)
class Secret:
    """A secret's keyring name and the older environment variables still read for it."""

    name: str
    legacy_env: tuple[str, ...] = ()

    @property
    def env(self) -> str:
        return env_var(self.name)


def connection_token(connection: str, kind: str = "") -> Secret:
    """The access token of CRM connection `connection` (`kind` adds the old per-kind variable)."""
    legacy = LEGACY_TOKEN_ENV.get(kind)
    return Secret(f"sync:{connection}", (legacy,) if legacy else ())


def refresh_token(connection: str) -> Secret:
    """The refresh token of a Salesforce connection."""
    return Secret(f"sync:{connection}#refresh", (LEGACY_REFRESH_ENV,))


def _secret(secret: str | Secret) -> Secret:
    return secret if isinstance(secret, Secret) else Secret(secret)


def from_environment(secret: str | Secret) -> str | None:
    """The value the environment gives (the new variable first, then the older ones), or None."""
    wanted = _secret(secret)
    for variable in (wanted.env, *wanted.legacy_env):
        value = os.environ.get(variable)
        if value:
            return value
    return None


def pick_backend() -> KeyringBackend | None:
    """The keyring backend to use, or None when there is no real one (`fail`, `null`)."""
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    return backend


class SecretStore:
    """Get, set and delete secrets by name (see the module for names and variables).

    Reading looks at the environment, then this store's session memory, then the keyring.
    Writing goes to the keyring, or to the session memory when no keyring works (`set`
    says which). `backend` fixes the keyring (tests); by default `pick_backend()` chooses
    at each call, so a keyring unlocked later is used.
    """

    def __init__(self, service: str = SERVICE, backend: KeyringBackend | None = None) -> None:
        self.service = service
        self._backend = backend
        self._session: dict[str, str] = {}
        self._lock = threading.Lock()

    def backend(self) -> KeyringBackend | None:
        return self._backend if self._backend is not None else pick_backend()

    def works(self) -> bool:
        """True when a keyring keeps secrets across runs; False means "ask each session"."""
        backend = self.backend()
        if backend is None:
            return False
        try:
            backend.get_password(self.service, _PROBE)
        except _BACKEND_ERRORS:
            return False
        return True

    def get(self, secret: str | Secret, endpoint: str | None = None) -> str | None:
        """The value, or None when none is stored; SecretsUnavailableError without a keyring.

        With `endpoint` (the server the value is about to be sent to, as the shared settings
        name it: host, port, user, TLS), a stored value is given only when it was entered
        for that endpoint (SecretEndpointError otherwise): someone who can change the shared
        settings cannot send this desktop's password somewhere else. A value stored before
        endpoints were recorded is bound to the first endpoint it is read for. Values from
        the environment are the operator's choice and are not bound.
        """
        wanted = _secret(secret)
        value = from_environment(wanted)
        if value:
            return value
        value = self._stored(wanted)
        if value and endpoint is not None:
            bound = self._binding(wanted.name)
            if bound is None:
                self._keep(wanted.name + BINDING, endpoint)
            elif bound != endpoint:
                raise SecretEndpointError(
                    f"{_what(wanted)} was entered for {bound}, but the shared settings now send "
                    f"it to {endpoint}: enter it again if that server is right (until then it "
                    "is not sent anywhere)"
                )
        return value

    def _binding(self, name: str) -> str | None:
        """The endpoint a stored secret was entered for, None when none was recorded."""
        try:
            return self._stored(Secret(name + BINDING))
        except SecretsUnavailableError:
            return None

    def _stored(self, wanted: Secret) -> str | None:
        """The value in this session's memory or the keyring (not the environment)."""
        with self._lock:
            if wanted.name in self._session:
                return self._session[wanted.name]
        backend = self.backend()
        if backend is None:
            raise SecretsUnavailableError(
                f"no system keyring is available to read {_what(wanted)}: enter it for this "
                f"session or set {wanted.env}"
            )
        try:
            return backend.get_password(self.service, wanted.name)
        except KeyringLocked:
            raise SecretsUnavailableError(
                f"the system keyring is locked, so {_what(wanted)} cannot be read: unlock it, "
                f"enter it for this session or set {wanted.env}"
            ) from None
        except _BACKEND_ERRORS as exc:
            raise SecretsUnavailableError(
                f"the system keyring refused to read {_what(wanted)} ({type(exc).__name__}): "
                f"enter it for this session or set {wanted.env}"
            ) from None

    def require(self, secret: str | Secret, where: str = "", endpoint: str | None = None) -> str:
        """The value; SecretMissingError (or SecretsUnavailableError, SecretEndpointError)
        saying where to enter it."""
        wanted = _secret(secret)
        value = self.get(wanted, endpoint)
        if not value:
            raise SecretMissingError(
                f"{_what(wanted)} is not stored yet: enter it"
                + (f" in {where}" if where else "")
                + f" or set {wanted.env}"
            )
        return value

    def set(self, secret: str | Secret, value: str, endpoint: str | None = None) -> bool:
        """Keep a secret (entered for `endpoint`, see `get`); True if in the keyring, False if
        only in this session's memory."""
        name = _secret(secret).name
        kept = self._keep(name, value)
        if endpoint is not None:
            self._keep(name + BINDING, endpoint)
        else:  # a value typed anew is bound where it is first used, never to an old endpoint
            self._forget(name + BINDING)
        return kept

    def _keep(self, name: str, value: str) -> bool:
        backend = self.backend()
        if backend is not None:
            try:
                backend.set_password(self.service, name, value)
            except _BACKEND_ERRORS:
                pass  # a locked or refusing keyring: keep it for this session below
            else:
                with self._lock:
                    self._session.pop(name, None)
                return True
        with self._lock:
            self._session[name] = value
        return False

    def delete(self, secret: str | Secret) -> None:
        """Forget a secret in this session and in the keyring (the environment is left alone)."""
        for name in (_secret(secret).name, _secret(secret).name + BINDING):
            self._forget(name)

    def _forget(self, name: str) -> None:
        with self._lock:
            self._session.pop(name, None)
        backend = self.backend()
        if backend is not None:
            with contextlib.suppress(*_BACKEND_ERRORS):
                backend.delete_password(self.service, name)

    def status(self, secret: str | Secret, endpoint: str | None = None) -> str:
        """STORED, ENVIRONMENT, MISSING, UNAVAILABLE (no keyring to read it from) or CHANGED
        (entered for another endpoint than `endpoint`)."""
        try:
            value = self.get(secret, endpoint)
        except SecretsUnavailableError:
            return UNAVAILABLE
        except SecretEndpointError:
            return CHANGED
        if not value:
            return MISSING
        return ENVIRONMENT if from_environment(secret) else STORED


def _what(secret: Secret) -> str:
    if secret.name.startswith("sync:"):
        connection = secret.name.removeprefix("sync:")
        if connection.endswith("#refresh"):
            return f"the refresh token of {connection.removesuffix('#refresh')!r}"
        return f"the token of {connection!r}"
    return f"the secret {secret.name!r}"


_shared: SecretStore | None = None
_shared_lock = threading.Lock()


def default_store() -> SecretStore:
    """The store of this process: what one screen keeps for the session, the others find."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SecretStore()
        return _shared
