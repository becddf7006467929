"""Build the connector of a saved connection (HubSpot, Salesforce or an export folder)."""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slaapp.sync.connections import Connection
from slaapp.sync.connector import Connector, SourceError

FACTORIES = {
    "hubspot": "slaapp.sync.hubspot",
    "salesforce": "slaapp.sync.salesforce",
    "folder": "slaapp.sync.folder",
}
"""Each module has `connect(connection: Connection, token: str | None, options: ConnectOptions)
-> Connector`."""


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


def needs_token(kind: str) -> bool:
    return kind in ("hubspot", "salesforce")


def build_connector(
    connection: Connection, token: str | None, options: ConnectOptions | None = None
) -> Connector:
    """The connector for `connection`; SourceError if its kind isn't available."""
    module_name = FACTORIES.get(connection.kind)
    if module_name is None:
        raise SourceError(f"{connection.name}: unknown source kind {connection.kind!r}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        raise SourceError(
            f"{connection.name}: {connection.kind} connections are not available in this build"
        ) from None
    connector: Connector = module.connect(connection, token, options or ConnectOptions())
    return connector
