"""Alert policy settings, declared once with their defaults, stored under the `alerts` setting."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from sqlalchemy.orm import Session

from slaapp.engine.errors import BadInputError
from slaapp.models.settings import get_setting, put_setting

KEY = "alerts"
POLICIES = ("ask", "auto", "never")


def _rate_limits() -> dict[str, int]:
    return {"desktop": 60, "email": 30, "slack": 20, "webhook": 60}


@dataclass(frozen=True)
class AlertSettings:
    """How alerts fire and reach people (every field has a default; unknown keys are ignored)."""

    warning_notify: tuple[str, ...] = ("owner",)
    warning_channels: tuple[str, ...] = ("desktop", "email")
    remind_every_minutes: int = 120
    max_reminders: int = 2
    quiet_hours: bool = True
    business_hours_only: bool = True
    critical_bypass: bool = True
    digest_every_minutes: int = 240
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
        """Settings from stored JSON; a wrong value is a ValueError naming the field."""
        result = cls()
        names = {f.name: f for f in fields(cls)}
        for name, value in data.items():
            if name not in names:
                continue
            default = getattr(result, name)
            if isinstance(default, tuple):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise BadInputError(
                        f"alerts setting {name!r}: expected a list of names, got {value!r}"
                    )
                value = tuple(value)
            elif isinstance(default, dict):
                if not isinstance(value, dict):
                    raise BadInputError(
                        f"alerts setting {name!r}: expected an object, got {value!r}"
                    )
                value = {**default, **{str(k): int(v) for k, v in value.items()}}
            elif isinstance(default, bool):
                if not isinstance(value, bool):
                    raise BadInputError(
                        f"alerts setting {name!r}: expected true or false, got {value!r}"
                    )
            elif isinstance(default, int | float) and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise BadInputError(
                    f"alerts setting {name!r}: expected a number >= 0, got {value!r}"
                )
            result = replace(
                result,
                **{name: type(default)(value) if not isinstance(default, dict | tuple) else value},
            )
        if result.reassign_policy not in POLICIES:
            raise BadInputError(
                f"alerts setting 'reassign_policy': {result.reassign_policy!r} is not one of {', '.join(POLICIES)}"
            )
        return result


def load_alert_settings(session: Session) -> AlertSettings:
    stored = get_setting(session, KEY)
    return AlertSettings() if stored is None else AlertSettings.from_dict(stored)


def save_alert_settings(session: Session, settings: AlertSettings, now: int) -> None:
    put_setting(session, KEY, settings.to_dict(), now)
