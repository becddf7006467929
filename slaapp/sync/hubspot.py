"""The HubSpot connector: contacts, deals, companies, owners, pipelines and engagements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slaapp.engine.eventlog import EventRow
from slaapp.engine.people import PersonInfo
from slaapp.sync.connections import Connection
from slaapp.sync.connector import (
    AccountInfo,
    Cursor,
    Page,
    Pipeline,
    RecordInfo,
    RefData,
    SourceError,
    Stage,
    SyncControl,
)
from slaapp.sync.http import HttpClient, RetryPolicy
from slaapp.sync.hubspot_client import (
    describe_error,
    quota_words,
    rate_limit,
    record_key,
    split_key,
)
from slaapp.sync.hubspot_deleted import ARCHIVED, MERGED_IDS, archived_pages, merges
from slaapp.sync.hubspot_search import modified_property, search_pages
from slaapp.sync.mapping import (
    HUBSPOT_CONTACT_COUNTS,
    CrmMapping,
    RawObject,
    counts_as_contact,
    default_mapping,
    map_object,
)
from slaapp.sync.sources import ConnectOptions
from slaapp.sync.times import parse_time

ENGAGEMENTS = ("calls", "emails", "meetings")
ENGAGEMENT_PROPERTIES = {
    "calls": ["hs_timestamp", "hs_call_direction", "hs_call_status", "hubspot_owner_id"],
    "emails": ["hs_timestamp", "hs_email_direction", "hs_email_status", "hubspot_owner_id"],
    "meetings": ["hs_timestamp", "hs_meeting_start_time", "hs_meeting_end_time",
                 "hs_meeting_outcome", "hubspot_owner_id"],
}  # fmt: skip


class HubSpotConnector:
    """Incremental HubSpot sync over the CRM v3 REST API with a private-app token."""

    kind = "hubspot"

    def __init__(self, connection: Connection, token: str, options: ConnectOptions) -> None:
        self.name = connection.name
        self.prefix = connection.options.get("api_prefix", "/crm/v3").rstrip("/")
        self.options = options
        self.client = HttpClient(
            base_url=connection.url.rstrip("/"), token=token, source=f"HubSpot ({self.name})",
            policy=RetryPolicy(), rate_limit=rate_limit, describe_error=describe_error,
            timeout=options.timeout, sleep=options.sleep, rand=options.rand, ca_file=options.ca_file,
        )  # fmt: skip
        self.default_mapping = not connection.mapping
        """No saved mapping: the default one, with deal stages read from the pipelines."""
        try:
            self.mapping = (
                default_mapping()
                if self.default_mapping
                else CrmMapping.from_document(connection.mapping)
            )
        except ValueError as exc:
            raise SourceError(f"{self.name}: {exc}") from None

    @property
    def quota(self) -> dict[str, str]:
        return dict(self.client.quota)

    def quota_words(self) -> str:
        return quota_words(self.client.quota)

    def validate(self) -> AccountInfo:
        body = self.client.get("/account-info/v3/details").body
        body = body if isinstance(body, dict) else {}
        portal = str(body.get("portalId") or "unknown portal")
        zone = body.get("timeZone")
        detail = "; ".join(
            p for p in (f"time zone {zone}" if zone else "", self.quota_words()) if p
        )
        return AccountInfo("hubspot", f"HubSpot portal {portal}", detail)

    def reference_data(self) -> RefData:
        ref = RefData(tuple(self._owners()), tuple(self._pipelines()))
        if self.default_mapping:
            self.mapping = default_mapping(ref)
        return ref

    def _owners(self) -> Iterator[PersonInfo]:
        """Active owners, then deactivated ones (`archived=true`), kept by name and inactive."""
        seen: set[str] = set()
        for archived in ("false", "true"):
            after: str | None = None
            while True:
                params: dict[str, Any] = {"limit": 100, "archived": archived}
                if after:
                    params["after"] = after
                body = self.client.get(f"{self.prefix}/owners/", params).body or {}
                for owner in body.get("results") or []:
                    if str(owner.get("id")) in seen:
                        continue
                    seen.add(str(owner.get("id")))
                    yield _person(owner, archived == "true")
                after = ((body.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break

    def _pipelines(self) -> Iterator[Pipeline]:
        body = self.client.get(f"{self.prefix}/pipelines/deals").body or {}
        for p in body.get("results") or []:
            if p.get("archived"):
                continue
            stages = []
            for s in sorted(p.get("stages") or [], key=lambda s: s.get("displayOrder", 0)):
                meta = s.get("metadata") or {}
                closed = str(meta.get("isClosed", "false")).lower() == "true"
                won = closed and float(meta.get("probability") or 0) >= 1.0
                stages.append(Stage(str(s["id"]), str(s.get("label") or s["id"]),
                                    int(s.get("displayOrder", 0)), closed, won))  # fmt: skip
            yield Pipeline(str(p["id"]), str(p.get("label") or p["id"]), tuple(stages))

    def streams(self) -> tuple[str, ...]:
        objects = tuple(n for n, o in self.mapping.objects.items() if o.enabled)
        counts = self.mapping.contact_counts(HUBSPOT_CONTACT_COUNTS)
        engagements = tuple(e for e in ENGAGEMENTS if e in counts)
        deletions = tuple(f"{ARCHIVED}{o}" for o in objects)
        return objects + (engagements if self.mapping.first_contact_event else ()) + deletions

    def fetch_changes(self, stream: str, cursor: Cursor, control: SyncControl) -> Iterator[Page]:
        if stream.startswith(ARCHIVED) and stream[len(ARCHIVED) :] in self.mapping.objects:
            yield from archived_pages(
                self.client, self.prefix, stream[len(ARCHIVED) :], cursor, control,
                self.options.overlap_seconds,
            )  # fmt: skip
            return
        if stream in ENGAGEMENTS:
            rule = self.mapping.contact_counts(HUBSPOT_CONTACT_COUNTS).get(stream) or {}
            properties = list(dict.fromkeys([*ENGAGEMENT_PROPERTIES[stream], *rule]))
        elif stream in self.mapping.objects:
            properties = [*self.mapping.properties(stream), MERGED_IDS]
        else:
            raise SourceError(f"{self.name}: HubSpot has no stream {stream!r}")
        pages = search_pages(
            self.client, f"{self.prefix}/objects/{stream}/search", stream, properties, cursor,
            control, self.options.page_size, self.options.overlap_seconds * 1000,
        )  # fmt: skip
        for page in pages:
            if stream in ENGAGEMENTS:
                events = self._engagement_events(stream, page.fresh, control)
                yield Page(len(page.fresh), events, page.cursor)
                continue
            mapped = [map_object(_raw(stream, r), self.mapping) for r in page.fresh]
            yield Page(
                len(page.fresh),
                tuple(e for m in mapped for e in m.events),
                page.cursor,
                tuple(RecordInfo(m.external_id, m.kind, m.name) for m in mapped if m.events),
                problems=tuple(p for m in mapped for p in m.problems),
                merged=merges(stream, page.fresh),
            )

    def _engagement_events(
        self, stream: str, results: tuple[dict[str, Any], ...], control: SyncControl
    ) -> tuple[EventRow, ...]:
        """A first-contact event on each contact of the engagements that count as contact.

        The event has no owner (the contact's owner stays the record's owner); who made the
        engagement is the attribute `contacted_by`.
        """
        rule = self.mapping.contact_counts(HUBSPOT_CONTACT_COUNTS).get(stream)
        usable = {}
        for r in results:
            props = r.get("properties") or {}
            if not counts_as_contact(props, rule):
                continue
            when = props.get("hs_meeting_start_time") or props.get("hs_timestamp")
            try:
                usable[str(r["id"])] = (parse_time(str(when)), props.get("hubspot_owner_id"))
            except ValueError:
                continue
        if not usable:
            return ()
        reply = self.client.post(
            f"{self.prefix}/associations/{stream}/contacts/batch/read",
            {"inputs": [{"id": i} for i in usable]}, control,
        ).body or {}  # fmt: skip
        events = []
        for link in reply.get("results") or []:
            source_id = str((link.get("from") or {}).get("id"))
            if source_id not in usable:
                continue
            at, owner = usable[source_id]
            attributes = {"channel": stream, **({"contacted_by": str(owner)} if owner else {})}
            for to in link.get("to") or []:
                contact = str(to.get("id") or to.get("toObjectId") or "")
                if contact:
                    events.append(EventRow(record_key("contacts", contact),
                                           self.mapping.first_contact_event, at, None,
                                           attributes))  # fmt: skip
        return tuple(events)

    def sample(self, object_type: str, limit: int = 50) -> tuple[RawObject, ...]:
        """The most recently modified records of a type, for the mapping preview."""
        prop = modified_property(object_type)
        body = {"sorts": [{"propertyName": prop, "direction": "DESCENDING"}],
                "properties": self.mapping.properties(object_type), "limit": min(limit, 200)}  # fmt: skip
        reply = self.client.post(f"{self.prefix}/objects/{object_type}/search", body).body or {}
        return tuple(_raw(object_type, r) for r in reply.get("results") or [])

    def assign_owner(self, external_id: str, owner_key: str) -> None:
        """Write back a new owner (HubSpot owner id) on a contact, deal or company."""
        try:
            object_type, object_id = split_key(external_id)
        except ValueError as exc:
            raise SourceError(f"{self.name}: {exc}") from None
        self.client.patch(
            f"{self.prefix}/objects/{object_type}/{object_id}",
            {"properties": {"hubspot_owner_id": owner_key}},
        )


def _person(owner: dict[str, Any], archived: bool) -> PersonInfo:
    teams = owner.get("teams") or []
    primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
    name = f"{owner.get('firstName') or ''} {owner.get('lastName') or ''}".strip()
    return PersonInfo(
        key=str(owner["id"]), name=name or str(owner.get("email") or owner["id"]),
        email=owner.get("email") or None,
        team=str(primary.get("name")) if primary else "Unassigned",
        role="rep", manager=None, timezone="UTC", hours=(9, 17), capacity=25,
        active=not (archived or owner.get("archived")),
    )  # fmt: skip


def _raw(object_type: str, result: dict[str, Any]) -> RawObject:
    props = {
        str(k): (None if v is None else str(v)) for k, v in (result.get("properties") or {}).items()
    }
    return RawObject(record_key(object_type, str(result["id"])), object_type, props)


def connect(connection: Connection, token: str | None, options: ConnectOptions) -> HubSpotConnector:
    if not token:
        raise SourceError(f"{connection.name}: HubSpot needs a private-app access token")
    return HubSpotConnector(connection, token, options)
