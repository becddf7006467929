"""Every change of shared settings is in the audit log: links, the mail server, the alert policy."""

from __future__ import annotations

from sqlalchemy import select

from slaapp.models.alerts_settings import AlertSettings, save_alert_settings
from slaapp.models.settings import ALERTS, RECORD_URL, SMTP
from slaapp.models.tables import AuditEntry
from slaapp.notify.email import SmtpSettings
from slaapp.services.scorecard_delivery import save_smtp_settings
from slaapp.services.settings import set_record_url

NOW = 1_796_000_000


def test_links_mail_server_and_policy_changes_are_audited(database) -> None:
    set_record_url(database, "hubspot", "https://evil.example/{external_id}", NOW)
    save_smtp_settings(database, SmtpSettings("mail.evil.example", starttls=False), NOW)
    with database.session() as session:
        save_alert_settings(session, AlertSettings(quiet_hours=False), NOW)
        rows = session.scalars(select(AuditEntry).where(AuditEntry.entity == "setting")).all()
    changed = {row.entity_key: row.detail["changes"] for row in rows}
    assert changed[RECORD_URL.key]["hubspot"] == [None, "https://evil.example/{external_id}"]
    assert changed[SMTP.key]["host"] == [None, "mail.evil.example"]
    assert changed[SMTP.key]["starttls"] == [None, False]
    assert changed[ALERTS.key]["quiet_hours"] == [None, False]
