"""Every setting shared by the desktops of a database, declared once: key, JSON shape, default, title, upgrades.

A setting is one JSON object in the `settings` table; the row's `version` is the shape it
was saved in. Reading upgrades an older shape step by step (`upgrades[n]` turns shape n
into n + 1), fills missing members with their defaults, drops members no longer declared
and checks the types of the rest; writing checks them too. A member of the wrong type is a
BadInputError naming the key and the field. Code never spells a key: it passes the
declaration (`SMTP`, `ALERTS`, ...) to `get_setting`, `setting_or_default`, `put_setting`
and `clear_setting`. The typed objects made from these values (SmtpSettings,
ChannelSettings, AlertSettings, WeeklySchedule, Connection) live with the code that uses
them and convert to and from this JSON.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from slaapp.engine.errors import BadInputError
from slaapp.models.tables import Setting

Json = dict[str, Any]
Upgrade = Callable[[Json], Json]


@dataclass(frozen=True)
class Kind:
    """A JSON type in words (for messages) and the test a value must pass."""

    words: str
    test: Callable[[Any], bool]

    def or_null(self) -> Kind:
        return Kind(f"{self.words} or null", lambda v: v is None or self.test(v))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _list_of(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, list) and all(test(item) for item in value)


def _object_of(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: (
        isinstance(value, dict) and all(isinstance(k, str) and test(v) for k, v in value.items())
    )


BOOL = Kind("true or false", lambda v: isinstance(v, bool))
NUMBER = Kind("a number", _is_number)
WHOLE = Kind("a whole number", _is_whole)
TEXT = Kind("text", lambda v: isinstance(v, str))
TEXTS = Kind("a list of texts", _list_of(lambda v: isinstance(v, str)))
OBJECT = Kind("an object", lambda v: isinstance(v, dict))
OBJECTS = Kind("a list of objects", _list_of(lambda v: isinstance(v, dict)))
NUMBERS_BY_NAME = Kind("an object of numbers", _object_of(_is_number))
ANY = Kind("any JSON value", lambda v: True)


@dataclass(frozen=True)
class Field:
    """A member of a setting's JSON object: name, type and default."""

    name: str
    kind: Kind
    default: Any = None


@dataclass(frozen=True)
class Option:
    """One setting: key, title, the JSON object it must be, its default and its upgrade steps.

    `fields` are the declared members; `others` is the type every other member must have
    (maps such as source -> template), None to drop other members. `version` is the
    current shape; `upgrades[n]` turns a value of shape n into shape n + 1. A key ending in
    ":" declares a family with one row per name (a person's draft): use `named(name)`.
    """

    key: str
    title: str
    fields: tuple[Field, ...] = ()
    others: Kind | None = None
    version: int = 1
    upgrades: Mapping[int, Upgrade] = field(default_factory=dict)

    def __post_init__(self) -> None:
        gaps = [n for n in range(1, self.version) if n not in self.upgrades]
        if gaps:
            raise TypeError(f"setting {self.key!r} has no upgrade from shape {gaps[0]}")

    @property
    def default(self) -> Json:
        """A fresh copy of the value used when nothing is stored."""
        return {f.name: copy.deepcopy(f.default) for f in self.fields}

    def named(self, name: str) -> Option:
        """The member `name` of a family (`MATRIX_DRAFT.named("ana")`)."""
        if not self.key.endswith(":"):
            raise TypeError(f"setting {self.key!r} is not a family of settings")
        return replace(self, key=self.key + name)

    def check(self, value: Any) -> Json:
        """`value` with missing members defaulted and undeclared ones dropped; BadInputError when wrong."""
        if not isinstance(value, dict):
            raise BadInputError(f"setting {self.key!r}: expected an object, got {_shown(value)}")
        declared = {f.name: f.kind for f in self.fields}
        result = self.default
        for name, member in value.items():
            kind = declared.get(name, self.others)
            if kind is None:
                continue
            if not kind.test(member):
                raise BadInputError(
                    f"setting {self.key!r} field {name!r}: expected {kind.words}, got {_shown(member)}"
                )
            result[name] = copy.deepcopy(member)
        return result

    def upgrade(self, value: Any, version: int) -> Json:
        """A stored value of shape `version` in the current shape, checked."""
        if version > self.version:
            raise BadInputError(
                f"setting {self.key!r} was saved by a newer slaapp (shape {version}, this one "
                f"reads up to {self.version}): update slaapp on this computer"
            )
        for step in range(version, self.version):
            value = self.upgrades[step](value)
        return self.check(value)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


