"""Editable mappings from CRM objects, properties and stages to handoff events, and a preview."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from slaapp.engine.errors import BadInputError
from slaapp.engine.eventlog import EventRow
from slaapp.sync.connector import Pipeline, RefData
from slaapp.sync.times import parse_time

FORMAT = "slaapp.crm-mapping/1"


@dataclass(frozen=True)
class ObjectMapping:
    """How one CRM object type becomes a record and its events.

    `milestones` are (datetime property, event): each filled property makes one event at
    its time; `stages` (stage id -> event) make an event at the time the record entered
    that stage; `attributes` are (property, attribute) copied onto the record's events;
    the owner comes from `owner_property`, the display name from `name_properties`.
    """

    kind: str
    milestones: tuple[tuple[str, str], ...] = ()
    stages: Mapping[str, str] = field(default_factory=dict)
    attributes: tuple[tuple[str, str], ...] = ()
    owner_property: str = "hubspot_owner_id"
    name_properties: tuple[str, ...] = ()
    enabled: bool = True
    states: tuple[tuple[str, str], ...] = ()
    """(event, start event): milestones that are states, not moments. When the record already
    reached `event` (e.g. has an owner: `assigned`) before `start event` (e.g. `mql`), the
    event counts at the start event's instant, so the clock it stops is met at once."""


@dataclass(frozen=True)
class CrmMapping:
    """The mapping of a CRM connection, per object type ("contacts", "deals", "companies").

    `first_contact_event` is the event made from the activities on a record that count as
    contact (empty: activities are not synced); `first_contact_counts` says which count:
    activity type -> {property: accepted values}; an activity counts when each listed
    property holds one of its values ("" accepts an empty value; case does not matter);
    types left out never count. None: the connector's default (HUBSPOT_CONTACT_COUNTS,
    SALESFORCE_CONTACT_COUNTS).
    """

    objects: Mapping[str, ObjectMapping]
    first_contact_event: str = "first_contact"
    first_contact_counts: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None

    def contact_counts(
        self, default: Mapping[str, Mapping[str, tuple[str, ...]]]
    ) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
        """What counts as first contact: this mapping's setting, else the connector's default."""
        return default if self.first_contact_counts is None else self.first_contact_counts

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "first_contact_event": self.first_contact_event,
            "objects": {
                name: {
                    "kind": o.kind,
                    "enabled": o.enabled,
                    "milestones": [list(m) for m in o.milestones],
                    "stages": dict(o.stages),
                    "attributes": [list(a) for a in o.attributes],
                    "owner_property": o.owner_property,
                    "name_properties": list(o.name_properties),
                    "states": [list(st) for st in o.states],
                }
                for name, o in self.objects.items()
            },
        }
        if self.first_contact_counts is not None:
            doc["first_contact_counts"] = {
                kind: {prop: list(values) for prop, values in rule.items()}
                for kind, rule in self.first_contact_counts.items()
            }
        return doc

    @staticmethod
    def from_document(doc: Mapping[str, Any]) -> CrmMapping:
        """Parse a stored mapping; ValueError names the field that is wrong."""
        if doc.get("format") != FORMAT:
            raise BadInputError(f"mapping format {doc.get('format')!r}: expected {FORMAT!r}")
        objects: dict[str, ObjectMapping] = {}
        for name, o in dict(doc.get("objects") or {}).items():
            where = f"mapping objects.{name}"
            try:
                objects[name] = ObjectMapping(
                    kind=str(o["kind"]), enabled=bool(o.get("enabled", True)),
                    milestones=tuple((str(p), str(e)) for p, e in o.get("milestones", [])),
                    stages={str(k): str(v) for k, v in dict(o.get("stages", {})).items()},
                    attributes=tuple((str(p), str(a)) for p, a in o.get("attributes", [])),
                    owner_property=str(o.get("owner_property", "hubspot_owner_id")),
                    name_properties=tuple(str(p) for p in o.get("name_properties", [])),
                    states=tuple((str(e), str(s)) for e, s in o.get("states", [])),
                )  # fmt: skip
            except (KeyError, TypeError, ValueError) as exc:
                raise BadInputError(f"{where}: {exc}") from None
        counts = doc.get("first_contact_counts")
        try:
            parsed = None if counts is None else {
                str(kind): {str(p): tuple(str(v) for v in values) for p, values in dict(rule).items()}
                for kind, rule in dict(counts).items()
            }  # fmt: skip
        except (TypeError, ValueError) as exc:
            raise BadInputError(f"mapping first_contact_counts: {exc}") from None
        return CrmMapping(objects, str(doc.get("first_contact_event", "first_contact")), parsed)

    def properties(self, object_type: str, pipelines: Iterable[Pipeline] = ()) -> list[str]:
        """The CRM properties a fetch of `object_type` must ask for."""
        o = self.objects[object_type]
        wanted = [p for p, _ in o.milestones] + [p for p, _ in o.attributes]
        wanted += [o.owner_property, *o.name_properties]
        wanted += [f"hs_v2_date_entered_{stage}" for stage in o.stages]
        if o.stages:
            wanted += ["dealstage", "pipeline"]
        return list(dict.fromkeys(p for p in wanted if p))


