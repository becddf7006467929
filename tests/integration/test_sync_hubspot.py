"""HubSpot sync against the fake on 127.0.0.1: paging, cursors, overlap, mapping, write-back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from slaapp.infra.secrets import connection_token, default_store
from slaapp.models.tables import Event, Person, Record, SyncCursor, SyncRun
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.connector import SourceError, SyncControl
from slaapp.sync.hubspot import HubSpotConnector
from slaapp.sync.mapping import default_mapping, preview
from slaapp.sync.service import open_connector, probe_connection, sync_history, sync_source
from slaapp.sync.sources import ConnectOptions
from slaapp.sync.store import load_cursor, owner_map
from slaapp.sync.writeback import owner_writeback

from .fake_hubspot import TOKEN, HubSpotState, fake_hubspot, iso, seed_org

NOW = 1_764_500_000


@pytest.fixture
def hubspot():
    with fake_hubspot() as (url, state):
        yield url, state


def connect(database, url: str, name: str = "crm", mapping=None) -> None:
    save_connection(
        database,
        Connection(name, "hubspot", url=url, mapping=(mapping or default_mapping()).to_document()),
        NOW,
    )
    default_store().set(connection_token(name), TOKEN)


def options(
    waits: list[float] | None = None, page_size: int = 200, commit_records: int = 2000
) -> ConnectOptions:
    return ConnectOptions(sleep=(waits if waits is not None else []).append, rand=lambda: 0.5,
                          page_size=page_size, commit_records=commit_records)  # fmt: skip


def clock():
    return lambda: NOW


def count(database, entity) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(entity)) or 0)


def event_keys(database) -> list[tuple[str, str, int]]:
    with database.session() as session:
        rows = session.execute(
            select(Record.external_id, Event.name, Event.occurred_at).join(
                Record, Event.record_id == Record.id
            )
        )
        return sorted(tuple(r) for r in rows)


def test_first_sync_pages_everything_and_second_adds_only_changes(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=450, deals=30)
    connect(database, url)
    progress = []
    report = sync_source(database, "crm", SyncControl(progress.append), clock(), options=options())
    assert report.state == "ok", report.message
    assert report.records == 480
    assert count(database, Record) == 480
    keys = event_keys(database)
    assert len(keys) == len(set(keys)) == 450 * 2 + 30 * 3
    assert progress[-1].records == 480 and progress[-1].pages == report.pages
    contact = load_cursor(database, "crm", "contacts")
    assert contact.watermark == (1_764_000_000_000 + 449 * 1000) // 1000
    assert contact.extra["done"] is True and contact.extra["last_ms"] == 1_764_000_449_000
    with database.session() as session:
        stored = session.scalars(select(Record).where(Record.external_id == "0-3/900000")).one()
        assert (stored.kind, stored.name, stored.owner) == ("deal", "Deal 0", "rep0@acme.test")
        assert session.scalar(select(func.count()).select_from(Person)) == 4
    assert owner_map(database, "crm")["41629779"] == "rep0@acme.test"

    searches = len([r for r in state.requests if r.path.endswith("/search")])
    state.put("contacts", 105, 1_764_000_900_000, hs_lifecyclestage_salesqualifiedlead_date=iso(1_764_000_800_000),
              hs_sa_first_engagement_date=iso(1_764_000_700_000))  # fmt: skip
    again = sync_source(database, "crm", None, clock(), options=options())
    assert again.state == "ok", again.message
    assert again.events_added == 1  # the first engagement date; nothing else repeats
    new_searches = [r for r in state.requests[searches:] if "/contacts/search" in r.path]
    low = int(new_searches[0].body["filterGroups"][0]["filters"][0]["value"])
    assert low == 1_764_000_449_000 - 180_000  # the overlap window before the watermark
    assert len(event_keys(database)) == len(keys) + 1
    assert [r.state for r in sync_history(database, "crm")] == ["ok", "ok"]


def test_ties_are_walked_by_object_id_and_no_query_reaches_the_cap(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=0)
    for i in range(450):
        state.put(
            "contacts",
            100 + i,
            1_764_000_000_000,
            hubspot_owner_assigneddate=iso(1_764_000_000_000 - i),
        )
    for i in range(10_050):
        state.put("contacts", 10_000 + i, 1_764_000_001_000 + i)
    mapping = default_mapping()
    connect(database, url, mapping=type(mapping)({"contacts": mapping.objects["contacts"]}, ""))
    report = sync_source(database, "crm", None, clock(), options=options())
    assert report.state == "ok", report.message
    assert count(database, Record) == 450
    searches = [r.body for r in state.requests if r.path.endswith("/search")]
    ties = [b for b in searches if b["sorts"][0]["propertyName"] == "hs_object_id"]
    assert [b["filterGroups"][0]["filters"][1]["value"] for b in ties] == ["-1", "299", "499"]
    assert all(b["filterGroups"][0]["filters"][0] == {"propertyName": "lastmodifieddate",
               "operator": "EQ", "value": "1764000000000"} for b in ties)  # fmt: skip
    assert all(int(b.get("after") or 0) < 10_000 for b in searches)
    cursor = load_cursor(database, "crm", "contacts")
    assert cursor.extra["last_ms"] == 1_764_000_001_000 + 10_049
    assert report.records >= 10_500


def test_records_modified_during_the_sync_are_neither_lost_nor_doubled(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=600)
    calls = []

    def modify(fake: HubSpotState, body) -> None:
        calls.append(body)
        if len(calls) == 2:  # after the first page: move a read record and an unread one to the end
            fake.put(
                "contacts",
                110,
                1_764_009_000_000,
                hubspot_owner_assigneddate=iso(1_764_008_000_000),
            )
            fake.put(
                "contacts",
                450,
                1_764_009_000_001,
                hubspot_owner_assigneddate=iso(1_764_008_000_001),
            )

    state.on_search = modify
    connect(database, url, mapping=_contacts_only())
    report = sync_source(database, "crm", None, clock(), options=options())
    assert report.state == "ok", report.message
    assert count(database, Record) == 600
    keys = event_keys(database)
    assert len(keys) == len(set(keys))
    assert ("0-1/450", "assigned", 1_764_008_000) in keys
    assert ("0-1/110", "assigned", 1_764_008_000) in keys


def test_engagements_make_first_contact_events_and_owner_write_back(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=3)
    state.put("calls", 1, 1_764_000_010_000, hs_timestamp=iso(1_764_000_005_000), hs_call_direction="OUTBOUND",
              hs_call_status="COMPLETED", hubspot_owner_id="41629780")  # fmt: skip
    state.put(
        "emails",
        2,
        1_764_000_011_000,
        hs_timestamp=iso(1_764_000_006_000),
        hs_email_direction="INCOMING_EMAIL",
    )
    state.put("meetings", 3, 1_764_000_012_000, hs_meeting_start_time=iso(1_764_000_007_000),
              hs_meeting_outcome="COMPLETED")  # fmt: skip
    state.associations = {
        ("calls", "1"): ["100"],
        ("emails", "2"): ["101"],
        ("meetings", "3"): ["102"],
    }
    connect(database, url)
    assert sync_source(database, "crm", None, clock(), options=options()).ok
    firsts = [k for k in event_keys(database) if k[1] == "first_contact"]
    assert firsts == [
        ("0-1/100", "first_contact", 1_764_000_005),
        ("0-1/102", "first_contact", 1_764_000_007),
    ]

    connector = open_connector(database, "crm", options=options())
    assert isinstance(connector, HubSpotConnector)
    connector.assign_owner("0-1/101", "41629781")
    assert state.objects["contacts"]["101"]["properties"]["hubspot_owner_id"] == "41629781"
    assert state.requests[-1].method == "PATCH"
    writeback = owner_writeback(database, options())
    writeback("crm", "0-1/102", "rep3@acme.test")  # a directory person, as escalation names them
    assert state.objects["contacts"]["102"]["properties"]["hubspot_owner_id"] == "41629782"
    with pytest.raises(SourceError, match="not a user of this CRM"):
        writeback("crm", "0-1/102", "nobody@acme.test")
    with pytest.raises(SourceError, match="no connection"):
        writeback("demo", "L-1", "rep3@acme.test")


def test_connection_test_and_mapping_preview(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=5, deals=2)
    connect(database, url)
    account = probe_connection(database, "crm", options=options())
    assert account.account == "HubSpot portal 62515"
    assert "API calls left today" in account.detail
    connector = open_connector(database, "crm", options=options())
    assert isinstance(connector, HubSpotConnector)
    ref = connector.reference_data()
    mapping = default_mapping(ref)
    assert mapping.objects["deals"].stages["closedwon"] == "closed_won"
    assert mapping.objects["deals"].stages["contractsent"] == "proposal_sent"
    sample = connector.sample("deals", 10)
    shown = preview(sample, mapping, limit=1)
    assert len(shown) == 1 and shown[0].kind == "deal"
    assert {e.event for e in shown[0].events} == {"sql", "demo_held", "proposal_sent"}
    assert count(database, Event) == 0  # a preview stores nothing


def test_a_second_sync_of_the_same_source_is_refused_while_one_runs(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=300)
    connect(database, url, mapping=_contacts_only())
    inner = []

    def nested(progress) -> None:
        if not inner:
            inner.append(sync_source(database, "crm", None, clock(), options=options()))

    outer = sync_source(database, "crm", SyncControl(nested), clock(), options=options())
    assert outer.ok
    assert inner[0].state == "busy" and "already running" in inner[0].message
    with database.session() as session:
        assert session.scalar(select(SyncCursor.watermark).where(SyncCursor.stream == "~run")) == 0
        assert [r.state for r in session.scalars(select(SyncRun))] == ["ok"]


def test_cancel_keeps_committed_pages_and_the_next_sync_resumes(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=600)
    connect(database, url, mapping=_contacts_only())
    control = SyncControl(lambda p: control.cancel() if p.pages == 1 else None)
    report = sync_source(database, "crm", control, clock(), options=options(commit_records=200))
    assert report.state == "cancelled" and report.records == 200
    assert count(database, Record) == 200
    resumed = sync_source(database, "crm", None, clock(), options=options())
    assert resumed.ok and count(database, Record) == 600
    keys = event_keys(database)
    assert len(keys) == len(set(keys)) == 1200


def _contacts_only():
    mapping = default_mapping()
    return type(mapping)({"contacts": mapping.objects["contacts"]}, "")


def test_shuffled_ties_lose_nothing_and_resume_exactly(database, hubspot, tmp_path):
    url, state = hubspot
    seed_org(state, contacts=0)
    assert state.shuffle_ties  # equal times come in a new order on every request
    expected = set()
    for tie in range(3):  # three bulk edits of 450 records in one millisecond, with records between
        ms = 1_764_000_000_000 + tie * 10_000
        for i in range(450):
            contact = 1_000 + tie * 1_000 + i
            state.put("contacts", contact, ms, hubspot_owner_assigneddate=iso(ms - 1_000 - i))
            expected.add((f"0-1/{contact}", "assigned", (ms - 1_000 - i) // 1000))
        for i in range(90):
            state.put("contacts", 9_000 + tie * 100 + i, ms + 1 + i * 7,
                      hubspot_owner_assigneddate=iso(ms - 500))  # fmt: skip
            expected.add((f"0-1/{9_000 + tie * 100 + i}", "assigned", (ms - 500) // 1000))
    connect(database, url, mapping=_contacts_only())
    control = SyncControl(lambda p: control.cancel() if p.pages == 4 else None)
    cancelled = sync_source(database, "crm", control, clock(), options=options(commit_records=400))
    assert cancelled.state == "cancelled" and cancelled.pages == 4  # two commits of two pages
    assert load_cursor(database, "crm", "contacts").extra["tie_id"] is not None  # killed in a tie
    resumed = sync_source(database, "crm", None, clock(), options=options())
    assert resumed.ok, resumed.message
    assert set(event_keys(database)) == expected
    assert len(event_keys(database)) == len(expected)


def test_search_replies_without_quota_headers_and_the_five_per_second_limit(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=1_500)
    fake_time = [0.0]
    state.search_per_second, state.clock = 5, lambda: fake_time[0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the client's waits move the fake's clock
        waits.append(seconds)
        fake_time[0] += seconds

    connect(database, url, mapping=_contacts_only())
    report = sync_source(database, "crm", None, clock(),
                         options=ConnectOptions(sleep=sleep, rand=lambda: 0.5))  # fmt: skip
    assert report.ok, report.message
    assert state.refused >= 1 and 1.0 in waits  # a SECONDLY 429 waited a second
    assert count(database, Record) == 1_500 and len(set(event_keys(database))) == 3_000
    assert "x-hubspot-ratelimit-daily" in report.quota  # from the owners and pipelines replies
