"""Salesforce sync through the real sync service against the fake REST API on 127.0.0.1."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from slaapp.models.tables import Event, Person, Record, SyncCursor
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.service import sync_source
from slaapp.sync.sources import ConnectOptions
from tests.integration.fake_salesforce import FakeSalesforce, running

NOW = 1_800_000_000
OPTIONS = ConnectOptions(sleep=lambda seconds: None, rand=lambda: 0.0, timeout=5.0)
QUEUE = "00GFK0000000001AAA"


def seed(fake: FakeSalesforce, extra_leads: int = 7) -> dict[str, str]:
    """A small org: a VP, a manager, two reps; leads through a queue; one opportunity won."""
    ids: dict[str, str] = {}
    for stage, order, closed, won in (("Prospecting", 1, False, False), ("Proposal/Price Quote", 2, False, False),
                                      ("Closed Won", 3, True, True), ("Closed Lost", 4, True, False)):  # fmt: skip
        fake.add("OpportunityStage", ApiName=stage, MasterLabel=stage, SortOrder=order, IsClosed=closed,
                 IsWon=won, IsActive=True)  # fmt: skip
    ids["vp"] = fake.add("User", Name="Vera Price", Email="vera@acme.test", Title="VP Sales",
                         TimeZoneSidKey="America/New_York", Department="Sales", IsActive=True)  # fmt: skip
    ids["manager"] = fake.add("User", Name="Max Moore", Email="max@acme.test", Title="Sales Manager",
                              ManagerId=ids["vp"], TimeZoneSidKey="Europe/Berlin", IsActive=True)  # fmt: skip
    for rep in ("ann", "bob"):
        ids[rep] = fake.add("User", Name=rep.title(), Email=f"{rep}@acme.test", Title="SDR",
                            ManagerId=ids["manager"], TimeZoneSidKey="Bogus/Zone", IsActive=True)  # fmt: skip
    fake.add("Group", Id=QUEUE, Name="Inbound", DeveloperName="Inbound", Type="Queue")
    ids["queued"] = fake.add("Lead", Name="Queued Lead", OwnerId=QUEUE, Status="Open",
                             LeadSource="Web", Rating="Hot")  # fmt: skip
    fake.update("Lead", ids["queued"], at=fake.tick(600), OwnerId=ids["ann"])
    fake.add("Task", WhoId=ids["queued"], OwnerId=ids["ann"], IsClosed=True, Status="Completed",
             CompletedDateTime=fake.tick(3600))  # fmt: skip
    ids["direct"] = fake.add("Lead", Name="Direct Lead", OwnerId=ids["bob"], Status="Open")
    fake.update("Lead", ids["direct"], Status="Unqualified")
    fake.update("Lead", ids["direct"], OwnerId=ids["ann"])
    fake.add("Event", WhoId=ids["direct"], OwnerId=ids["ann"], StartDateTime=fake.tick(60))
    ids["deal"] = fake.add("Opportunity", Name="Acme deal", OwnerId=ids["bob"], StageName="Prospecting",
                           Amount=50000.0)  # fmt: skip
    fake.update("Opportunity", ids["deal"], StageName="Proposal/Price Quote")
    fake.update("Opportunity", ids["deal"], StageName="Closed Won")
    for i in range(extra_leads):
        fake.add("Lead", Name=f"Lead {i}", OwnerId=ids["bob"], Status="Open")
    return ids


@pytest.fixture
def org():
    fake = FakeSalesforce(batch_size=3)
    ids = seed(fake)
    with running(fake):
        yield fake, ids


def connect(database, fake: FakeSalesforce, **options: str) -> None:
    save_connection(database, Connection("sf", "salesforce", url=fake.url, options=options), NOW)


def sync(database, fake: FakeSalesforce, **kw):
    kw.setdefault("token", fake.access_token)
    return sync_source(database, "sf", now=lambda: NOW, options=OPTIONS, **kw)


def stored(database) -> list[tuple[str, str, int, str | None]]:
    with database.session() as session:
        rows = session.execute(
            select(Record.external_id, Event.name, Event.occurred_at, Event.owner).join(Record)
        )
        return sorted((a, b, c, d) for a, b, c, d in rows)


def ms(value: int) -> int:
    return value // 1000


def test_sync_maps_leads_history_activities_and_deals(database, org):
    fake, ids = org
    connect(database, fake)
    report = sync(database, fake)
    assert report.state == "ok", report.message
    events = stored(database)
    history = {
        (r["LeadId"], r["Field"]): r
        for r in fake.objects["LeadHistory"].values()
        if not (r["Field"] == "Owner" and r["DataType"] == "Text")
    }
    queued, direct = fake.objects["Lead"][ids["queued"]], fake.objects["Lead"][ids["direct"]]
    assigned_at = ms(history[(ids["queued"], "Owner")]["CreatedDate"])
    task = next(iter(fake.objects["Task"].values()))
    lead_events = [e for e in events if e[0] == ids["queued"]]
    assert lead_events == sorted([
        (ids["queued"], "mql", ms(queued["CreatedDate"]), "Queue: Inbound"),
        (ids["queued"], "assigned", assigned_at, "ann@acme.test"),
        (ids["queued"], "first_contact", ms(task["CompletedDateTime"]), None),
    ])  # fmt: skip
    with database.session() as session:
        contact = session.execute(
            select(Event.attributes)
            .join(Record)
            .where(Record.external_id == ids["queued"], Event.name == "first_contact")
        ).scalar_one()
    assert contact == {"channel": "task", "contacted_by": "ann@acme.test"}
    direct_events = {e[1]: e for e in events if e[0] == ids["direct"]}
    assert direct_events["assigned"][2:] == (ms(direct["CreatedDate"]), "bob@acme.test")
    assert direct_events["disqualified"][2] == ms(history[(ids["direct"], "Status")]["CreatedDate"])
    assert direct_events["owner_changed"][3] == "ann@acme.test"
    stage_times = {r["NewValue"]: ms(r["CreatedDate"]) for r in fake.objects["OpportunityFieldHistory"].values()
                   if r["Field"] == "StageName"}  # fmt: skip
    deal = [e[1:3] for e in events if e[0] == ids["deal"]]
    assert deal == sorted([("sql", ms(fake.objects["Opportunity"][ids["deal"]]["CreatedDate"])),
                           ("proposal_sent", stage_times["Proposal/Price Quote"]),
                           ("closed_won", stage_times["Closed Won"])])  # fmt: skip
    assert len({e[0] for e in events}) == 3 + 7
    with database.session() as session:
        kinds = dict(session.execute(select(Record.external_id, Record.kind)).all())
        people = {p.key: p for p in session.scalars(select(Person))}
    assert kinds[ids["deal"]] == "deal" and kinds[ids["queued"]] == "lead"
    by_id = {p.id: p for p in people.values()}
    ann = people["ann@acme.test"]
    assert ann.timezone == "UTC"  # an unknown TimeZoneSidKey falls back instead of failing
    assert by_id[ann.manager_id].key == "max@acme.test"
    assert by_id[people["max@acme.test"].manager_id].key == "vera@acme.test"
    assert any("/query/01g" in seen.path for seen in fake.seen), "paging followed nextRecordsUrl"
    assert report.quota["sforce-limit-info"].startswith("api-usage=")


def test_changes_during_and_after_a_sync_arrive_once(database, org):
    fake, ids = org
    connect(database, fake)
    changed: list[str] = []

    def reassign_mid_sync(path: str) -> None:
        leads_started = any("FROM+Lead+" in seen.query for seen in fake.seen)
        if "/query/01g" in path and leads_started and not changed:
            changed.append(path)
            fake.update("Lead", ids["queued"], OwnerId=ids["bob"])  # modified while paging

    fake.before.append(reassign_mid_sync)
    first = sync(database, fake)
    assert first.state == "ok" and changed
    fake.before.clear()
    second = sync(database, fake)
    assert second.state == "ok" and second.events_added == 1  # the reassignment, nothing else
    events = stored(database)
    assert (ids["queued"], "owner_changed") in {(e[0], e[1]) for e in events}
    assert len(events) == len(set(events))
    third = sync(database, fake)
    assert third.events_added == 0
    new_lead = fake.add("Lead", Name="Late Lead", OwnerId=ids["ann"], Status="Open")
    fourth = sync(database, fake)
    assert fourth.events_added == 2  # its mql and assignment
    assert {e[1] for e in stored(database) if e[0] == new_lead} == {"mql", "assigned"}


class Killed(BaseException):
    """Stands for the process dying between two pages."""


def test_a_killed_sync_resumes_without_gaps_or_duplicates(database, org, tmp_path):
    fake, _ids = org
    connect(database, fake)
    from slaapp.sync.connector import SyncControl

    def die_after_two_pages(progress) -> None:
        if progress.pages == 2:
            raise Killed

    from dataclasses import replace

    with pytest.raises(Killed):  # a commit per page, so two pages are stored when it dies
        sync_source(database, "sf", SyncControl(die_after_two_pages), lambda: NOW,
                    token=fake.access_token, options=replace(OPTIONS, commit_records=1))  # fmt: skip
    partial = stored(database)
    with database.session() as session:
        watermark = session.scalar(select(SyncCursor.watermark).where(SyncCursor.stream == "leads"))
    assert partial and watermark is not None
    asked = len(fake.seen)
    resumed = sync(database, fake)
    assert resumed.state == "ok", resumed.message
    first_query = next(s for s in fake.seen[asked:] if "FROM+Lead+WHERE" in s.query)
    assert "SystemModstamp+%3E%3D" in first_query.query  # resumed from the cursor, not from scratch
    from slaapp.models.database import Database

    fresh = Database(f"sqlite:///{tmp_path / 'oneshot.db'}")
    fresh.migrate()
    connect(fresh, fake)
    assert sync(fresh, fake).state == "ok"
    assert stored(database) == stored(fresh)
    fresh.dispose()


def test_error_array_names_the_field(database, org):
    fake, _ids = org
    from slaapp.sync.salesforce_mapping import default_salesforce_mapping

    doc = default_salesforce_mapping().to_document()
    doc["objects"]["leads"]["milestones"].append(["First_Touch__c", "first_contact"])
    save_connection(database, Connection("sf", "salesforce", url=fake.url, mapping=doc), NOW)
    report = sync(database, fake)
    assert report.state == "failed"
    assert "INVALID_FIELD: No such column 'First_Touch__c' on entity 'Lead'" in report.message


def test_request_limit_suspends_the_source_and_keeps_data(database, org):
    fake, _ids = org
    connect(database, fake)
    assert sync(database, fake).state == "ok"
    before = stored(database)
    fake.api_limit = fake.api_used + 2
    report = sync(database, fake)
    assert report.state == "suspended"
    assert "daily API request limit is used up" in report.message
    assert stored(database) == before
    calls = len(fake.seen)
    assert sync(database, fake).state == "suspended" and len(fake.seen) == calls + 1  # no retries


def test_expired_session_fails_clearly_without_refresh_token(database, org, memory_keyring):
    fake, _ids = org
    connect(database, fake)
    report = sync(database, fake, token="00Dexpired")
    assert report.state == "failed"
    assert "INVALID_SESSION_ID: Session expired or invalid" in report.message
    assert "00Dexpired" not in report.message


def test_expired_session_is_refreshed_and_the_new_token_kept(database, org, memory_keyring, caplog):
    fake, _ids = org
    caplog.set_level("DEBUG")
    connect(database, fake, client_id=fake.client_id)
    memory_keyring.set_password("slaapp", "sync:sf#refresh", fake.refresh_token)
    old = fake.access_token
    fake.expire_session()
    report = sync_source(database, "sf", now=lambda: NOW, token=old, options=OPTIONS)
    assert report.state == "ok", report.message
    assert memory_keyring.get_password("slaapp", "sync:sf") == fake.access_token
    secrets = (old, fake.access_token, fake.refresh_token)
    assert not any(s in caplog.text for s in secrets)
    with database.engine.connect() as connection:
        from slaapp.models.tables import Base

        dump = " ".join(str(row) for table in Base.metadata.sorted_tables
                        for row in connection.execute(table.select()))  # fmt: skip
    assert stored(database) and not any(s in dump for s in secrets)


def test_dropped_connection_and_malformed_json_are_retried(database, org):
    fake, _ids = org
    from tests.integration.fake_salesforce import Fault

    fake.faults += [Fault("/query/01g", kind="drop"), Fault("/query", kind="malformed"),
                    Fault("/query", status=503, body=[{"errorCode": "SERVER_UNAVAILABLE", "message": "busy"}])]  # fmt: skip
    connect(database, fake)
    report = sync(database, fake)
    assert report.state == "ok", report.message
    assert not fake.faults
    assert len({e[0] for e in stored(database)}) == 10


def test_owner_write_back(database, org):
    fake, ids = org
    connect(database, fake)
    from slaapp.sync.connector import OwnerWriter, SourceError
    from slaapp.sync.service import open_connector

    connector = open_connector(database, "sf", token=fake.access_token, options=OPTIONS)
    assert isinstance(connector, OwnerWriter)
    connector.assign_owner(ids["queued"], ids["manager"])
    assert fake.objects["Lead"][ids["queued"]]["OwnerId"] == ids["manager"]
    with pytest.raises(SourceError, match="FIELD_INTEGRITY_EXCEPTION"):
        connector.assign_owner(ids["queued"], "005FK0000009999AAA")
    info = connector.validate()
    assert info.account.startswith("Acme Corp") and "left in the last 24 hours" in info.detail


def test_expired_next_records_urls_run_the_query_again(database, org, tmp_path):
    fake, _ids = org
    expired = []

    def expire_leads_and_users(path: str) -> None:  # one expiry in the users, one in the leads
        if "/query/01g" in path and len(expired) < 2:
            last = fake.seen[-1].query if fake.seen else ""
            if "User" in last or "Lead" in last:
                expired.append(path)
                fake.expire_next = 1

    fake.before.append(expire_leads_and_users)
    connect(database, fake)
    report = sync(database, fake)
    assert report.state == "ok", report.message
    assert fake.expired_locators == 2
    fake.before.clear()
    from slaapp.models.database import Database

    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.migrate()
    connect(fresh, fake)
    assert sync(fresh, fake).state == "ok"
    assert stored(database) == stored(fresh)
    fresh.dispose()
