"""HubSpot deletions and merges: archived objects (`archived=true` list reads) and merged ids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slaapp.sync.connector import Cursor, Page, SourceError, SyncControl
from slaapp.sync.http import HttpClient
from slaapp.sync.hubspot_client import record_key
from slaapp.sync.times import parse_time_ms

ARCHIVED = "archived:"
"""Prefix of the stream that reads an object type's archived (deleted) records."""
MERGED_IDS = "hs_merged_object_ids"
"""The survivor's property listing the ids merged into it, separated by ';'."""


def merges(object_type: str, results: tuple[dict[str, Any], ...]) -> tuple[tuple[str, str], ...]:
    """(merged record key, survivor key) for each id in the results' merged-ids property."""
    out = []
    for result in results:
        text = str((result.get("properties") or {}).get(MERGED_IDS) or "")
        survivor = str(result["id"])
        for merged in (m.strip() for m in text.split(";")):
            if merged.isdigit() and merged != survivor:
                out.append((record_key(object_type, merged), record_key(object_type, survivor)))
    return tuple(out)


def archived_pages(
    client: HttpClient,
    prefix: str,
    object_type: str,
    cursor: Cursor,
    control: SyncControl,
    overlap_seconds: int,
) -> Iterator[Page]:
    """Pages of the object type's archived records, as deletions newer than the cursor.

    The list API does not filter by archive time, so every sync reads the whole list and
    keeps the records archived since the watermark (minus the overlap); records never
    synced are ignored when stored, and marking a record twice changes nothing.
    """
    since_ms = (
        max(0, (cursor.watermark - overlap_seconds) * 1000) if cursor.watermark is not None else 0
    )
    newest = cursor.watermark
    after: str | None = None
    while not control.cancelled():
        params: dict[str, Any] = {"archived": "true", "limit": 100, "properties": "hs_object_id"}
        if after:
            params["after"] = after
        body = client.get(f"{prefix}/objects/{object_type}", params, control).body
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise SourceError(f"HubSpot: the archived {object_type} reply has no results list")
        deleted = []
        for result in body["results"]:
            if not isinstance(result, dict) or not result.get("id"):
                continue
            text = result.get("archivedAt") or result.get("updatedAt")
            try:
                at_ms = parse_time_ms(str(text))
            except ValueError:
                raise SourceError(
                    f"HubSpot: archived record {result.get('id')} has no readable archivedAt"
                ) from None
            if at_ms >= since_ms:
                deleted.append((record_key(object_type, str(result["id"])), at_ms // 1000))
                newest = at_ms // 1000 if newest is None else max(newest, at_ms // 1000)
        after = ((body.get("paging") or {}).get("next") or {}).get("after")
        yield Page(
            len(body["results"]), (), Cursor(newest, frozenset(), {}), deleted=tuple(deleted)
        )
        if not after:
            return
