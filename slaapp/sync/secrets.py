"""Connection tokens in the OS keyring (service "slaapp"), an env var, or this session's memory."""

from __future__ import annotations

import contextlib
import os
import threading

import keyring
from keyring.errors import KeyringError

from slaapp.engine.errors import UserError

SERVICE = "slaapp"
ENV_VARS = {"hubspot": "SLAAPP_HUBSPOT_TOKEN", "salesforce": "SLAAPP_SALESFORCE_TOKEN"}

_session: dict[str, str] = {}
_lock = threading.Lock()


class TokenMissingError(UserError):
    """No token is stored for a connection: the user must enter one (or set the env var)."""


def keyring_works() -> bool:
    """True when a keyring backend can store tokens; False means "ask each session"."""
    try:
        keyring.get_password(SERVICE, "sync:probe")
    except (KeyringError, RuntimeError):
        return False
    return True


def _key(name: str) -> str:
    return f"sync:{name}"


def store_token(name: str, token: str) -> bool:
    """Keep a connection's token; True if in the keyring, False if only for this session."""
    try:
        keyring.set_password(SERVICE, _key(name), token)
    except (KeyringError, RuntimeError):
        with _lock:
            _session[name] = token
        return False
    with _lock:
        _session.pop(name, None)
    return True


def load_token(name: str, kind: str) -> str:
    """The token of a connection: env var for its kind, this session's, else the keyring."""
    env = ENV_VARS.get(kind)
    if env and os.environ.get(env):
        return os.environ[env]
    with _lock:
        if name in _session:
            return _session[name]
    try:
        token = keyring.get_password(SERVICE, _key(name))
    except (KeyringError, RuntimeError):
        raise TokenMissingError(
            f"no system keyring is available to read the token of {name!r}: enter it for this "
            f"session" + (f" or set {env}" if env else "")
        ) from None
    if not token:
        raise TokenMissingError(
            f"no token is stored for {name!r}: enter it in Connections"
            + (f" or set {env}" if env else "")
        )
    return token


def forget_token(name: str) -> None:
    with _lock:
        _session.pop(name, None)
    with contextlib.suppress(KeyringError, RuntimeError):
        keyring.delete_password(SERVICE, _key(name))
