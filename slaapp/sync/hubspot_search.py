"""Incremental HubSpot search: ascending by modification time, restarting from the last time seen.

Every page restarts the query at `GTE last modification time` (a keyset), so no query pages
near the 10,000-result cap and records modified during the sync are neither skipped nor
lost: they come back later with their new time. Records already taken at a time are
skipped by "id@ms" keys kept in the cursor; more than a page of records sharing one
millisecond is walked by object id, since nothing documents the order of equal times.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from slaapp.sync.connector import Cursor, SourceError, SyncControl
from slaapp.sync.http import HttpClient
from slaapp.sync.times import parse_time_ms

RESULT_CAP = 10_000
SEEN_CAP = 20_000
OBJECT_ID = "hs_object_id"


@dataclass(frozen=True)
class SearchPage:
    """One search response: its raw results, the ones not taken before, and the cursor after."""

    results: tuple[dict[str, Any], ...]
    fresh: tuple[dict[str, Any], ...]
    cursor: Cursor


def modified_property(object_type: str) -> str:
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


def _modified_ms(result: dict[str, Any], prop: str) -> int:
    props = result.get("properties") or {}
    text = props.get(prop) or result.get("updatedAt")
    if not text:
        raise SourceError(f"HubSpot: record {result.get('id')} has no {prop}")
    try:
        return parse_time_ms(str(text))
    except ValueError:
        raise SourceError(
            f"HubSpot: record {result.get('id')}, {prop} {text!r} is not a time"
        ) from None


def _filters(prop: str, low: int, tie_id: int | None) -> list[dict[str, str]]:
    if tie_id is None:
        return [{"propertyName": prop, "operator": "GTE", "value": str(low)}]
    return [
        {"propertyName": prop, "operator": "EQ", "value": str(low)},
        {"propertyName": OBJECT_ID, "operator": "GT", "value": str(tie_id)},
    ]


def search_pages(
    client: HttpClient,
    path: str,
    object_type: str,
    properties: list[str],
    cursor: Cursor,
    control: SyncControl,
    page_size: int = 200,
    overlap_ms: int = 180_000,
) -> Iterator[SearchPage]:
    """Pages of `object_type` modified since the cursor (minus the overlap), oldest first.

    A page filled by records of one millisecond (a tie, e.g. a bulk edit) is continued by
    object id (`modified EQ t AND hs_object_id GT last id`, sorted by id), so no record of
    the tie is lost however the search orders equal times; then the walk goes on after t.
    """
    prop = modified_property(object_type)
    extra = dict(cursor.extra)
    seen = set(cursor.seen_ids)
    tie_id: int | None = None
    if extra.get("done", True):  # a finished stream: start again from the watermark - overlap
        last = int(extra.get("last_ms", (cursor.watermark or 0) * 1000))
        low = max(0, last - overlap_ms) if cursor.watermark is not None else 0
    else:  # resume a stream a killed sync left half-way
        last, low = int(extra["last_ms"]), int(extra["low_ms"])
        found = extra.get("tie_id", -1 if extra.get("offset") else None)
        tie_id = None if found is None else int(found)
    wanted = list(dict.fromkeys([*properties, prop]))
    while True:
        if control.cancelled():
            return
        sort = OBJECT_ID if tie_id is not None else prop
        body: dict[str, Any] = {
            "filterGroups": [{"filters": _filters(prop, low, tie_id)}],
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "properties": wanted,
            "limit": page_size,
        }
        reply = client.post(path, body, control).body
        if not isinstance(reply, dict) or not isinstance(reply.get("results"), list):
            raise SourceError(f"HubSpot: the {object_type} search reply has no results list")
        results = tuple(r for r in reply["results"] if isinstance(r, dict) and r.get("id"))
        fresh = []
        newest = low
        for result in results:
            ms = _modified_ms(result, prop)
            key = f"{result['id']}@{ms}"
            if key not in seen:
                fresh.append(result)
                seen.add(key)
            newest = max(newest, ms)
        last = max(last, newest)
        more = bool(((reply.get("paging") or {}).get("next") or {}).get("after")) and bool(results)
        if tie_id is not None:  # inside a tie: on by id, then past the tie's millisecond
            if more:
                tie_id = max(_object_id(r) for r in results)
            else:
                tie_id, low, more = None, low + 1, True
        elif more and newest > low:
            low = newest
        elif more:  # a whole page in one millisecond: walk the tie by object id
            tie_id = -1
        floor = min(low, last - overlap_ms)
        kept = {k for k in seen if int(k.rsplit("@", 1)[1]) >= floor}
        if len(kept) > SEEN_CAP:  # keep the newest; older overlap repeats are deduped on ingest
            kept = set(sorted(kept, key=lambda k: int(k.rsplit("@", 1)[1]))[-SEEN_CAP:])
        seen = kept
        state = {"last_ms": last, "low_ms": low, "tie_id": tie_id, "done": not more}
        yield SearchPage(results, tuple(fresh), Cursor(last // 1000, frozenset(seen), state))
        if not more:
            return


def _object_id(result: dict[str, Any]) -> int:
    try:
        return int(str(result["id"]))
    except ValueError:
        raise SourceError(f"HubSpot: object id {result['id']!r} is not a number") from None
