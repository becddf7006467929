"""Shared pieces of the alert tests (no tests here): a small org, a matrix, a recording channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from slaapp.engine.eventlog import EventRow, event_log
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.engine.people import PersonInfo
from slaapp.models.alerts_settings import AlertSettings, save_alert_settings
from slaapp.models.database import Database
from slaapp.models.directory import upsert_people
from slaapp.models.matrices import publish
from slaapp.models.settings import RECORD_URL, put_setting
from slaapp.notify.channel import ChannelError, Notice
from slaapp.services.store import store_log

H = 3600
T0 = int(datetime(2026, 11, 30, 14, 0, tzinfo=UTC).timestamp())  # a Monday, 09:00 in New York
NY = "America/New_York"

DOC = {
    "format": "slaapp.matrix/1",
    "name": "Alerts test",
    "calendars": {
        "ny": {"timezone": NY, "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}},
        "24x7": {"timezone": "UTC", "always": True},
    },
    "segments": [{"key": "default", "name": "Everyone else", "when": {}}],
    "handoffs": [
        {
            "key": "contact", "name": "First contact", "team": "SDR", "start": "assigned",
            "stop": "first_contact", "cancel": ["disqualified"], "calendar": "24x7",
            "warn_at": [0.5, 0.75],
            "escalation": [
                {"at": 1.0, "notify": ["owner", "manager"], "channels": ["desktop", "email"]},
                {"at": 1.5, "notify": ["vp"], "channels": ["slack"], "reassign": True},
            ],
            "rules": {"default": {"target": "2h"}},
        }
    ],
}  # fmt: skip


def person(key: str, team: str, role: str, manager: str | None, hours=(0, 24), **kw) -> PersonInfo:
    return PersonInfo(
        key=key, name=key.title(), email=f"{key}@example.com", team=team, role=role,
        manager=manager, timezone=kw.pop("timezone", "UTC"), hours=hours,
        capacity=kw.pop("capacity", 50), **kw,
    )  # fmt: skip


PEOPLE = (
    person("val", "Leadership", "vp", None),
    person("mia", "SDR", "manager", "val"),
    person("ann", "SDR", "rep", "mia"),
    person("bob", "SDR", "rep", "mia"),
    person("cat", "SDR", "rep", "mia"),
)

QUIET = AlertSettings(quiet_hours=False, business_hours_only=False, reassign_policy="never")


def setup_org(
    database: Database,
    events: Sequence[EventRow],
    settings: AlertSettings = QUIET,
    people: Sequence[PersonInfo] = PEOPLE,
    doc: dict | None = None,
) -> None:
    with database.session() as session:
        upsert_people(session, list(people))
        publish(
            session, matrix_from_document(doc or DOC), author="test", now=T0 - 30 * 86400,
            base_version=None, effective_from=0,
        )  # fmt: skip
        save_alert_settings(session, settings, T0)
        put_setting(session, RECORD_URL, {"crm": "https://crm.example/r/{external_id}"}, T0)
    store_log(database, event_log(events), source="crm", at=max(e.occurred_at for e in events))


def assigned(record: str, at: int, owner: str = "ann", **attributes: str) -> EventRow:
    return EventRow(record, "assigned", at, owner, attributes)


@dataclass
class RecordingChannel:
    """A channel that records what it sends; `failures` are raised first, one per send."""

    name: str
    failures: list[ChannelError] = field(default_factory=list)
    sent: list[Notice] = field(default_factory=list)

    def send(self, notice: Notice) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(notice)


def channels(*names: str) -> dict[str, RecordingChannel]:
    return {n: RecordingChannel(n) for n in names}


def settings_with(**changes) -> AlertSettings:
    return replace(QUIET, **changes)
