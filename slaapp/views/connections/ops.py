"""Units of work behind the Connections screen: load, save, test, preview; plain values only."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TR_NOOP

from slaapp.engine.errors import BadInputError
from slaapp.infra.secrets import SecretError, connection_token, default_store, refresh_token
from slaapp.services.database import Database
from slaapp.sync.connections import Connection, list_connections, remove_connection, save_connection
from slaapp.sync.connector import AccountInfo, SyncError
from slaapp.sync.mapping import CrmMapping, MappedRecord, default_mapping, preview
from slaapp.sync.service import RunInfo, open_connector, sync_history
from slaapp.sync.sources import ConnectOptions, source_kind, source_kinds
from slaapp.views.common.i18n import tr_marked
from slaapp.views.common.times import shown

KIND_LABELS = {kind.name: kind.title for kind in source_kinds()}
STATE_WORDS = {"ok": QT_TR_NOOP("Synced"), "failed": QT_TR_NOOP("Failed"),
               "cancelled": QT_TR_NOOP("Cancelled"), "suspended": QT_TR_NOOP("Suspended"),
               "running": QT_TR_NOOP("Running"), "interrupted": QT_TR_NOOP("Interrupted"),
               "busy": QT_TR_NOOP("Busy")}  # fmt: skip
"""A run's state in words, marked for translation (shown through `state_words`)."""


def state_words(state: str) -> str:
    return tr_marked(STATE_WORDS.get(state, state))


@dataclass(frozen=True)
class ConnectionRow:
    """One connection with its latest run, for the table."""

    connection: Connection
    last: RunInfo | None


@dataclass(frozen=True)
class ScreenState:
    rows: tuple[ConnectionRow, ...]
    keyring: bool


def load_state(database: Database) -> ScreenState:
    runs = sync_history(database, limit=200)
    latest: dict[str, RunInfo] = {}
    for run in runs:
        latest.setdefault(run.source, run)
    rows = tuple(ConnectionRow(c, latest.get(c.name)) for c in list_connections(database))
    return ScreenState(rows, default_store().works())


def save(
    database: Database, connection: Connection, token: str | None, refresh: str | None = None
) -> bool:
    """Save a connection and its secrets; False when the secrets are kept for this session only."""
    save_connection(database, connection, int(time.time()))
    kept, secrets = True, default_store()
    if token:
        kept = secrets.set(connection_token(connection.name), token, connection.endpoint) and kept
    if refresh:
        kept = secrets.set(refresh_token(connection.name), refresh) and kept
    return kept


def remove(database: Database, name: str) -> None:
    """Forget a connection, its cursors, its token and refresh token (its records stay)."""
    remove_connection(database, name, int(time.time()))


def test(database: Database, name: str, options: ConnectOptions | None = None) -> AccountInfo:
    """Probe a connection; SyncError/SecretError become ValueError with plain words."""
    try:
        return open_connector(database, name, options=options).validate()
    except (SyncError, SecretError) as exc:
        raise BadInputError(str(exc)) from None


def mapping_of(connection: Connection) -> CrmMapping:
    """The connection's mapping, or the default one of its kind."""
    if connection.mapping:
        return CrmMapping.from_document(connection.mapping)
    kind = source_kind(connection.kind)
    return kind.default_mapping() if kind is not None else default_mapping()


def preview_mapping(
    database: Database,
    name: str,
    document: Mapping[str, Any],
    options: ConnectOptions | None = None,
) -> tuple[MappedRecord, ...]:
    """The events `document` makes of the latest records of the CRM (nothing is stored)."""
    mapping = CrmMapping.from_document(document)
    try:
        connector: Any = open_connector(database, name, options=options)
        if hasattr(connector, "preview"):
            return tuple(connector.preview(mapping))
        records = [
            raw
            for obj, o in mapping.objects.items()
            if o.enabled
            for raw in connector.sample(obj, 25)
        ]
        return preview(records, mapping)
    except (SyncError, SecretError) as exc:
        raise BadInputError(str(exc)) from None


def when(seconds: int | None) -> str:
    if not seconds:
        return ""
    return shown(seconds)


def quota_words(quota: Mapping[str, str]) -> str:
    """Remaining API calls in plain words, read by the kind whose quota headers these are."""
    return next((words for kind in source_kinds() if (words := kind.quota_words(quota))), "")
