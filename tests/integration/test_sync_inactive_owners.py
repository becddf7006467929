"""Deactivated CRM owners (HubSpot archived, Salesforce inactive) kept by name and marked inactive."""

from __future__ import annotations

from sqlalchemy import select

from slaapp.infra.secrets import connection_token, default_store
from slaapp.models.tables import Clock, Person, Record
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.mapping import default_mapping
from slaapp.sync.service import sync_source
from slaapp.sync.sources import ConnectOptions

from .fake_hubspot import TOKEN, fake_hubspot, seed_org
from .fake_salesforce import FakeSalesforce, running

NOW = 1_764_500_000
OPTIONS = ConnectOptions(sleep=lambda s: None, rand=lambda: 0.5, timeout=5.0)


def people(database) -> dict[str, tuple[str, bool]]:
    with database.session() as session:
        return {p.key: (p.name, p.active) for p in session.scalars(select(Person))}


def owners_of(database, external_id: str) -> set[str | None]:
    with database.session() as session:
        record = session.scalars(select(Record).where(Record.external_id == external_id)).one()
        clocks = set(session.scalars(select(Clock.owner).where(Clock.record_id == record.id)))
        return {record.owner} | clocks


def test_hubspot_archived_owners_are_fetched_and_kept_inactive(database):
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=0)
        for i in range(120):  # more than one page of deactivated owners
            state.owners.append({"id": str(42029000 + i), "email": f"gone{i}@acme.test",
                                 "firstName": "Gone", "lastName": f"Rep{i}", "archived": True,
                                 "teams": []})  # fmt: skip
        state.put("contacts", 100, 1_764_000_000_000, hubspot_owner_id="42029118", firstname="A",
                  hs_lifecyclestage_marketingqualifiedlead_date="2025-11-24T10:00:00Z")  # fmt: skip
        doc = default_mapping().to_document()
        save_connection(database, Connection("crm", "hubspot", url=url, mapping=doc), NOW)
        default_store().set(connection_token("crm"), TOKEN)
        report = sync_source(database, "crm", None, lambda: NOW, options=OPTIONS)
        assert report.state == "ok", report.message
        owner_calls = [r.path for r in state.requests if "/owners" in r.path]
        assert any("archived=true" in p for p in owner_calls)
        assert any("archived=false" in p for p in owner_calls)
    found = people(database)
    assert found["gone118@acme.test"] == ("Gone Rep118", False)
    assert sum(1 for _, active in found.values() if not active) == 120
    assert found["rep0@acme.test"] == ("Rep0 Smith", True)
    assert owners_of(database, "0-1/100") == {"gone118@acme.test"}  # never the raw id 42029118


def test_salesforce_inactive_users_are_marked_inactive(database):
    fake = FakeSalesforce(batch_size=10)
    ann = fake.add("User", Name="Ann Active", Email="ann@acme.test", IsActive=True)
    old = fake.add("User", Name="Olga Left", Email="olga@acme.test", IsActive=False)
    lead = fake.add("Lead", Name="Kept", OwnerId=old, Status="Open")
    fake.add("Lead", Name="Other", OwnerId=ann, Status="Open")
    with running(fake):
        save_connection(database, Connection("sf", "salesforce", url=fake.url), NOW)
        report = sync_source(database, "sf", now=lambda: NOW, token=fake.access_token,
                             options=OPTIONS)  # fmt: skip
        assert report.state == "ok", report.message
    found = people(database)
    assert found["olga@acme.test"] == ("Olga Left", False)
    assert found["ann@acme.test"] == ("Ann Active", True)
    assert owners_of(database, lead) == {"olga@acme.test"}
