"""Incremental HubSpot search: ascending by modification time, restarting from the last time seen.

Every page restarts the query at `GTE last modification time` (a keyset), so no query pages
near the 10,000-result cap and records modified during the sync are neither skipped nor
lost: they come back later with their new time. Records already taken at a time are
skipped by "id@ms" keys kept in the cursor; `after` pages only through more than a page of
records sharing one millisecond, and stops before the cap.
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
    """Pages of `object_type` modified since the cursor (minus the overlap), oldest first."""
    prop = modified_property(object_type)
    extra = dict(cursor.extra)
    seen = set(cursor.seen_ids)
    if extra.get("done", True):  # a finished stream: start again from the watermark - overlap
        last = int(extra.get("last_ms", (cursor.watermark or 0) * 1000))
        low = max(0, last - overlap_ms) if cursor.watermark is not None else 0
        offset = 0
    else:  # resume a stream a killed sync left half-way
        last, low, offset = int(extra["last_ms"]), int(extra["low_ms"]), int(extra["offset"])
    wanted = list(dict.fromkeys([*properties, prop]))
    while True:
        if control.cancelled():
            return
        body: dict[str, Any] = {
            "filterGroups": [
                {"filters": [{"propertyName": prop, "operator": "GTE", "value": str(low)}]}
            ],
            "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
            "properties": wanted,
            "limit": page_size,
        }
        if offset:
            body["after"] = str(offset)
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
        if more and newest > low:
            low, offset = newest, 0
        elif more:  # a whole page in one millisecond: page on through it with `after`
            offset += len(results)
            if offset + page_size > RESULT_CAP:
                raise SourceError(
                    f"HubSpot: more than {RESULT_CAP:,} {object_type} share the modification time "
                    f"{low} ms; the search API can't page through them"
                )
        floor = min(low, last - overlap_ms)
        kept = {k for k in seen if int(k.rsplit("@", 1)[1]) >= floor}
        if len(kept) > SEEN_CAP:  # keep the newest; older overlap repeats are deduped on ingest
            kept = set(sorted(kept, key=lambda k: int(k.rsplit("@", 1)[1]))[-SEEN_CAP:])
        seen = kept
        state = {"last_ms": last, "low_ms": low, "offset": offset, "done": not more}
        yield SearchPage(results, tuple(fresh), Cursor(last // 1000, frozenset(seen), state))
        if not more:
            return
