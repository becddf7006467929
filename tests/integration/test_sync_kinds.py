"""A new CRM is one connector module plus one SourceKind entry: checks, the CLI and sync all follow."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from slaapp.cli import main
from slaapp.engine.eventlog import EventRow
from slaapp.models.tables import Event, Record
from slaapp.sync import sources
from slaapp.sync.connections import (
    Connection,
    ConnectionSettingError,
    check_connection,
    save_connection,
)
from slaapp.sync.connector import (
    AccountInfo,
    Cursor,
    Page,
    RecordInfo,
    RefData,
    SourceError,
    SyncControl,
)
from slaapp.sync.service import probe_connection, sync_source
from slaapp.sync.sources import ConnectOptions, SourceKind, build_connector

NOW = 1_764_500_000
TOKEN = "toy-token-123"
TOY = SourceKind(
    "toycrm", "ToyCRM", __name__, address="API URL", url_example="https://api.toycrm.example",
    needs_token=True, token_help="Settings > API", record_url="{url}/records/{external_id}",
)  # fmt: skip


class ToyConnector:
    """The connector a new CRM module provides: two leads with their events, then nothing new."""

    kind = "toycrm"

    def __init__(self, connection: Connection, token: str) -> None:
        self.name = connection.name
        self.token = token

    def validate(self) -> AccountInfo:
        return AccountInfo("toycrm", "Toy account 42")

    def reference_data(self) -> RefData:
        return RefData()

    def streams(self) -> tuple[str, ...]:
        return ("leads",)

    def fetch_changes(self, stream: str, cursor: Cursor, control: SyncControl) -> Iterator[Page]:
        if cursor.watermark is not None:
            yield Page(0, (), cursor)
            return
        events = (EventRow("T-1", "mql", NOW - 7200), EventRow("T-1", "first_contact", NOW - 3600),
                  EventRow("T-2", "mql", NOW - 600))  # fmt: skip
        infos = (RecordInfo("T-1", "lead", "Ada"), RecordInfo("T-2", "lead", "Bo"))
        yield Page(2, events, Cursor(NOW), infos)


def connect(connection: Connection, token: str | None, options: ConnectOptions) -> ToyConnector:
    """The module-level factory the registry entry points at."""
    if token != TOKEN:
        raise SourceError(f"{connection.name}: ToyCRM refused the token")
    return ToyConnector(connection, token)


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The one registry entry (conftest gives a memory keyring)."""
    monkeypatch.setitem(sources.KINDS, TOY.name, TOY)


def counts(database) -> tuple[int, int]:
    with database.session() as session:
        records = session.scalar(select(func.count()).select_from(Record)) or 0
        events = session.scalar(select(func.count()).select_from(Event)) or 0
    return int(records), int(events)


def test_a_registered_kind_is_checked_by_its_descriptor():
    check_connection(Connection("toy", "toycrm", url="https://api.toycrm.example"))
    with pytest.raises(ConnectionSettingError, match=r"^url") as caught:
        check_connection(Connection("toy", "toycrm", url="api.toycrm.example"))
    assert "the API URL must start with https:// (e.g. https://api.toycrm.example)" in str(
        caught.value
    )
    with pytest.raises(ConnectionSettingError, match=r"^kind 'nocrm': choose one of .*toycrm"):
        check_connection(Connection("x", "nocrm", url="https://x.example"))
    assert sources.needs_token("toycrm") and "toycrm" in sources.kind_names()
    link = TOY.record_url_of(Connection("toy", "toycrm", url="https://app.toycrm.example/"))
    assert link == "https://app.toycrm.example/records/{external_id}"


def test_a_registered_kind_syncs_through_the_service(database):
    save_connection(database, Connection("toy", "toycrm", url="https://api.toycrm.example"), NOW)
    assert probe_connection(database, "toy", TOKEN).account == "Toy account 42"
    report = sync_source(database, "toy", None, lambda: NOW, token=TOKEN)
    assert report.ok, report.message
    assert counts(database) == (2, 3)
    again = sync_source(database, "toy", None, lambda: NOW, token=TOKEN)
    assert again.ok and counts(database) == (2, 3)


def test_the_cli_offers_and_syncs_a_registered_kind(db_url, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    code = main(["sync", "add", "toy", "--kind", "toycrm", "--url", "https://api.toycrm.example",
                 "--token-stdin", "--db", db_url])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "connection toy saved (token in the system keyring)" in out
    assert (
        "slaapp settings record-url 'toy' 'https://api.toycrm.example/records/{external_id}'" in out
    )
    assert main(["sync", "--source", "toy", "--quiet", "--db", db_url]) == 0
    assert "3 new events" in capsys.readouterr().out


def test_unknown_and_missing_kinds_fail_in_plain_words(monkeypatch):
    with pytest.raises(SourceError, match="unknown source kind 'nocrm'"):
        build_connector(Connection("x", "nocrm"), None)
    monkeypatch.setitem(sources.KINDS, "gone", SourceKind("gone", "GoneCRM", "slaapp.sync.gone"))
    with pytest.raises(SourceError, match="GoneCRM connections are not available in this build"):
        build_connector(Connection("x", "gone"), None)
