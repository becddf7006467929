"""The Salesforce connector: leads, opportunities, their history, activities and users by SOQL."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaapp.engine.eventlog import EventRow
from slaapp.engine.people import PersonInfo
from slaapp.infra.secrets import (
    SecretsUnavailableError,
    connection_token,
    default_store,
    refresh_token,
)
from slaapp.sync.connections import Connection
from slaapp.sync.connector import (
    AccountInfo,
    Cursor,
    Page,
    RecordInfo,
    RefData,
    SourceError,
    SyncControl,
)
from slaapp.sync.mapping import CrmMapping, MappedRecord
from slaapp.sync.salesforce_api import (
    QueryLocatorExpired,
    SalesforceApi,
    refresher_from,
    soql_time,
)
from slaapp.sync.salesforce_mapping import (
    LEAD,
    OPPORTUNITY,
    OWNER_ASSIGNED,
    SALESFORCE_CONTACT_COUNTS,
    USER,
    activity_event,
    changes_of,
    default_salesforce_mapping,
    pipeline_of,
    record_events,
)
from slaapp.sync.sources import ConnectOptions
from slaapp.sync.times import parse_time_ms


@dataclass(frozen=True)
class Stream:
    """One SOQL object synced by SystemModstamp; `history` = (object, parent field, fields)."""

    table: str
    fields: tuple[str, ...]
    history: tuple[str, str, tuple[str, ...]] | None = None


STREAMS: dict[str, Stream] = {
    "leads": Stream("Lead", ("Id", "Name", "OwnerId", "Status", "CreatedDate", "SystemModstamp",
                             "IsDeleted", "MasterRecordId"),
                    ("LeadHistory", "LeadId", ("Owner", "Status"))),
    "opportunities": Stream("Opportunity", ("Id", "Name", "OwnerId", "StageName", "CreatedDate",
                                            "SystemModstamp", "LastStageChangeDate", "IsDeleted"),
                            ("OpportunityFieldHistory", "OpportunityId", ("Owner", "StageName"))),
    "tasks": Stream("Task", ("Id", "WhoId", "OwnerId", "IsClosed", "CompletedDateTime", "CreatedDate",
                             "SystemModstamp")),
    "meetings": Stream("Event", ("Id", "WhoId", "OwnerId", "StartDateTime", "EndDateTime", "CreatedDate",
                                 "SystemModstamp")),
}  # fmt: skip
USER_QUERY = (
    "SELECT Id, Name, Email, ManagerId, IsActive, TimeZoneSidKey, Title, Department FROM User"
)
QUEUE_QUERY = "SELECT Id, Name FROM Group WHERE Type = 'Queue'"
STAGE_QUERY = "SELECT Id, ApiName, MasterLabel, SortOrder, IsClosed, IsWon FROM OpportunityStage WHERE IsActive = true"


def _key(row: Mapping[str, Any]) -> str:
    return f"{row['Id']}@{parse_time_ms(str(row['SystemModstamp']))}"


class SalesforceConnector:
    """Syncs one org; `quota` holds the last Sforce-Limit-Info header for the screen."""

    kind = "salesforce"

    def __init__(
        self, name: str, api: SalesforceApi, mapping: CrmMapping, overlap: int = 180
    ) -> None:
        self.name, self.api, self.mapping, self.overlap = name, api, mapping, overlap
        self._as_of = api.now()
        """The instant this sync judges activities at (a meeting counts once it has ended)."""
        self.queues: dict[str, str] = {}
        """Queue id -> name: a lead or opportunity owned by a queue shows the queue's name."""

    @property
    def quota(self) -> dict[str, str]:
        return self.api.quota

    def validate(self) -> AccountInfo:
        batch = next(self.api.query("SELECT Id, Name FROM Organization LIMIT 1"), [])
        org = batch[0] if batch else {}
        account = f"{org.get('Name') or 'Salesforce org'} ({org.get('Id') or '?'})"
        return AccountInfo("salesforce", account, self.api.remaining())

    def reference_data(self) -> RefData:
        people = [self._person(row) for batch in self.api.query(USER_QUERY) for row in batch]
        self.queues = {
            str(row["Id"]): f"Queue: {row.get('Name') or row['Id']}"
            for batch in self.api.query(QUEUE_QUERY)
            for row in batch
        }
        stages = [row for batch in self.api.query(STAGE_QUERY) for row in batch]
        return RefData(tuple(people), (pipeline_of(stages),) if stages else ())

    @staticmethod
    def _person(row: Mapping[str, Any]) -> PersonInfo:
        zone = str(row.get("TimeZoneSidKey") or "UTC")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = "UTC"
        title = str(row.get("Title") or "").lower()
        role = "vp" if "vp" in title.split() or "vice president" in title else (
            "manager" if any(w in title for w in ("manager", "director", "head")) else "rep")  # fmt: skip
        return PersonInfo(
            key=str(row["Id"]), name=str(row.get("Name") or row["Id"]), email=row.get("Email") or None,
            team=str(row.get("Department") or "Salesforce users"), role=role,
            manager=row.get("ManagerId") or None, timezone=zone, hours=(9, 17), capacity=25,
            active=row.get("IsActive") is not False,
        )  # fmt: skip

    def streams(self) -> tuple[str, ...]:
        enabled = {name for name, o in self.mapping.objects.items() if o.enabled}
        counts = self.mapping.contact_counts(SALESFORCE_CONTACT_COUNTS)
        activities = tuple(
            s for s in ("tasks", "meetings") if s in counts
        ) if self.mapping.first_contact_event and "leads" in enabled else ()  # fmt: skip
        return tuple(s for s in ("leads", "opportunities") if s in enabled) + activities

    def _fields(self, stream: str) -> list[str]:
        wanted = list(STREAMS[stream].fields)
        wanted += self.mapping.contact_counts(SALESFORCE_CONTACT_COUNTS).get(stream) or {}
        o = self.mapping.objects.get(stream)
        if o is not None:
            wanted += [p for p, _ in o.milestones if p != OWNER_ASSIGNED] + [
                p for p, _ in o.attributes
            ]
            wanted += [o.owner_property, *o.name_properties]
        return list(dict.fromkeys(p for p in wanted if p))

    def soql(self, stream: str, cursor: Cursor) -> str:
        """The stream's query from the cursor's watermark minus the overlap, oldest first."""
        where = ""
        if cursor.watermark is not None:
            where = f" WHERE SystemModstamp >= {soql_time(max(0, cursor.watermark - self.overlap))}"
        table = STREAMS[stream].table
        return f"SELECT {', '.join(self._fields(stream))} FROM {table}{where} ORDER BY SystemModstamp, Id"

    def fetch_changes(self, stream: str, cursor: Cursor, control: SyncControl) -> Iterator[Page]:
        if stream not in STREAMS:
            raise SourceError(f"{self.name}: Salesforce has no stream {stream!r}")
        self._as_of = self.api.now()
        ended_to = cursor.extra.get("ended_to")
        extra = {} if ended_to is None else {"ended_to": ended_to}
        seen, watermark, pages = set(cursor.seen_ids), cursor.watermark, 0
        with_deleted = STREAMS[stream].history is not None  # leads, opportunities: queryAll
        stalled = 0
        while True:  # an expired nextRecordsUrl runs the query again from the watermark reached
            query = self.soql(stream, Cursor(watermark, frozenset(seen)))
            try:
                batches = self.api.query(query, control, deleted=with_deleted, restart=False)
                for batch in batches:
                    stalled = 0
                    fresh = [row for row in batch if _key(row) not in seen]
                    gone = [row for row in fresh if row.get("IsDeleted") is True]
                    fresh = [row for row in fresh if row.get("IsDeleted") is not True]
                    events, infos = self._events(stream, fresh, control)
                    for row in batch:
                        seen.add(_key(row))
                        stamp = parse_time_ms(str(row["SystemModstamp"])) // 1000
                        watermark = stamp if watermark is None else max(watermark, stamp)
                    if watermark is not None:
                        floor_ms = (watermark - self.overlap) * 1000
                        seen = {k for k in seen if int(k.rsplit("@", 1)[1]) >= floor_ms}
                    pages += 1
                    yield Page(
                        len(batch), tuple(events), Cursor(watermark, frozenset(seen), extra),
                        tuple(infos),
                        deleted=tuple((str(r["Id"]), parse_time_ms(str(r["SystemModstamp"])) // 1000)
                                      for r in gone if not r.get("MasterRecordId")),
                        merged=tuple((str(r["Id"]), str(r["MasterRecordId"]))
                                     for r in gone if r.get("MasterRecordId")),
                    )  # fmt: skip
                break
            except QueryLocatorExpired:
                stalled += 1
                if stalled > 2:
                    raise
        done = Cursor(watermark, frozenset(seen), extra)
        if stream == "meetings":  # meetings that ended since the last sync, however old their edit
            if ended_to is not None:
                for page in self._ended_meetings(int(ended_to), done, control):
                    pages += 1
                    yield page
            done = Cursor(watermark, frozenset(seen), {"ended_to": self._as_of})
            pages = 0
        if pages == 0:
            yield Page(0, (), done)

    def _ended_meetings(self, since: int, cursor: Cursor, control: SyncControl) -> Iterator[Page]:
        """Pages of first contacts from meetings whose end fell after `since` (minus overlap)."""
        low, high = soql_time(max(0, since - self.overlap)), soql_time(self._as_of)
        soql = (f"SELECT {', '.join(self._fields('meetings'))} FROM Event WHERE EndDateTime > {low} "
                f"AND EndDateTime <= {high} ORDER BY EndDateTime, Id")  # fmt: skip
        for batch in self.api.query(soql, control):
            events, _ = self._events("meetings", batch, control)
            yield Page(len(batch), tuple(events), cursor)

    def _events(
        self, stream: str, rows: list[dict[str, Any]], control: SyncControl | None
    ) -> tuple[list[EventRow], list[RecordInfo]]:
        if STREAMS[stream].history is None:
            rule = self.mapping.contact_counts(SALESFORCE_CONTACT_COUNTS).get(stream)
            event = self.mapping.first_contact_event
            found = [activity_event(row, event, rule, self._as_of) for row in rows]
            return [e for e in found if e is not None], []
        mapped = self._mapped(stream, rows, control)
        events = [e for m in mapped for e in m.events]
        return events, [RecordInfo(m.external_id, m.kind, m.name) for m in mapped]

    def _mapped(
        self, stream: str, rows: list[dict[str, Any]], control: SyncControl | None
    ) -> list[MappedRecord]:
        """Each lead or opportunity with its events, reading its field history (200 ids a query)."""
        if not rows or STREAMS[stream].history is None:
            return []
        table, parent, fields = STREAMS[stream].history or ("", "", ())
        names = ", ".join(f"'{f}'" for f in fields)
        template = (f"SELECT Id, {parent}, Field, OldValue, NewValue, DataType, CreatedDate FROM {table} "
                    f"WHERE {parent} IN ({{ids}}) AND Field IN ({names}) ORDER BY CreatedDate, Id")  # fmt: skip
        history: dict[str, list[dict[str, Any]]] = {}
        for change in self.api.query_in(template, [str(r["Id"]) for r in rows], control):
            history.setdefault(str(change[parent]), []).append(change)
        return [
            record_events(
                stream, row, changes_of(history.get(str(row["Id"]), [])), self.mapping, self.queues
            )
            for row in rows
        ]

    def preview(self, mapping: CrmMapping, limit: int = 25) -> tuple[MappedRecord, ...]:
        """The events `mapping` makes of the latest `limit` leads and opportunities (nothing stored)."""
        saved, self.mapping = self.mapping, mapping
        try:
            out: list[MappedRecord] = []
            for stream in ("leads", "opportunities"):
                if stream in mapping.objects and mapping.objects[stream].enabled:
                    table = STREAMS[stream].table
                    soql = (f"SELECT {', '.join(self._fields(stream))} FROM {table} "
                            f"ORDER BY SystemModstamp DESC LIMIT {int(limit)}")  # fmt: skip
                    rows = [row for batch in self.api.query(soql) for row in batch]
                    out += self._mapped(stream, rows, None)
            return tuple(out)
        finally:
            self.mapping = saved

    def assign_owner(self, external_id: str, owner_key: str) -> None:
        """Reassign a lead or opportunity to the Salesforce user `owner_key` (PATCH OwnerId)."""
        table = {LEAD: "Lead", OPPORTUNITY: "Opportunity"}.get(external_id[:3])
        if table is None or not owner_key.startswith(USER):
            raise SourceError(
                f"{self.name}: can only reassign leads (00Q…) and opportunities (006…) to users "
                f"(005…), not {external_id!r} to {owner_key!r}"
            )
        self.api.patch(f"{self.api.data}/sobjects/{table}/{external_id}", {"OwnerId": owner_key})


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def connect(
    connection: Connection, token: str | None, options: ConnectOptions
) -> SalesforceConnector:
    """The connector of a saved Salesforce connection (instance URL, access token, refresh token)."""
    url = urlsplit(connection.url)
    if url.scheme != "https" and not _loopback(url.hostname or ""):
        raise SourceError(f"{connection.name}: the instance URL must start with https:// "
                          "(e.g. https://yourorg.my.salesforce.com); http:// is accepted only on "
                          "this computer (127.0.0.1, localhost or ::1), for test servers")  # fmt: skip
    if not token:
        raise SourceError(f"{connection.name}: no access token; enter one in Connections")
    secrets = default_store()
    try:
        refresh = secrets.get(refresh_token(connection.name))
    except SecretsUnavailableError:
        refresh = None
    api = SalesforceApi(
        base_url=f"{url.scheme}://{url.netloc}", token=token, source=f"Salesforce source '{connection.name}'",
        sleep=options.sleep, rand=options.rand, timeout=options.timeout, ca_file=options.ca_file,
        now=lambda: int(options.clock()), version=connection.options.get("api_version", "62.0"),
        refresher=refresher_from(refresh, connection.options.get("client_id", ""),
                                 lambda new: secrets.set(connection_token(connection.name), new,
                                                        connection.endpoint)),
    )  # fmt: skip
    mapping = (
        CrmMapping.from_document(connection.mapping)
        if connection.mapping
        else default_salesforce_mapping()
    )
    return SalesforceConnector(connection.name, api, mapping, options.overlap_seconds)