CONTACTS = ObjectMapping(
    kind="lead",
    milestones=(
        ("hs_lifecyclestage_marketingqualifiedlead_date", "mql"),
        ("hubspot_owner_assigneddate", "assigned"),
        ("hs_sa_first_engagement_date", "first_contact"),
    ),
    attributes=(
        ("lifecyclestage", "stage"),
        ("hs_lead_status", "lead_status"),
        ("hs_analytics_source", "source"),
    ),
    name_properties=("firstname", "lastname", "email"),
    states=(("assigned", "mql"),),
)
HUBSPOT_CONTACT_COUNTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "calls": {"hs_call_status": ("COMPLETED",)},
    "emails": {"hs_email_direction": ("EMAIL",), "hs_email_status": ("SENT", "")},
    "meetings": {"hs_meeting_outcome": ("COMPLETED",)},
}
"""Completed calls, sent outbound emails (logged ones have no status) and held meetings."""
DEALS = ObjectMapping(
    kind="deal",
    milestones=(("createdate", "sql"),),
    attributes=(("amount", "amount"), ("closedate", "close_date"), ("dealstage", "stage")),
    name_properties=("dealname",),
)
COMPANIES = ObjectMapping(
    kind="account",
    milestones=(),
    attributes=(("industry", "industry"), ("numberofemployees", "employees")),
    name_properties=("name",),
    enabled=False,
)
STAGE_WORDS = (
    ("closed won", "closed_won"), ("closedwon", "closed_won"), ("won", "closed_won"),
    ("closed lost", "closed_lost"), ("closedlost", "closed_lost"), ("lost", "closed_lost"),
    ("presentation", "demo_held"), ("demo", "demo_held"),
    ("contract", "proposal_sent"), ("proposal", "proposal_sent"), ("quote", "proposal_sent"),
)  # fmt: skip


def stage_event(stage_id: str, label: str, won: bool = False, closed: bool = False) -> str | None:
    """The default event for a pipeline stage, by its metadata or the words in its label."""
    if closed:
        return "closed_won" if won else "closed_lost"
    text = f"{stage_id} {label}".lower()
    return next((event for word, event in STAGE_WORDS if word in text), None)


def default_mapping(ref: RefData | None = None) -> CrmMapping:
    """The default HubSpot mapping to the events of the default matrix; deal stages from `ref`."""
    stages: dict[str, str] = {}
    for pipeline in ref.pipelines if ref else ():
        for stage in pipeline.stages:
            event = stage_event(stage.id, stage.label, stage.won, stage.closed)
            if event:
                stages[stage.id] = event
    if not stages:
        stages = {"presentationscheduled": "demo_held", "contractsent": "proposal_sent",
                  "closedwon": "closed_won", "closedlost": "closed_lost"}  # fmt: skip
    deals = replace(DEALS, stages=stages)
    objects = {"contacts": CONTACTS, "deals": deals, "companies": COMPANIES}
    return CrmMapping(objects, first_contact_counts=HUBSPOT_CONTACT_COUNTS)


@dataclass(frozen=True)
class RawObject:
    """A CRM record as fetched: id, object type, and its properties as strings (or None)."""

    id: str
    object_type: str
    properties: Mapping[str, str | None]


@dataclass(frozen=True)
class MappedRecord:
    """One record's events under a mapping, and what could not be read."""

    external_id: str
    kind: str
    name: str
    events: tuple[EventRow, ...]
    problems: tuple[str, ...] = ()


def map_object(raw: RawObject, mapping: CrmMapping) -> MappedRecord:
    """The events a mapping makes of one CRM record (times are ms-epoch or ISO strings)."""
    o = mapping.objects[raw.object_type]
    props = raw.properties
    owner = props.get(o.owner_property) or None
    attributes = {a: v for p, a in o.attributes if (v := props.get(p))}
    wanted = list(o.milestones) + [(f"hs_v2_date_entered_{s}", e) for s, e in o.stages.items()]
    events: list[EventRow] = []
    problems: list[str] = []
    for prop, event in wanted:
        text = props.get(prop)
        if not text:
            continue
        try:
            at = parse_time(text)
        except ValueError:
            problems.append(f"{raw.object_type} {raw.id}, property {prop}: {text!r} is not a time")
            continue
        events.append(EventRow(raw.id, event, at, owner, attributes))
    name = " ".join(v for p in o.name_properties if (v := props.get(p))).strip() or raw.id
    if o.states:
        events = as_states(events, o.states)
    return MappedRecord(raw.id, o.kind, name, tuple(events), tuple(problems))


def as_states(events: list[EventRow], states: Iterable[tuple[str, str]]) -> list[EventRow]:
    """Move each state event reached before its start event to the start's instant (see states).

    At that instant the start event comes first, so its clock opens and then stops.
    """
    for state, start in states:
        begun = [e.occurred_at for e in events if e.event == start]
        if not begun:
            continue
        first = min(begun)
        if not any(e.event == state and e.occurred_at <= first for e in events):
            continue
        moved = [
            replace(e, occurred_at=first) if e.event == state and e.occurred_at < first else e
            for e in events
        ]
        events = sorted(moved, key=lambda e: (e.occurred_at != first, e.event == state))
    return events


def counts_as_contact(
    properties: Mapping[str, Any], rule: Mapping[str, tuple[str, ...]] | None
) -> bool:
    """Whether an activity counts as contact under a first_contact_counts rule (None: never)."""
    if rule is None:
        return False
    for prop, accepted in rule.items():
        value = properties.get(prop)
        text = "" if value is None else str(value).strip().lower()
        if text not in {a.strip().lower() for a in accepted}:
            return False
    return True


def preview(
    records: Iterable[RawObject], mapping: CrmMapping, limit: int = 50
) -> tuple[MappedRecord, ...]:
    """Apply `mapping` to the first `limit` fetched records: the events it would produce."""
    out: list[MappedRecord] = []
    for raw in records:
        if len(out) >= limit:
            break
        if raw.object_type in mapping.objects:
            out.append(map_object(raw, mapping))
    return tuple(out)
