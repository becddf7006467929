"""Records deleted or merged in the CRM: open clocks cancelled, alerts stopped, events moved."""

from __future__ import annotations

from sqlalchemy import func, select

from slaapp.infra.secrets import connection_token, default_store
from slaapp.models.tables import Alert, Clock, Event, Record
from slaapp.notify.alerting import run_alerts
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.mapping import default_mapping
from slaapp.sync.service import sync_source
from slaapp.sync.sources import ConnectOptions

from .fake_hubspot import TOKEN, fake_hubspot, seed_org
from .fake_salesforce import FakeSalesforce, running

NOW = 1_764_500_000
SF_NOW = 1_800_000_000  # after the Salesforce fake's clock
OPTIONS = ConnectOptions(sleep=lambda s: None, rand=lambda: 0.5, timeout=5.0)


def sync(database, name: str, now: int, token: str | None = None) -> None:
    report = sync_source(database, name, None, lambda: now, token=token, options=OPTIONS)
    assert report.state == "ok", report.message


def clocks(database, external_id: str) -> dict[str, tuple[str, int | None]]:
    with database.session() as session:
        rows = session.execute(
            select(Clock.handoff, Clock.status, Clock.stopped_at)
            .join(Record, Clock.record_id == Record.id)
            .where(Record.external_id == external_id)
        )
        return {h: (s, at) for h, s, at in rows}


def events(database, external_id: str) -> set[tuple[str, int]]:
    with database.session() as session:
        rows = session.execute(
            select(Event.name, Event.occurred_at)
            .join(Record, Event.record_id == Record.id)
            .where(Record.external_id == external_id)
        )
        return {(n, at) for n, at in rows}


def record(database, external_id: str) -> Record | None:
    with database.session() as session:
        return session.scalars(select(Record).where(Record.external_id == external_id)).first()


def alerts_of(database, external_id: str) -> int:
    with database.session() as session:
        return int(session.scalar(
            select(func.count()).select_from(Alert).join(Record, Alert.record_id == Record.id)
            .where(Record.external_id == external_id)
        ) or 0)  # fmt: skip


def test_hubspot_deletion_cancels_open_clocks_and_a_merge_moves_events(database):
    with fake_hubspot() as (url, state):
        seed_org(state, contacts=4)
        doc = default_mapping().to_document()
        save_connection(database, Connection("crm", "hubspot", url=url, mapping=doc), NOW)
        default_store().set(connection_token("crm"), TOKEN)
        sync(database, "crm", NOW)
        assert clocks(database, "0-1/100")["first_contact"][0] == "breached"
        before = events(database, "0-1/100")
        deleted_at = 1_764_400_000_000
        state.archive("contacts", 100, deleted_at)
        state.put("contacts", 999, NOW * 1000 + 5_000, firstname="Created after the sync")
        state.archive("contacts", 999, deleted_at)  # never synced: nothing to cancel
        loser = events(database, "0-1/101")
        survivor = events(database, "0-1/102")
        state.merge("contacts", 101, 102, 1_764_400_500_000)
        sync(database, "crm", NOW + 60)
        archived_reads = [r.path for r in state.requests if "archived=true" in r.path]
        assert any("/objects/contacts?" in p for p in archived_reads)

    status = clocks(database, "0-1/100")
    assert status["first_contact"] == ("cancelled", deleted_at // 1000)
    assert status["mql_assigned"][0] == "met"  # closed clocks keep their result
    assert events(database, "0-1/100") == before | {("deleted_in_crm", deleted_at // 1000)}
    deleted = record(database, "0-1/100")
    assert deleted is not None and deleted.attributes["cancel_reason"] == "deleted in CRM"
    assert record(database, "0-1/999") is None

    assert record(database, "0-1/101") is None
    assert events(database, "0-1/102") == survivor | loser
    assert clocks(database, "0-1/101") == {}
    assert clocks(database, "0-1/102")["mql_assigned"][0] == "met"

    run_alerts(database, NOW + 3_600)
    assert alerts_of(database, "0-1/100") == 0
    assert alerts_of(database, "0-1/103") > 0  # an open breached clock still alerts


def test_salesforce_query_all_deletions_and_merges(database):
    fake = FakeSalesforce(batch_size=5)
    ann = fake.add("User", Name="Ann", Email="ann@acme.test", IsActive=True)
    leads = [fake.add("Lead", Name=f"Lead {i}", OwnerId=ann, Status="Open") for i in range(4)]
    fake.add("Task", WhoId=leads[2], OwnerId=ann, IsClosed=True, CompletedDateTime=fake.tick(60))
    with running(fake):
        save_connection(database, Connection("sf", "salesforce", url=fake.url), NOW)
        sync(database, "sf", SF_NOW, fake.access_token)
        assert clocks(database, leads[0])["first_contact"][0] == "breached"
        before = events(database, leads[0])
        loser = events(database, leads[2])
        survivor = events(database, leads[3])
        fake.delete("Lead", leads[0])
        deleted_at = fake.objects["Lead"][leads[0]]["SystemModstamp"] // 1000
        fake.delete("Lead", leads[2], master=leads[3])
        sync(database, "sf", SF_NOW + 60, fake.access_token)
        assert any(s.path.endswith("/queryAll") for s in fake.seen)

    assert clocks(database, leads[0])["first_contact"] == ("cancelled", deleted_at)
    assert events(database, leads[0]) == before | {("deleted_in_crm", deleted_at)}
    assert record(database, leads[2]) is None
    merged = events(database, leads[3])
    assert merged == survivor | loser and ("first_contact" in {n for n, _ in merged})
    assert clocks(database, leads[3])["first_contact"][0] in ("met", "missed")
    assert clocks(database, leads[1])["first_contact"][0] == "breached"
