"""Idempotent event ingestion: records and events upserted in one transaction.

An event's key is (record, event, instant, occurrence): two rows of one record with the same
event at the same instant are two events, numbered 1, 2, ... in input order, as `evaluate`
reads them; re-importing the same rows finds every key and adds nothing. A CRM batch that read
a record twice merges the two reads instead (`ingest_log`'s `repeats`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import repeat
from json import dumps
from typing import Any

import numpy as np
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from slaapp.engine.eventlog import NO_VALUE, Column, EventLog
from slaapp.models.bulk import insert_rows, is_postgresql, reserve_ids, rows_with_keys
from slaapp.models.tables import Event, Record, table_of

Key = tuple[int, str, int, int]
"""(record id, event name, instant, occurrence): the stored event an incoming row is."""
EVENTS = table_of(Event)
EVENT_COLUMNS = ("record_id", "name", "occurred_at", "occurrence", "owner", "attributes", "source",
                 "raw", "ingested_at")  # fmt: skip
RECORDS = table_of(Record)
RECORD_COLUMNS = ("source", "external_id", "kind", "name", "owner", "attributes", "created_at",
                  "updated_at")  # fmt: skip


@dataclass(frozen=True)
class IngestResult:
    """What an import changed; `changed_records` are the record ids to re-evaluate."""

    records_added: int
    records_updated: int
    events_added: int
    events_updated: int
    events_unchanged: int
    changed_records: frozenset[int]
    record_ids: tuple[int, ...] = ()  # database id of each record code of the ingested log

    @property
    def only_new_records(self) -> bool:
        """Every changed record was created by this import, so the log holds all its events."""
        return self.records_updated == 0 and len(self.changed_records) == self.records_added

    def summary(self) -> str:
        return (
            f"{self.events_added:,} events added, {self.events_updated:,} updated, "
            f"{self.events_unchanged:,} already known; {self.records_added:,} new records, "
            f"{self.records_updated:,} updated"
        )


def _record_ids(session: Session, source: str, external: list[str]) -> dict[str, int]:
    query = select(Record.external_id, Record.id).where(Record.source == source)
    return {ext: rid for ext, rid in rows_with_keys(session, query, Record.external_id, external)}


def _record_rows(
    log: EventLog,
    fresh: list[tuple[int, str]],
    *,
    source: str,
    now: int,
    kinds: Mapping[str, str],
    names: Mapping[str, str],
) -> list[tuple[Any, ...]]:
    """The `records` rows (RECORD_COLUMNS) of the log's new records, (record code, CRM id)."""
    first_seen = np.full(len(log.record.values), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_seen, log.record.codes, log.occurred_at)
    latest_owner, latest_attributes = _latest_values(log)
    return [
        (source, ext, kinds.get(ext, "lead"), names.get(ext, ext), latest_owner[code],
         dumps(latest_attributes[code]), int(first_seen[code]), now)
        for code, ext in fresh
    ]  # fmt: skip


def _add_records(
    session: Session,
    rows: list[tuple[Any, ...]],
    known: dict[str, int],
    *,
    source: str,
    external: list[str],
) -> dict[str, int]:
    """Insert new records' rows; the id of every record of the log, the new ones included.

    PostgreSQL takes the new ids from the table's sequence first and stores them with the rows
    (no second look-up); other databases look the new records up after inserting them.
    """
    if not is_postgresql(session):
        insert_rows(session, RECORDS, RECORD_COLUMNS, rows)
        return _record_ids(session, source, external)
    ids = reserve_ids(session, RECORDS, len(rows))
    insert_rows(
        session,
        RECORDS,
        ("id", *RECORD_COLUMNS),
        ((pk, *row) for pk, row in zip(ids, rows, strict=True)),
    )
    return {**known, **{row[1]: pk for pk, row in zip(ids, rows, strict=True)}}


Incoming = tuple[str | None, dict[str, str], str | None]


