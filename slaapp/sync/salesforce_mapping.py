"""Salesforce leads, opportunities, their field history and activities as handoff events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from slaapp.engine.eventlog import EventRow
from slaapp.sync.connector import Pipeline, RefData, Stage
from slaapp.sync.mapping import (
    CrmMapping,
    MappedRecord,
    ObjectMapping,
    as_states,
    counts_as_contact,
    stage_event,
)
from slaapp.sync.times import parse_time

OWNER_ASSIGNED = "OwnerAssignedDate"
"""A derived lead property: when the lead first went to a user (from LeadHistory, or creation)."""
REASSIGNED = "owner_changed"
"""Event for later owner changes: it moves the owner without starting or stopping a clock."""
USER, LEAD, OPPORTUNITY = "005", "00Q", "006"

LEADS = ObjectMapping(
    kind="lead",
    milestones=(("CreatedDate", "mql"), (OWNER_ASSIGNED, "assigned")),
    stages={"Unqualified": "disqualified", "Closed - Not Converted": "disqualified"},
    attributes=(("LeadSource", "source"), ("Rating", "tier"), ("Status", "stage")),
    owner_property="OwnerId",
    name_properties=("Name",),
    states=(("assigned", "mql"),),
)
OPPORTUNITIES = ObjectMapping(
    kind="deal",
    milestones=(("CreatedDate", "sql"),),
    stages={
        "Proposal/Price Quote": "proposal_sent",
        "Closed Won": "closed_won",
        "Closed Lost": "closed_lost",
    },
    attributes=(
        ("Amount", "amount"),
        ("LeadSource", "source"),
        ("Type", "type"),
        ("StageName", "stage"),
    ),
    owner_property="OwnerId",
    name_properties=("Name",),
)
STAGE_FIELD = {"leads": "Status", "opportunities": "StageName"}
SALESFORCE_CONTACT_COUNTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "tasks": {"IsClosed": ("true",)},
    "meetings": {},
}
"""Completed Tasks, and Events (meetings) whose EndDateTime has passed (always required)."""


def default_salesforce_mapping(ref: RefData | None = None) -> CrmMapping:
    """Leads and opportunities mapped to the default matrix; stages from OpportunityStage if known."""
    stages: dict[str, str] = {}
    for pipeline in ref.pipelines if ref else ():
        for stage in pipeline.stages:
            event = stage_event(stage.id, stage.label, stage.won, stage.closed)
            if event:
                stages[stage.id] = event
    opportunities = (
        OPPORTUNITIES
        if not stages
        else ObjectMapping(**{**OPPORTUNITIES.__dict__, "stages": stages})
    )
    return CrmMapping(
        {"leads": LEADS, "opportunities": opportunities},
        first_contact_counts=SALESFORCE_CONTACT_COUNTS,
    )


@dataclass(frozen=True)
class Change:
    """One field-history row: which field changed when, from what to what."""

    field: str
    old: str | None
    new: str | None
    at: int


def changes_of(rows: Iterable[Mapping[str, Any]]) -> list[Change]:
    """History rows in time order; owner changes keep only the id row (DataType EntityId)."""
    out = []
    for row in rows:
        name = str(row.get("Field") or "")
        if name == "Owner" and row.get("DataType") not in (None, "EntityId"):
            continue
        old, new = row.get("OldValue"), row.get("NewValue")
        out.append(Change(name, None if old is None else str(old), None if new is None else str(new),
                          parse_time(str(row["CreatedDate"]))))  # fmt: skip
    return sorted(out, key=lambda c: c.at)


def _is_user(value: str | None) -> bool:
    return bool(value) and str(value).startswith(USER)


def record_events(
    stream: str,
    row: Mapping[str, Any],
    history: list[Change],
    mapping: CrmMapping,
    queues: Mapping[str, str] | None = None,
) -> MappedRecord:
    """All events of one lead or opportunity from its fields and its full field history.

    The owner on each event is the record's OwnerId at that instant (a user id, or a queue
    shown by its name from `queues`), never the owner of an activity.
    """
    o = mapping.objects[stream]
    names = queues or {}
    rid, created = str(row["Id"]), parse_time(str(row["CreatedDate"]))
    owners = [c for c in history if c.field == "Owner"]
    first_owner = owners[0].old if owners else row.get(o.owner_property)
    first_owner = str(first_owner) if first_owner else None
    attributes = {a: str(v) for p, a in o.attributes if (v := row.get(p)) not in (None, "")}
    times: dict[str, int] = {"CreatedDate": created}
    for prop, _ in o.milestones:
        if prop not in times and row.get(prop):
            times[prop] = parse_time(str(row[prop]))
    assigned = (
        created if _is_user(first_owner) else next((c.at for c in owners if _is_user(c.new)), None)
    )
    if assigned is not None:
        times[OWNER_ASSIGNED] = assigned

    def owner_at(at: int) -> str | None:
        owner = _owner_at(owners, at, first_owner)
        return names.get(owner, owner) if owner else None

    events: list[EventRow] = []
    for prop, event in o.milestones:
        if prop in times:
            extra = attributes if prop == "CreatedDate" else {}
            events.append(EventRow(rid, event, times[prop], owner_at(times[prop]), extra))
    for stage, at in _stage_entries(stream, row, history, created):
        stage_event_name = o.stages.get(stage)
        if stage_event_name:
            events.append(EventRow(rid, stage_event_name, at, owner_at(at), {"stage": stage}))
    moved = [c for c in owners if c.new and (_is_user(c.old) or c.at > (assigned or c.at))]
    events += [EventRow(rid, REASSIGNED, c.at, owner_at(c.at)) for c in moved]
    name = " ".join(str(v) for p in o.name_properties if (v := row.get(p))).strip() or rid
    return MappedRecord(rid, o.kind, name, tuple(as_states(events, o.states)))


def _owner_at(owners: list[Change], at: int, first: str | None) -> str | None:
    """The owner (user or queue id) at `at`: the newest owner change at or before it."""
    current = first
    for change in owners:
        if change.at <= at and change.new:
            current = change.new
    return current


def _stage_entries(
    stream: str, row: Mapping[str, Any], history: list[Change], created: int
) -> list[tuple[str, int]]:
    """(stage, entered at): the creation stage, then each change in the stage field's history."""
    field_name = STAGE_FIELD[stream]
    changes = [c for c in history if c.field == field_name]
    if changes:
        entries = [(changes[0].old, created)] + [(c.new, c.at) for c in changes]
        return [(str(stage), at) for stage, at in entries if stage]
    current = row.get(field_name)
    if not current:
        return []
    since = row.get("LastStageChangeDate") if stream == "opportunities" else None
    return [(str(current), parse_time(str(since)) if since else created)]


