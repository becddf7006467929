"""Idempotent event ingestion: records and events upserted in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ..engine.eventlog import NO_VALUE, EventLog
from .bulk import chunks
from .tables import Event, Record

Key = tuple[int, str, int]


@dataclass(frozen=True)
class IngestResult:
    """What an import changed; `changed_records` are the record ids to re-evaluate."""

    records_added: int
    records_updated: int
    events_added: int
    events_updated: int
    events_unchanged: int
    changed_records: frozenset[int]

    def summary(self) -> str:
        return (
            f"{self.events_added:,} events added, {self.events_updated:,} updated, "
            f"{self.events_unchanged:,} already known; {self.records_added:,} new records, "
            f"{self.records_updated:,} updated"
        )


def _record_ids(session: Session, source: str, external: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunks(external):
        rows = session.execute(
            select(Record.external_id, Record.id).where(
                Record.source == source, Record.external_id.in_(part)
            )
        )
        found.update({ext: rid for ext, rid in rows})
    return found


def _incoming(log: EventLog, record_pk: np.ndarray) -> dict[Key, tuple[str | None, dict[str, str]]]:
    """Events of the log keyed (record, name, instant); duplicates merged in input order."""
    names = log.event.values
    owners = log.owner
    columns = [(name, column.codes, column.values) for name, column in log.attributes.items()]
    events: dict[Key, tuple[str | None, dict[str, str]]] = {}
    pks = record_pk[log.record.codes].tolist()
    event_codes = log.event.codes.tolist()
    times = log.occurred_at.tolist()
    owner_codes = owners.codes.tolist()
    attribute_codes = [(name, codes.tolist(), values) for name, codes, values in columns]
    for i, pk in enumerate(pks):
        key = (pk, names[event_codes[i]], times[i])
        attributes = {
            name: values[codes[i]]
            for name, codes, values in attribute_codes
            if codes[i] != NO_VALUE
        }
        owner = None if owner_codes[i] == NO_VALUE else owners.values[owner_codes[i]]
        known = events.get(key)
        if known is not None:
            owner = owner or known[0]
            attributes = {**known[1], **attributes}
        events[key] = (owner, attributes)
    return events


def ingest_log(
    session: Session,
    log: EventLog,
    *,
    source: str,
    now: int,
    kinds: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> IngestResult:
    """Store a log's records and events; re-ingesting the same data changes nothing."""
    external = list(log.record.values)
    known = _record_ids(session, source, external)
    first_seen = np.full(len(external), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_seen, log.record.codes, log.occurred_at)
    new_records: list[dict[str, Any]] = [
        {
            "source": source,
            "external_id": ext,
            "kind": (kinds or {}).get(ext, "lead"),
            "name": (names or {}).get(ext, ext),
            "owner": None,
            "attributes": {},
            "created_at": int(first_seen[code]),
            "updated_at": now,
        }
        for code, ext in enumerate(external)
        if ext not in known
    ]
    if new_records:
        session.execute(insert(Record), new_records)
        known = _record_ids(session, source, external)
    record_pk = np.array([known[ext] for ext in external], dtype=np.int64)
    incoming = _incoming(log, record_pk)

    existing: dict[Key, tuple[int, str | None, dict[str, Any] | None]] = {}
    for part in chunks(sorted(set(record_pk.tolist()))):
        rows = session.execute(
            select(
                Event.record_id,
                Event.name,
                Event.occurred_at,
                Event.id,
                Event.owner,
                Event.attributes,
            ).where(Event.record_id.in_(part))
        )
        for record_id, name, at, event_id, owner, attributes in rows:
            existing[(record_id, name, at)] = (event_id, owner, attributes)

    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    touched: set[int] = set()
    for key, (owner, attributes) in incoming.items():
        stored = existing.get(key)
        if stored is None:
            added.append(
                {
                    "record_id": key[0], "name": key[1], "occurred_at": key[2], "owner": owner,
                    "attributes": attributes or None, "source": source, "raw": None, "ingested_at": now,
                }
            )  # fmt: skip
            touched.add(key[0])
            continue
        event_id, old_owner, old_attributes = stored
        merged = {**(old_attributes or {}), **attributes}
        new_owner = owner or old_owner
        if new_owner != old_owner or merged != (old_attributes or {}):
            changed.append(
                {
                    "id": event_id,
                    "owner": new_owner,
                    "attributes": merged or None,
                    "ingested_at": now,
                }
            )
            touched.add(key[0])
    if added:
        session.execute(insert(Event), added)
    if changed:
        session.execute(update(Event), changed)
    updated_records = _refresh_records(session, touched, now)
    return IngestResult(
        records_added=len(new_records),
        records_updated=updated_records - len(new_records),
        events_added=len(added),
        events_updated=len(changed),
        events_unchanged=len(incoming) - len(added) - len(changed),
        changed_records=frozenset(touched),
    )


def _refresh_records(session: Session, record_ids: set[int], now: int) -> int:
    """Set each touched record's latest owner and attributes from its stored events."""
    updates: list[dict[str, Any]] = []
    for part in chunks(sorted(record_ids)):
        latest: dict[int, tuple[str | None, dict[str, Any]]] = {rid: (None, {}) for rid in part}
        rows = session.execute(
            select(Event.record_id, Event.owner, Event.attributes)
            .where(Event.record_id.in_(part))
            .order_by(Event.record_id, Event.occurred_at, Event.id)
        )
        for record_id, owner, attributes in rows:
            old_owner, merged = latest[record_id]
            latest[record_id] = (owner or old_owner, {**merged, **(attributes or {})})
        updates += [
            {"id": rid, "owner": owner, "attributes": attributes, "updated_at": now}
            for rid, (owner, attributes) in latest.items()
        ]
    if updates:
        session.execute(update(Record), updates)
    return len(updates)