SMTP = Option("smtp", "The mail server of alert emails and scorecards (its password is a secret)", (
    Field("host", TEXT, ""),
    Field("port", WHOLE, 587),
    Field("username", TEXT, ""),
    Field("sender", TEXT, ""),
    Field("starttls", BOOL, True),
    Field("ca_file", TEXT, ""),
    Field("timeout", NUMBER, 20.0),
))  # fmt: skip
CHANNELS = Option(
    "notify.channels",
    "Which channels deliver alerts, and their options: one member per switch and option "
    "of each channel kind (slaapp.notify.channels.CHANNEL_KINDS), plus the timeout",
    (Field("timeout", NUMBER, 10.0),),
    others=ANY,  # the channel kinds check their own members; retired ones are ignored
)
ALERTS = Option("alerts", "Alert policy: who and where warnings go, delivery hours, digest, "
                "reminders, rate limits, retries, patterns and reassignment", (
    Field("warning_notify", TEXTS, ["owner"]),
    Field("warning_channels", TEXTS, ["desktop", "email"]),
    Field("remind_every_minutes", NUMBER, 120),
    Field("max_reminders", NUMBER, 2),
    Field("quiet_hours", BOOL, True),
    Field("business_hours_only", BOOL, True),
    Field("critical_bypass", BOOL, True),
    Field("digest_every_minutes", NUMBER, 240),
    Field("backfill_horizon_hours", NUMBER, 24),
    Field("rate_limit_per_hour", NUMBERS_BY_NAME, {"desktop": 60, "email": 30, "slack": 20, "webhook": 60}),
    Field("retry_base_seconds", NUMBER, 60),
    Field("retry_max_seconds", NUMBER, 3600),
    Field("max_attempts", NUMBER, 8),
    Field("pattern_breaches", NUMBER, 5),
    Field("pattern_window_hours", NUMBER, 168),
    Field("team_breach_rate", NUMBER, 0.3),
    Field("team_min_clocks", NUMBER, 10),
    Field("reassign_policy", TEXT, "ask"),
))  # fmt: skip
ROUND_ROBIN = Option(
    "alerts.round_robin", "Reassignment: the rep picked last in each team (team -> person)",
    others=TEXT,
)  # fmt: skip
SCORECARD_SCHEDULE = Option("scorecard.schedule", "The weekly scorecard: when, to whom, where", (
    Field("weekday", WHOLE, 0),
    Field("at", TEXT, "08:00"),
    Field("timezone", TEXT, "America/New_York"),
    Field("recipients", TEXTS, []),
    Field("team", TEXT.or_null(), None),
    Field("folder", TEXT, ""),
    Field("enabled", BOOL, True),
    Field("last_sent", WHOLE.or_null(), None),
    Field("starts_at", WHOLE.or_null(), None),
))  # fmt: skip
ADHERENCE_GOAL = Option(
    "dashboard.adherence_goal", "The dashboard's adherence goal (a share, 0.9 = 90 %)",
    (Field("goal", NUMBER, 0.9),),
)  # fmt: skip
RECORD_URL = Option(
    "crm.record_url",
    "The CRM address of a record, per source (`{external_id}` marks the record)",
    others=TEXT,
)
CONNECTIONS = Option(
    "sync.connections", "Saved CRM connections and export folders (never their tokens)",
    (Field("connections", OBJECTS, []),),
)  # fmt: skip
MATRIX_DRAFT = Option(
    "matrix_draft:", "A person's unpublished matrix draft and the version it started from",
    (Field("document", OBJECT.or_null(), None), Field("base", WHOLE.or_null(), None)),
)  # fmt: skip
DISPLAY_ZONE = Option(
    "display.timezone",
    "The time zone every screen shows times in (empty: the matrix's business time zone)",
    (Field("zone", TEXT, ""),),
)
OPTIONS = (
    SMTP, CHANNELS, ALERTS, ROUND_ROBIN, SCORECARD_SCHEDULE, ADHERENCE_GOAL, RECORD_URL,
    CONNECTIONS, MATRIX_DRAFT, DISPLAY_ZONE,
)  # fmt: skip
"""Every setting slaapp keeps (a test checks that no other module spells one of their keys)."""


def option_of(key: str) -> Option:
    """The declaration of a stored key (a family member resolves to its family)."""
    for option in OPTIONS:
        if key == option.key or (option.key.endswith(":") and key.startswith(option.key)):
            return option if key == option.key else option.named(key[len(option.key) :])
    raise KeyError(f"no setting is declared with the key {key!r}")


def _row_key(option: Option) -> str:
    if option.key.endswith(":"):
        raise TypeError(f"setting {option.key!r} is a family: read or write one `.named(name)`")
    return option.key


def get_setting(session: Session, option: Option) -> Json | None:
    """The stored value in the current shape, or None when it was never saved."""
    row = session.get(Setting, _row_key(option))
    return None if row is None else option.upgrade(row.value, row.version)


def setting_or_default(session: Session, option: Option) -> Json:
    """The stored value in the current shape, or the declared default."""
    stored = get_setting(session, option)
    return option.default if stored is None else stored


def put_setting(session: Session, option: Option, value: Json, now: int) -> None:
    """Store `value` (checked, in the current shape); BadInputError names a wrong field."""
    checked = option.check(value)
    row = session.get(Setting, _row_key(option))
    if row is None:
        session.add(Setting(key=option.key, value=checked, version=option.version, updated_at=now))
    else:
        row.value, row.version, row.updated_at = checked, option.version, now


def clear_setting(session: Session, option: Option) -> None:
    """Forget a stored value (reading it again gives None, or the default)."""
    row = session.get(Setting, _row_key(option))
    if row is not None:
        session.delete(row)


def record_links(session: Session) -> dict[str, str]:
    """The CRM address template of each record source (`{external_id}` marks the record)."""
    return {str(k): str(v) for k, v in setting_or_default(session, RECORD_URL).items()}


def record_link(links: dict[str, str], source: str, external_id: str) -> str | None:
    """A record's CRM address, when its source has a template (the id URL-encoded)."""
    template = links.get(source)
    return template.format(external_id=quote(external_id, safe="")) if template else None
