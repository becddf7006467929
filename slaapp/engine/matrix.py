"""The SLA matrix: handoffs (rows) by segments (columns), their rules, calendars and ladders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from slaapp.engine.calendar import Calendar, CalendarSpec
from slaapp.engine.durations import DurationValue
from slaapp.engine.predicates import Predicate

FORMAT = "slaapp.matrix/1"
DEFAULT_SEGMENT = "default"
DEFAULT_AT_RISK = 0.75
ROLES = ("owner", "manager", "team_lead", "vp")
CHANNELS = ("desktop", "email", "slack", "teams", "webhook", "sms")
DEFAULT_CONVERSION = ("closed_won",)


@dataclass(frozen=True)
class Segment:
    """A named predicate over record attributes; the last segment is the catch-all `default`."""

    key: str
    name: str
    when: Predicate


@dataclass(frozen=True)
class EscalationStep:
    """At this fraction of the target, notify these people through these channels.

    `critical` lets its SMS reach people in their quiet hours (other SMS wait for their day).
    """

    at: float
    notify: tuple[str, ...]
    channels: tuple[str, ...]
    reassign: bool = False
    critical: bool = False


@dataclass(frozen=True)
class Rule:
    """One matrix cell: the target for a handoff in a segment, with optional overrides."""

    target: DurationValue
    target_seconds: int
    calendar: str | None = None
    at_risk: float | None = None
    warn_at: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Handoff:
    """A matrix row: which events start, stop, cancel, pause and resume its clocks.

    `stops` holds every event that stops a cycle (a file's `stop` may be one or a list).
    """

    key: str
    name: str
    team: str
    start: str
    stops: tuple[str, ...]
    calendar: str
    rules: Mapping[str, Rule]
    cancel: tuple[str, ...] = ()
    pause: str | None = None
    resume: str | None = None
    quality_required: tuple[str, ...] = ()
    warn_at: tuple[float, ...] = (DEFAULT_AT_RISK,)
    at_risk: float = DEFAULT_AT_RISK
    escalation: tuple[EscalationStep, ...] = ()

    @property
    def stop(self) -> str:
        """The first stop event (the one to write when a stop must be made up)."""
        return self.stops[0]

    @property
    def events(self) -> frozenset[str]:
        """Every event this handoff reacts to: start, stops, cancels, pause and resume."""
        found = {self.start, *self.stops, *self.cancel, self.pause, self.resume}
        return frozenset(e for e in found if e is not None)

    def rule_calendar(self, segment: str) -> str:
        rule = self.rules[segment]
        return rule.calendar or self.calendar

    def rule_at_risk(self, segment: str) -> float:
        rule = self.rules[segment]
        return self.at_risk if rule.at_risk is None else rule.at_risk

    def rule_warn_at(self, segment: str) -> tuple[float, ...]:
        rule = self.rules[segment]
        return self.warn_at if rule.warn_at is None else rule.warn_at


@dataclass(frozen=True)
class Matrix:
    """A whole SLA matrix; `calendar(key)` gives the shared Calendar object for a key.

    `business_timezone` and `conversion` are the file's optional fields as given (None when
    absent); `business_zone` and `conversion_events` are what they mean with the defaults.
    """

    name: str
    calendars: Mapping[str, CalendarSpec]
    segments: tuple[Segment, ...]
    handoffs: tuple[Handoff, ...]
    business_timezone: str | None = None
    conversion: tuple[str, ...] | None = None
    _calendars: dict[str, Calendar] = field(default_factory=dict, compare=False, repr=False)

    def calendar(self, key: str) -> Calendar:
        found = self._calendars.get(key)
        if found is None:
            found = self._calendars[key] = Calendar(self.calendars[key])
        return found

    def handoff(self, key: str) -> Handoff:
        for handoff in self.handoffs:
            if handoff.key == key:
                return handoff
        raise KeyError(key)

    def segment(self, key: str) -> Segment:
        for segment in self.segments:
            if segment.key == key:
                return segment
        raise KeyError(key)

    @property
    def business_zone(self) -> str:
        """The zone periods, charts and sheets use: `business_timezone`, else the zone of the
        first calendar with opening hours, else of the first calendar (UTC without any)."""
        if self.business_timezone:
            return self.business_timezone
        for spec in self.calendars.values():
            if not spec.always:
                return spec.timezone
        for spec in self.calendars.values():
            return spec.timezone
        return "UTC"

    @property
    def display_zone(self) -> str:
        """The zone reports show days and hours in: the business zone."""
        return self.business_zone

    @property
    def conversion_events(self) -> tuple[str, ...]:
        """The events that count a record as converted for revenue insights."""
        return self.conversion or DEFAULT_CONVERSION

    @property
    def segment_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.segments)