def activity_event(
    row: Mapping[str, Any],
    event: str,
    rule: Mapping[str, tuple[str, ...]] | None,
    now: int,
) -> EventRow | None:
    """A first-contact event for an activity on a lead that counts as contact, else None.

    Tasks count under `rule` (completed ones by default) at CompletedDateTime; Events
    (meetings) only once their EndDateTime has passed, at StartDateTime. The event has no
    owner (the lead's owner stays its owner); the activity's owner is `contacted_by`.
    """
    who = str(row.get("WhoId") or "")
    if not event or not who.startswith(LEAD) or not counts_as_contact(row, rule):
        return None
    if "StartDateTime" in row:  # an Event (meeting)
        when = row.get("StartDateTime") or row.get("ActivityDateTime")
        end = row.get("EndDateTime") or when
        if not when or parse_time(str(end)) > now:
            return None
        channel = "meeting"
    else:
        when = row.get("CompletedDateTime") or row.get("CreatedDate")
        channel = "task"
    if not when:
        return None
    attributes = {"channel": channel}
    if _is_user(row.get("OwnerId")):
        attributes["contacted_by"] = str(row["OwnerId"])
    return EventRow(who, event, parse_time(str(when)), None, attributes)


def pipeline_of(stages: Iterable[Mapping[str, Any]]) -> Pipeline:
    """The opportunity stages (OpportunityStage rows) as one pipeline."""
    ordered = sorted(stages, key=lambda s: int(s.get("SortOrder") or 0))
    return Pipeline("opportunity", "Opportunity stages", tuple(
        Stage(str(s["ApiName"]), str(s.get("MasterLabel") or s["ApiName"]), i, bool(s.get("IsClosed")),
              bool(s.get("IsWon")))
        for i, s in enumerate(ordered)
    ), object_type="opportunities")  # fmt: skip
