"""CRM owner write-back for escalation reassignment: directory person -> CRM owner on a record."""

from __future__ import annotations

from collections.abc import Callable

from slaapp.models.database import Database
from slaapp.sync.connector import Connector, OwnerWriter, SourceError
from slaapp.sync.service import open_connector
from slaapp.sync.sources import ConnectOptions
from slaapp.sync.store import owner_map


def crm_owner_id(database: Database, source: str, person_key: str) -> str:
    """The CRM owner id of a directory person for `source`; SourceError if the CRM doesn't know them."""
    for crm_id, key in owner_map(database, source).items():
        if key == person_key:
            return crm_id
    raise SourceError(
        f"{source}: {person_key} is not a user of this CRM (sync it once so its owners are known)"
    )


def owner_writeback(
    database: Database, options: ConnectOptions | None = None
) -> Callable[[str, str, str], None]:
    """writeback(source, external_id, person_key) for notify.reassign: set the record's CRM owner.

    Raises SourceError (plain words) when the source is not a CRM that can write owners, the
    person has no CRM user, or the CRM refuses; AuthError/RateLimited from the call itself.
    """
    connectors: dict[str, Connector] = {}

    def writeback(source: str, external_id: str, person_key: str) -> None:
        connector = connectors.get(source)
        if connector is None:
            try:
                connector = connectors[source] = open_connector(database, source, options=options)
            except LookupError:
                raise SourceError(
                    f"{source}: no connection of that name to write the owner back to"
                ) from None
        if not isinstance(connector, OwnerWriter):
            raise SourceError(
                f"{source}: this source can't change owners (only HubSpot and Salesforce can)"
            )
        connector.assign_owner(external_id, crm_owner_id(database, source, person_key))

    return writeback
