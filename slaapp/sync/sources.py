"""The kinds of source, one SourceKind each in SOURCE_KINDS, and building a connection's connector."""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from slaapp.importers.mapping_file import parse_mapping
from slaapp.sync.connector import Connector, SourceError
from slaapp.sync.hubspot_client import quota_words as hubspot_quota
from slaapp.sync.mapping import CrmMapping
from slaapp.sync.mapping import default_mapping as crm_default_mapping
from slaapp.sync.salesforce_api import quota_words as salesforce_quota
from slaapp.sync.salesforce_mapping import default_salesforce_mapping

if TYPE_CHECKING:
    from slaapp.sync.connections import Connection


@dataclass(frozen=True)
class ConnectOptions:
    """How connectors talk to the network; tests inject `sleep`/`rand` to skip real waits."""

    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    timeout: float = 30.0
    page_size: int = 200
    overlap_seconds: int = 180
    ca_file: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    commit_records: int = 2000
    """Fetched records committed per transaction (with the cursor of the last page)."""
    clock: Callable[[], float] = time.time
    """The current instant (epoch seconds): when a meeting has ended, when a lock is stale."""


class ConnectorFactory(Protocol):
    """The `connect` function of a connector module."""

    def __call__(
        self, connection: Connection, token: str | None, options: ConnectOptions
    ) -> Connector: ...


def check_crm_mapping(document: Mapping[str, Any], source: str) -> None:
    """A `slaapp.crm-mapping` document (HubSpot, Salesforce); ValueError names the wrong field."""
    CrmMapping.from_document(document)


def check_file_mapping(document: Mapping[str, Any], source: str) -> None:
    """A `slaapp.mapping/1` document for wide export files; MappingError lists every problem."""
    parse_mapping(dict(document), source)


def no_quota(quota: Mapping[str, str]) -> str:
    """For kinds whose replies carry no quota headers."""
    return ""


@dataclass(frozen=True)
class SourceKind:
    """Everything the app knows about one kind of source; the CLI, checks and screens read it."""

    name: str
    """Stored in `Connection.kind`, typed after `slaapp sync add --kind`."""
    title: str
    """The kind as users know it: "HubSpot", "Export folder"."""
    module: str
    """The connector module: `connect(connection, token, options) -> Connector`, imported on use."""
    address: str = ""
    """What `Connection.url` holds, in users' words; "" when the kind reads `Connection.folder`."""
    default_url: str = ""
    url_example: str = ""
    needs_token: bool = False
    """Syncs with an access token (keyring, or `SLAAPP_SECRET_SYNC_<NAME>` on headless runs)."""
    token_help: str = ""
    """Where users find the token (the dialog's tooltip)."""
    refresh_token: bool = False
    """Also takes an OAuth refresh token and the app's client id (option "client_id")."""
    default_mapping: Callable[[], CrmMapping] = crm_default_mapping
    """The built-in mapping the mapping editor starts from."""
    check_mapping: Callable[[Mapping[str, Any], str], None] = check_crm_mapping
    """Raises ValueError naming what is wrong in a mapping document (and its file name)."""
    quota_words: Callable[[Mapping[str, str]], str] = no_quota
    """The API quota left, in plain words, from the last response's headers."""
    record_url: str = ""
    """A record's address in the CRM: `{url}` is the connection's URL; "" when not known."""

    def record_url_of(self, connection: Connection) -> str:
        """The record-address template of a connection (`{external_id}` left in), or ""."""
        return self.record_url.replace("{url}", connection.url.rstrip("/"))

    def connect(
        self, connection: Connection, token: str | None, options: ConnectOptions
    ) -> Connector:
        """The connector of `connection`; SourceError if this build lacks the module."""
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError:
            raise SourceError(
                f"{connection.name}: {self.title} connections are not available in this build"
            ) from None
        factory: ConnectorFactory = module.connect
        return factory(connection, token, options)


# The registry: one entry per kind, in the order the screens list them.
SOURCE_KINDS: tuple[SourceKind, ...] = (
    SourceKind(
        "hubspot", "HubSpot", "slaapp.sync.hubspot", address="API base URL",
        default_url="https://api.hubapi.com", url_example="https://api.hubapi.com",
        needs_token=True,
        token_help="A private app's access token (Settings > Integrations > Private apps)",
        quota_words=hubspot_quota,
    ),
    SourceKind(
        "salesforce", "Salesforce", "slaapp.sync.salesforce", address="instance URL",
        url_example="https://yourorg.my.salesforce.com", needs_token=True,
        token_help="An OAuth access token (session id) of a user with API access",
        refresh_token=True, default_mapping=default_salesforce_mapping,
        quota_words=salesforce_quota, record_url="{url}/{external_id}",
    ),
    SourceKind("folder", "Export folder", "slaapp.sync.folder", check_mapping=check_file_mapping),
)  # fmt: skip
KINDS: dict[str, SourceKind] = {kind.name: kind for kind in SOURCE_KINDS}
"""The registry by name; everything reads it through the functions below."""


def source_kinds() -> tuple[SourceKind, ...]:
    """Every registered kind, in the order the screens list them."""
    return tuple(KINDS.values())


def kind_names() -> tuple[str, ...]:
    return tuple(KINDS)


def source_kind(name: str) -> SourceKind | None:
    """The registered kind called `name`, or None."""
    return KINDS.get(name)


def needs_token(kind: str) -> bool:
    found = KINDS.get(kind)
    return found is not None and found.needs_token


def build_connector(
    connection: Connection, token: str | None, options: ConnectOptions | None = None
) -> Connector:
    """The connector for `connection`; SourceError if its kind isn't registered or available."""
    kind = KINDS.get(connection.kind)
    if kind is None:
        raise SourceError(f"{connection.name}: unknown source kind {connection.kind!r}")
    return kind.connect(connection, token, options or ConnectOptions())
