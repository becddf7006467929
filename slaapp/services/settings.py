"""Settings shared by every desktop of a database: alert policy and CRM record links."""

from __future__ import annotations

from slaapp.models.alerts_settings import AlertSettings, load_alert_settings, save_alert_settings
from slaapp.models.database import Database
from slaapp.models.settings import RECORD_URL_SETTING, get_setting, put_setting

__all__ = ["AlertSettings", "load_alert_settings", "save_alert_settings", "set_record_url"]


def set_record_url(database: Database, source: str, template: str, now: int) -> dict[str, str]:
    """Store the CRM address template of `source`'s records; returns every source's template."""
    with database.session() as session:
        links = get_setting(session, RECORD_URL_SETTING) or {}
        links[source] = template
        put_setting(session, RECORD_URL_SETTING, links, now)
    return {str(k): str(v) for k, v in links.items()}