def _incoming(log: EventLog, record_pk: np.ndarray, repeats: bool) -> dict[Key, Incoming]:
    """Events of the log keyed (record, name, instant, occurrence), in input order: owner,
    attributes, the time as written.

    With `repeats`, rows of one record with the same event at the same instant are separate
    events: the first is occurrence 1, the next occurrence 2, and so on in input order. Without,
    they are reads of one event (occurrence 1), merged in input order: later non-empty values
    win, the first written time is kept.
    """
    if not _same_instants(log, record_pk):  # the usual log: every row is its own event
        return _distinct_events(log, record_pk)
    names = log.event.values
    owners = log.owner
    columns = [(name, column.codes, column.values) for name, column in log.attributes.items()]
    events: dict[Key, Incoming] = {}
    seen: Counter[tuple[int, str, int]] = Counter()
    written = log.raw_time
    pks = record_pk[log.record.codes].tolist()
    event_codes = log.event.codes.tolist()
    times = log.occurred_at.tolist()
    owner_codes = owners.codes.tolist()
    attribute_codes = [(name, codes.tolist(), values) for name, codes, values in columns]
    for i, pk in enumerate(pks):
        instant = (pk, names[event_codes[i]], times[i])
        seen[instant] += 1
        key = (*instant, seen[instant] if repeats else 1)
        attributes = {
            name: values[codes[i]]
            for name, codes, values in attribute_codes
            if codes[i] != NO_VALUE
        }
        owner = None if owner_codes[i] == NO_VALUE else owners.values[owner_codes[i]]
        raw = None if written is None else written[i]
        known = events.get(key)
        if known is not None:  # only without `repeats`
            owner = owner or known[0]
            attributes = {**known[1], **attributes}
            raw = known[2] or raw
        events[key] = (owner, attributes, raw)
    return events


def _new_events(
    incoming: dict[Key, Incoming],
    existing: dict[Key, tuple[int, str | None, dict[str, Any] | None]],
    changed: list[dict[str, Any]],
    touched: set[int],
    *,
    source: str,
    now: int,
) -> Iterator[tuple[Any, ...]]:
    """The incoming events not stored yet, as rows to insert, while the stored ones whose owner
    or attributes change go to `changed`; the records of both go to `touched`."""
    for key, (owner, attributes, raw) in incoming.items():
        stored = existing.get(key)
        if stored is None:
            touched.add(key[0])
            yield (*key, owner, dumps(attributes) if attributes else None, source, raw, now)
            continue
        event_id, old_owner, old_attributes = stored
        merged = {**(old_attributes or {}), **attributes}
        new_owner = owner or old_owner
        if new_owner != old_owner or merged != (old_attributes or {}):
            changed.append(
                {"id": event_id, "owner": new_owner, "attributes": merged or None,
                 "ingested_at": now}
            )  # fmt: skip
            touched.add(key[0])


def _same_instants(log: EventLog, record_pk: np.ndarray) -> bool:
    """Whether two rows share a record, an event and an instant."""
    if len(log) < 2:
        return False
    pk = record_pk[log.record.codes]
    order = np.lexsort((log.occurred_at, log.event.codes, pk))
    same = (np.diff(pk[order]) == 0) & (np.diff(log.event.codes[order]) == 0)
    return bool((same & (np.diff(log.occurred_at[order]) == 0)).any())


def _texts(column: Column) -> list[str | None]:
    """The column's text per row (None for no value)."""
    return np.array([*column.values, None], dtype=object)[column.codes].tolist()  # type: ignore[no-any-return]


def _distinct_events(log: EventLog, record_pk: np.ndarray) -> dict[Key, Incoming]:
    """`_incoming` of a log whose rows are distinct events (occurrence 1 each), column by column."""
    attributes: list[dict[str, str]] = [{} for _ in range(len(log))]
    for name, column in log.attributes.items():
        values = np.array(column.values, dtype=object)
        for row, value in zip(
            np.flatnonzero(column.codes != NO_VALUE).tolist(),
            values[column.codes[column.codes != NO_VALUE]].tolist(),
            strict=True,
        ):
            attributes[row][name] = value
    names: list[str] = np.array(log.event.values, dtype=object)[log.event.codes].tolist()
    keys = zip(record_pk[log.record.codes].tolist(), names, log.occurred_at.tolist(), repeat(1))
    raw = repeat(None) if log.raw_time is None else log.raw_time
    return dict(zip(keys, zip(_texts(log.owner), attributes, raw), strict=False))


