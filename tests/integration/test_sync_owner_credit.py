"""Who owns a synced record and what counts as first contact, against the HubSpot and Salesforce fakes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from slaapp.infra.secrets import connection_token, default_store
from slaapp.models.tables import Clock, Event, Record
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.hubspot import HubSpotConnector
from slaapp.sync.mapping import HUBSPOT_CONTACT_COUNTS, CrmMapping, default_mapping, preview
from slaapp.sync.service import open_connector, sync_source
from slaapp.sync.sources import ConnectOptions

from .fake_hubspot import TOKEN, fake_hubspot, iso, seed_org
from .fake_salesforce import FakeSalesforce, running

NOW = 1_764_500_000
REP0, REP1, REP3 = "41629779", "41629780", "41629782"


@pytest.fixture
def hubspot():
    with fake_hubspot() as (url, state):
        yield url, state


def hs_connect(database, url: str, mapping: CrmMapping | None = None) -> None:
    doc = (mapping or default_mapping()).to_document()
    save_connection(database, Connection("crm", "hubspot", url=url, mapping=doc), NOW)
    default_store().set(connection_token("crm"), TOKEN)


def hs_sync(database):
    options = ConnectOptions(sleep=lambda s: None, rand=lambda: 0.5)
    report = sync_source(database, "crm", None, lambda: NOW, options=options)
    assert report.state == "ok", report.message
    return report


def events_of(database, external_id: str) -> list[tuple[str, int, str | None, dict | None]]:
    with database.session() as session:
        rows = session.execute(
            select(Event.name, Event.occurred_at, Event.owner, Event.attributes)
            .join(Record, Event.record_id == Record.id)
            .where(Record.external_id == external_id)
            .order_by(Event.occurred_at, Event.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def record_of(database, external_id: str) -> tuple[str | None, dict]:
    with database.session() as session:
        row = session.execute(
            select(Record.owner, Record.attributes).where(Record.external_id == external_id)
        ).one()
        return row[0], row[1]


def clocks_of(database, external_id: str) -> dict[str, tuple[str | None, str, int]]:
    with database.session() as session:
        rows = session.execute(
            select(Clock.handoff, Clock.owner, Clock.status, Clock.elapsed_seconds)
            .join(Record, Clock.record_id == Record.id)
            .where(Record.external_id == external_id)
        )
        return {h: (o, s, e) for h, o, s, e in rows}


def test_hubspot_first_contact_is_credited_to_the_contact_owner(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=2)  # contact 100 owned by rep0, 101 by rep1
    made = 1_764_000_000_000 - 1_800_000  # half an hour after the assignment
    state.put("calls", 1, 1_764_000_010_000, hs_timestamp=iso(made), hs_call_status="COMPLETED",
              hs_call_direction="OUTBOUND", hubspot_owner_id=REP3)  # fmt: skip
    state.associations = {("calls", "1"): ["100"]}
    hs_connect(database, url)
    hs_sync(database)
    owner, attributes = record_of(database, "0-1/100")
    assert owner == "rep0@acme.test"
    assert attributes["contacted_by"] == "rep3@acme.test"
    first = [e for e in events_of(database, "0-1/100") if e[0] == "first_contact"]
    assert first == [("first_contact", made // 1000, None,
                      {"channel": "calls", "contacted_by": "rep3@acme.test"})]  # fmt: skip
    clock = clocks_of(database, "0-1/100")["first_contact"]
    assert clock[0] == "rep0@acme.test" and clock[1] in ("met", "missed")
    assert all(e[2] in (None, "rep0@acme.test") for e in events_of(database, "0-1/100"))


def test_hubspot_counts_completed_calls_sent_emails_and_held_meetings_only(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=12)
    cases = [  # (engagement type, properties, counts)
        ("calls", {"hs_call_status": "COMPLETED"}, True),
        ("calls", {"hs_call_status": "NO_ANSWER"}, False),
        ("calls", {"hs_call_status": "BUSY"}, False),
        ("calls", {}, False),
        ("emails", {"hs_email_direction": "EMAIL", "hs_email_status": "SENT"}, True),
        ("emails", {"hs_email_direction": "EMAIL"}, True),  # logged by hand: no status
        ("emails", {"hs_email_direction": "EMAIL", "hs_email_status": "SCHEDULED"}, False),
        ("emails", {"hs_email_direction": "INCOMING_EMAIL", "hs_email_status": "SENT"}, False),
        ("meetings", {"hs_meeting_outcome": "COMPLETED"}, True),
        ("meetings", {"hs_meeting_outcome": "SCHEDULED"}, False),
        ("meetings", {"hs_meeting_outcome": "RESCHEDULED"}, False),
        ("meetings", {"hs_meeting_outcome": "NO_SHOW"}, False),
    ]
    for i, (kind, props, _) in enumerate(cases):
        when = iso(1_763_990_000_000 + i * 1000)
        times = {"hs_meeting_start_time": when} if kind == "meetings" else {"hs_timestamp": when}
        state.put(kind, 500 + i, 1_764_000_100_000 + i, hubspot_owner_id=REP1, **times, **props)
        state.associations[(kind, str(500 + i))] = [str(100 + i)]
    hs_connect(database, url)
    hs_sync(database)
    contacted = {
        i for i in range(len(cases))
        if any(e[0] == "first_contact" for e in events_of(database, f"0-1/{100 + i}"))
    }  # fmt: skip
    assert contacted == {i for i, case in enumerate(cases) if case[2]}

    # What counts is one mapping setting: accept scheduled meetings too, on a fresh source.
    mapping = default_mapping()
    counts = {**mapping.contact_counts({}), "meetings": {"hs_meeting_outcome": ("COMPLETED", "SCHEDULED")}}  # fmt: skip
    assert mapping.first_contact_counts == HUBSPOT_CONTACT_COUNTS  # written in the document
    custom = CrmMapping(mapping.objects, mapping.first_contact_event, counts)
    assert CrmMapping.from_document(custom.to_document()).first_contact_counts == counts
    connector = HubSpotConnector(
        Connection("x", "hubspot", url=url, mapping=custom.to_document()), TOKEN, ConnectOptions()
    )
    assert connector.mapping.contact_counts({}) == counts


def test_hubspot_default_counts_are_shown_in_the_mapping_document():
    assert HUBSPOT_CONTACT_COUNTS["meetings"] == {"hs_meeting_outcome": ("COMPLETED",)}
    assert HUBSPOT_CONTACT_COUNTS["calls"] == {"hs_call_status": ("COMPLETED",)}
    doc = default_mapping().to_document()
    assert doc["objects"]["contacts"]["states"] == [["assigned", "mql"]]
    assert doc["first_contact_counts"]["meetings"] == {"hs_meeting_outcome": ["COMPLETED"]}


def test_hubspot_owner_before_mql_is_assigned_at_the_mql_instant(database, hubspot):
    url, state = hubspot
    seed_org(state, contacts=0)
    mql, early, late = 1_764_000_000_000, 1_763_900_000_000, 1_764_000_600_000
    state.put("contacts", 100, mql + 5000, hubspot_owner_id=REP0, firstname="Owned", lastname="Early",
              hs_lifecyclestage_marketingqualifiedlead_date=iso(mql),
              hubspot_owner_assigneddate=iso(early))  # fmt: skip
    state.put("contacts", 101, mql + 6000, hubspot_owner_id=REP0,
              hs_lifecyclestage_marketingqualifiedlead_date=iso(mql),
              hubspot_owner_assigneddate=iso(late))  # fmt: skip
    hs_connect(database, url)
    hs_sync(database)
    early_events = [(e[0], e[1]) for e in events_of(database, "0-1/100")]
    assert early_events == [("mql", mql // 1000), ("assigned", mql // 1000)]
    assert clocks_of(database, "0-1/100")["mql_assigned"] == ("rep0@acme.test", "met", 0)
    late_events = [(e[0], e[1]) for e in events_of(database, "0-1/101")]
    assert late_events == [("mql", mql // 1000), ("assigned", late // 1000)]

    connector = open_connector(database, "crm", options=ConnectOptions())
    assert isinstance(connector, HubSpotConnector)
    shown = {m.external_id: m for m in preview(connector.sample("contacts"), connector.mapping)}
    assert [(e.event, e.occurred_at) for e in shown["0-1/100"].events] == early_events


# --- Salesforce -------------------------------------------------------------------------

SF_NOW = 1_793_100_000  # the fake's clock starts at 1_793_000_000 s


def sf_sync(database, fake: FakeSalesforce, now: int):
    options = ConnectOptions(sleep=lambda s: None, rand=lambda: 0.0, timeout=5.0,
                             clock=lambda: now)  # fmt: skip
    report = sync_source(database, "sf", now=lambda: now, token=fake.access_token, options=options)
    assert report.state == "ok", report.message
    return report


def test_salesforce_owner_is_the_lead_owner_and_future_meetings_wait(database):
    fake = FakeSalesforce(batch_size=50)
    ann = fake.add("User", Name="Ann", Email="ann@acme.test", IsActive=True)
    bob = fake.add("User", Name="Bob", Email="bob@acme.test", IsActive=True)
    queue = fake.add("Group", Name="Inbound", DeveloperName="Inbound", Type="Queue")
    moved = fake.add("Lead", Name="Moved", OwnerId=ann, Status="Open")
    fake.update("Lead", moved, OwnerId=bob)  # a real reassignment...
    meeting_start = fake.tick(60)
    fake.add("Event", WhoId=moved, OwnerId=ann, StartDateTime=meeting_start,
             EndDateTime=meeting_start + 1_800_000)  # ...then a meeting held by the old owner  # fmt: skip
    queued = fake.add("Lead", Name="Queued", OwnerId=queue, Status="Open")
    fake.add("Task", WhoId=queued, OwnerId=ann, IsClosed=True, Status="Completed",
             CompletedDateTime=fake.tick(60))  # fmt: skip
    fake.add("Task", WhoId=queued, OwnerId=bob, IsClosed=False, Status="Not Started",
             CompletedDateTime=None)  # an open task is no contact  # fmt: skip
    future = fake.add("Lead", Name="Future", OwnerId=bob, Status="Open")
    start = SF_NOW * 1000 + 7 * 86_400_000  # a meeting a week ahead of the sync
    fake.add("Event", WhoId=future, OwnerId=bob, StartDateTime=start, EndDateTime=start + 3_600_000)
    with running(fake):
        save_connection(database, Connection("sf", "salesforce", url=fake.url), NOW)
        sf_sync(database, fake, SF_NOW)
        assert record_of(database, moved)[0] == "bob@acme.test"
        contact = [e for e in events_of(database, moved) if e[0] == "first_contact"]
        assert contact == [("first_contact", meeting_start // 1000, None,
                            {"channel": "meeting", "contacted_by": "ann@acme.test"})]  # fmt: skip
        assert record_of(database, moved)[1]["contacted_by"] == "ann@acme.test"
        owner, attributes = record_of(database, queued)
        assert owner == "Queue: Inbound" and attributes["contacted_by"] == "ann@acme.test"
        assert [e[0] for e in events_of(database, queued)].count("first_contact") == 1
        assert not any(e[0] == "first_contact" for e in events_of(database, future))
        assert clocks_of(database, future)["mql_assigned"][1] == "met"

        # The meeting is held: the next sync counts it though nobody edited the Event.
        later = start // 1000 + 3_600 + 60
        sf_sync(database, fake, later)
        held = [e for e in events_of(database, future) if e[0] == "first_contact"]
        assert held == [("first_contact", start // 1000, None,
                         {"channel": "meeting", "contacted_by": "bob@acme.test"})]  # fmt: skip
        assert record_of(database, future)[0] == "bob@acme.test"
