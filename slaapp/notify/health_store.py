"""Channel health from the stored settings: for alert runs, `alerts list` and the screens."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import update
from sqlalchemy.orm import Session

from slaapp.infra.secrets import SecretStore, default_store
from slaapp.models.alerts_settings import AlertSettings, load_alert_settings
from slaapp.models.database import Database
from slaapp.models.evaluation import StoredClocks
from slaapp.models.matrices import load_version
from slaapp.models.settings import CHANNELS, SMTP, get_setting
from slaapp.models.tables import AlertDelivery
from slaapp.notify.channel import Channel
from slaapp.notify.channels import CHANNEL_KINDS, ChannelSettings, make_channels
from slaapp.notify.email import SmtpSettings
from slaapp.notify.health import ChannelHealth, assess, named_channels


def _channel_settings(session: Session) -> ChannelSettings:
    stored = get_setting(session, CHANNELS)
    return ChannelSettings() if stored is None else ChannelSettings.from_dict(stored)


def channel_health(
    session: Session,
    built: Mapping[str, Channel],
    stored: StoredClocks | None,
    settings: AlertSettings,
) -> dict[str, ChannelHealth]:
    """Every channel as this run can use it: the ones it was given, the desktop when on."""
    config = _channel_settings(session)
    matrix = stored.matrices[-1].matrix if stored is not None and stored.matrices else None
    kinds = [(k.name, k.title) for k in CHANNEL_KINDS]
    kinds += [(name, name.title()) for name in built if name not in dict(kinds)]
    enabled = {k.name: k.name == "desktop" and config.enabled("desktop") for k in CHANNEL_KINDS}
    return assess(kinds, enabled, built, named_channels(matrix, settings.warning_channels))


def explain_waiting(session: Session, health: Mapping[str, ChannelHealth]) -> None:
    """Waiting deliveries on a channel that cannot deliver say why."""
    for name, found in health.items():
        if found.ready:
            continue
        session.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.channel == name,
                AlertDelivery.state == "waiting",
                AlertDelivery.last_error.is_(None),
            )
            .values(last_error=f"waiting: {found.reason}")
        )


def load_health(
    database: Database, secrets: SecretStore | None = None
) -> tuple[ChannelHealth, ...]:
    """The channels as the settings and this machine's secrets have them, for the screens
    and `alerts list`: what is off though something names it, what is on but not set up."""
    with database.session() as session:
        config = _channel_settings(session)
        smtp = get_setting(session, SMTP)
        settings = load_alert_settings(session)
        try:
            matrix = load_version(session)[1]
        except LookupError:
            matrix = None
    built = make_channels(
        config, None if smtp is None else SmtpSettings.from_dict(smtp), secrets or default_store()
    )
    enabled = {k.name: config.enabled(k.name) for k in CHANNEL_KINDS}
    kinds = [(k.name, k.title) for k in CHANNEL_KINDS]
    found = assess(kinds, enabled, built, named_channels(matrix, settings.warning_channels))
    return tuple(found.values())


def health_warnings(database: Database, secrets: SecretStore | None = None) -> tuple[str, ...]:
    """One line per channel that cannot deliver though something names it, or is on but
    not set up (empty when every channel in use can deliver)."""
    return tuple(line for line in (h.warning() for h in load_health(database, secrets)) if line)