def ingest_log(
    session: Session,
    log: EventLog,
    *,
    source: str,
    now: int,
    kinds: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    repeats: bool | None = None,
) -> IngestResult:
    """Store a log's records and events; re-ingesting the same data changes nothing.

    An event is stored under (record, event, instant, occurrence). `repeats` says what rows of
    one record with the same event at the same instant are: True, separate events, numbered 1,
    2, ... in input order as `evaluate` reads them (the rows of an event file); False, reads of
    one event to merge (a CRM batch that read a record twice because it changed during the
    sync). None decides by the log: separate when it keeps the times as the file wrote them
    (the event-log reader's logs), else merged. Stored events are matched by their occurrence,
    so a later import holding fewer rows of a key adds nothing and one holding more adds the
    extra ones.
    """
    if repeats is None:
        repeats = log.raw_time is not None
    external = list(log.record.values)
    known = known_before = _record_ids(session, source, external)
    fresh = [(code, ext) for code, ext in enumerate(external) if ext not in known]
    if fresh:
        records = _record_rows(log, fresh, source=source, now=now, kinds=kinds or {},
                               names=names or {})  # fmt: skip
        known = _add_records(session, records, known, source=source, external=external)
    record_pk = np.array([known[ext] for ext in external], dtype=np.int64)
    incoming = _incoming(log, record_pk, repeats)

    existing = _stored_events(session, sorted(known_before.values()))

    changed: list[dict[str, Any]] = []
    touched: set[int] = set()
    rows = _new_events(incoming, existing, changed, touched, source=source, now=now)
    added = insert_rows(session, EVENTS, EVENT_COLUMNS, rows)  # PostgreSQL stores while we sort
    if changed:
        session.execute(
            update(EVENTS).where(EVENTS.c.id == bindparam("event_id")),
            [{"event_id": row.pop("id"), **row} for row in changed],
        )
    new_ids = {known[ext] for _, ext in fresh}
    _refresh_records(session, touched - new_ids, now)
    return IngestResult(
        records_added=len(fresh),
        records_updated=len(touched - new_ids),
        events_added=added,
        events_updated=len(changed),
        events_unchanged=len(incoming) - added - len(changed),
        changed_records=frozenset(touched),
        record_ids=tuple(record_pk.tolist()),
    )


def _stored_events(
    session: Session, record_ids: list[int]
) -> dict[Key, tuple[int, str | None, dict[str, Any] | None]]:
    """The stored events of records that existed before this import (new ones have none)."""
    query = select(
        Event.record_id, Event.name, Event.occurred_at, Event.occurrence,
        Event.id, Event.owner, Event.attributes,
    )  # fmt: skip
    return {
        (record_id, name, at, occurrence): (event_id, owner, attributes)
        for record_id, name, at, occurrence, event_id, owner, attributes in rows_with_keys(
            session, query, Event.record_id, record_ids
        )
    }


def _latest_values(log: EventLog) -> tuple[list[str | None], list[dict[str, str]]]:
    """Per record code of the log: its latest non-empty owner and attribute values, by time."""
    order = np.lexsort((np.arange(len(log)), log.occurred_at, log.record.codes))
    records = log.record.codes[order]
    count = len(log.record.values)

    def latest(codes: np.ndarray) -> np.ndarray:
        """Per record, the code of the last non-empty value in time order (NO_VALUE if none)."""
        ordered = codes[order]
        present = ordered != NO_VALUE
        found = np.full(count, NO_VALUE, dtype=np.int64)
        found[records[present]] = ordered[present]  # later rows overwrite earlier ones
        return found

    owner_codes = latest(log.owner.codes)
    owners = [None if c == NO_VALUE else log.owner.values[c] for c in owner_codes.tolist()]
    attributes: list[dict[str, str]] = [{} for _ in range(count)]
    for name, column in log.attributes.items():
        for record, code in enumerate(latest(column.codes).tolist()):
            if code != NO_VALUE:
                attributes[record][name] = column.values[code]
    return owners, attributes


def refresh_record_values(session: Session, record_ids: set[int], now: int) -> int:
    """Set records' latest owner and attributes from their stored events (after events moved)."""
    return _refresh_records(session, record_ids, now)


def _refresh_records(session: Session, record_ids: set[int], now: int) -> int:
    """Set each touched record's latest owner and attributes from its stored events."""
    ids = sorted(record_ids)
    latest: dict[int, tuple[str | None, dict[str, Any]]] = {rid: (None, {}) for rid in ids}
    query = select(Event.record_id, Event.owner, Event.attributes).order_by(
        Event.record_id, Event.occurred_at, Event.id
    )
    for record_id, owner, attributes in rows_with_keys(session, query, Event.record_id, ids):
        old_owner, merged = latest[record_id]
        latest[record_id] = (owner or old_owner, {**merged, **(attributes or {})})
    updates = [
        {"id": rid, "owner": owner, "attributes": attributes, "updated_at": now}
        for rid, (owner, attributes) in latest.items()
    ]
    if updates:
        session.execute(
            update(RECORDS).where(RECORDS.c.id == bindparam("record_id")),
            [{"record_id": row.pop("id"), **row} for row in updates],
        )
    return len(updates)
