"""Alert policy settings: the typed form of the `alerts` setting (models/settings.py declares it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from slaapp.engine.errors import BadInputError
from slaapp.models.setting_audit import put_audited
from slaapp.models.settings import ALERTS, get_setting

POLICIES = ("ask", "auto", "never")


def _rate_limits() -> dict[str, int]:
    return dict(ALERTS.default["rate_limit_per_hour"])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class AlertSettings:
    """How alerts fire and reach people (the defaults are those of the ALERTS declaration)."""

    warning_notify: tuple[str, ...] = ("owner",)
    warning_channels: tuple[str, ...] = ("desktop", "email")
    remind_every_minutes: int = 120
    max_reminders: int = 2
    quiet_hours: bool = True
    business_hours_only: bool = True
    critical_bypass: bool = True
    digest_every_minutes: int = 240
    backfill_horizon_hours: int = 24
    rate_limit_per_hour: dict[str, int] = field(default_factory=_rate_limits)
    retry_base_seconds: int = 60
    retry_max_seconds: int = 3600
    max_attempts: int = 8
    pattern_breaches: int = 5
    pattern_window_hours: int = 168
    team_breach_rate: float = 0.3
    team_min_clocks: int = 10
    reassign_policy: str = "ask"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlertSettings:
        """Settings from stored JSON; a wrong value is a BadInputError naming the field."""
        value = ALERTS.check(data)  # types, defaults for missing members; unknown ones dropped
        for name, number in value.items():
            if _is_number(number) and number < 0:
                raise BadInputError(
                    f"setting {ALERTS.key!r} field {name!r}: expected a number >= 0, got {number!r}"
                )
        limits = value["rate_limit_per_hour"]
        if any(number < 0 for number in limits.values()):
            raise BadInputError(
                f"setting {ALERTS.key!r} field 'rate_limit_per_hour': expected numbers >= 0, "
                f"got {limits!r}"
            )
        if value["reassign_policy"] not in POLICIES:
            raise BadInputError(
                f"setting {ALERTS.key!r} field 'reassign_policy': {value['reassign_policy']!r} "
                f"is not one of {', '.join(POLICIES)}"
            )
        result = cls()
        return replace(
            result, **{name: _typed(getattr(result, name), m) for name, m in value.items()}
        )


def _typed(default: Any, member: Any) -> Any:
    """A checked JSON member as the type of the field's default (lists become tuples)."""
    if isinstance(default, tuple):
        return tuple(member)
    if isinstance(default, dict):
        return {**default, **{str(k): int(v) for k, v in member.items()}}
    return type(default)(member)


def load_alert_settings(session: Session) -> AlertSettings:
    stored = get_setting(session, ALERTS)
    return AlertSettings() if stored is None else AlertSettings.from_dict(stored)


def save_alert_settings(session: Session, settings: AlertSettings, now: int) -> None:
    put_audited(session, ALERTS, settings.to_dict(), now)
