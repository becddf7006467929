"""Settings shared by every desktop of a database: alert policy and CRM record links."""

from __future__ import annotations

from slaapp.models.alerts_settings import AlertSettings, load_alert_settings, save_alert_settings
from slaapp.models.database import Database
from slaapp.models.setting_audit import put_audited
from slaapp.models.settings import RECORD_URL, record_links

__all__ = ["AlertSettings", "load_alert_settings", "save_alert_settings", "set_record_url"]


def set_record_url(database: Database, source: str, template: str, now: int) -> dict[str, str]:
    """Store the CRM address template of `source`'s records; returns every source's template."""
    with database.session() as session:
        links = {**record_links(session), source: template}
        put_audited(session, RECORD_URL, links, now)
    return links
