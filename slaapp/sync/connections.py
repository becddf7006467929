"""Saved CRM connections (no secrets) in the settings table: add, edit, list and remove."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete

from slaapp.engine.errors import NotFoundError, UserError
from slaapp.infra.secrets import (
    Secret,
    SecretsUnavailableError,
    connection_token,
    default_store,
    from_environment,
    refresh_token,
)
from slaapp.models.database import Database
from slaapp.models.settings import CONNECTIONS, put_setting, setting_or_default
from slaapp.models.tables import SyncCursor, table_of
from slaapp.sync.sources import kind_names, source_kind

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_SECRET_WORDS = ("token", "secret", "password", "apikey", "api_key")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ConnectionSettingError(UserError, ValueError):
    """A connection setting is wrong; the message names the field."""


@dataclass(frozen=True)
class Connection:
    """A source to sync: a CRM account or an export folder. Its token lives in the keyring.

    `url` is HubSpot's API base URL or the Salesforce instance URL; `folder` the export
    folder; `schedule_minutes` how often the app syncs it (0: only on "Sync now");
    `mapping` the kind's mapping document (see mapping.py); `options` other non-secret
    settings (HubSpot "api_prefix", default /crm/v3; Salesforce "api_version"; a folder's
    "timezone" and "record_kind").
    """

    name: str
    kind: str
    url: str = ""
    folder: str = ""
    schedule_minutes: int = 60
    enabled: bool = True
    mapping: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        """Where its token is sent: a stored token goes only to the endpoint it was entered
        for (SecretStore.get), so changing the shared URL cannot send it elsewhere."""
        return f"{self.kind} {self.url or '(the default API address)'}"

    def to_document(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["mapping"] = dict(self.mapping)
        doc["options"] = dict(self.options)
        return doc

    @staticmethod
    def from_document(doc: Mapping[str, Any]) -> Connection:
        return Connection(
            name=str(doc["name"]), kind=str(doc["kind"]), url=str(doc.get("url", "")),
            folder=str(doc.get("folder", "")), schedule_minutes=int(doc.get("schedule_minutes", 60)),
            enabled=bool(doc.get("enabled", True)), mapping=dict(doc.get("mapping") or {}),
            options={str(k): str(v) for k, v in (doc.get("options") or {}).items()},
        )  # fmt: skip


def check_connection(connection: Connection) -> None:
    """Raise ConnectionSettingError naming the field when a setting is unusable."""
    if not _NAME.match(connection.name):
        raise ConnectionSettingError(
            f"name {connection.name!r}: use 1-64 letters, digits, spaces, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    kind = source_kind(connection.kind)
    if kind is None:
        raise ConnectionSettingError(
            f"kind {connection.kind!r}: choose one of {', '.join(kind_names())}"
        )
    if kind.address:
        url = urlsplit(connection.url)
        local = url.scheme == "http" and (url.hostname or "") in LOOPBACK
        if not url.netloc or not (url.scheme == "https" or local):
            raise ConnectionSettingError(
                f"url {connection.url!r}: the {kind.address} must start with https:// "
                f"(e.g. {kind.url_example}); http:// is accepted only on this computer "
                "(127.0.0.1, localhost or ::1), for test servers"
            )
        if url.username or url.password or url.query:
            raise ConnectionSettingError("url: put the token in the token field, not in the URL")
    elif not connection.folder:
        raise ConnectionSettingError("folder: choose the folder the CRM exports are saved to")
    if connection.schedule_minutes < 0:
        raise ConnectionSettingError("schedule_minutes: use 0 (manual) or a number of minutes")
    for key in connection.options:
        if any(word in key.lower().replace("-", "_") for word in _SECRET_WORDS):
            raise ConnectionSettingError(
                f"options.{key}: secrets belong in the keyring, not in settings"
            )


def list_connections(database: Database) -> tuple[Connection, ...]:
    with database.session() as session:
        doc = setting_or_default(session, CONNECTIONS)
    return tuple(Connection.from_document(d) for d in doc["connections"])


def get_connection(database: Database, name: str) -> Connection:
    for connection in list_connections(database):
        if connection.name == name:
            return connection
    known = ", ".join(c.name for c in list_connections(database)) or "none yet"
    raise NotFoundError(f"no connection named {name!r} (connections: {known})")


def save_connection(database: Database, connection: Connection, now: int) -> None:
    """Add or replace (by name) a connection; its cursors stay unless the kind changed."""
    check_connection(connection)
    with database.session() as session:
        doc = setting_or_default(session, CONNECTIONS)
        saved = [Connection.from_document(d) for d in doc["connections"]]
        old = next((c for c in saved if c.name == connection.name), None)
        if old is not None and old.kind != connection.kind:
            _drop_cursors(session, connection.name)
        saved = [c for c in saved if c.name != connection.name] + [connection]
        saved.sort(key=lambda c: c.name.lower())
        put_setting(session, CONNECTIONS, {"connections": [c.to_document() for c in saved]}, now)


def remove_connection(database: Database, name: str, now: int) -> None:
    """Forget a connection, its cursors and its tokens; the records it brought in stay."""
    get_connection(database, name)
    with database.session() as session:
        doc = setting_or_default(session, CONNECTIONS)
        kept = [d for d in doc["connections"] if d.get("name") != name]
        put_setting(session, CONNECTIONS, {"connections": kept}, now)
        _drop_cursors(session, name)
    secrets = default_store()
    secrets.delete(connection_token(name))
    secrets.delete(refresh_token(name))


def _drop_cursors(session: Any, name: str) -> None:
    cursors = table_of(SyncCursor)
    session.execute(delete(cursors).where(cursors.c.source == name))


def keep_token(secret: Secret, token: str, endpoint: str | None = None) -> str:
    """Store a token (for `endpoint`) and say in plain words where it went: keyring,
    environment or this session."""
    store = default_store()
    kept = store.set(secret, token, endpoint)
    if from_environment(secret):
        return f"{secret.env} is set and is used instead of the token given"
    if kept:
        try:
            back = store.get(secret)
        except SecretsUnavailableError:
            back = None
        if back == token:
            return "token in the system keyring"
        return f"the system keyring did not keep the token: set {secret.env} for each run"
    return f"no working system keyring: the token is kept for this session only; set {secret.env} for each run"
