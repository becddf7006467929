"""Delivering scorecards: mail a workbook, run the weekly schedule (shared by the CLI and the app)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from slaapp.engine.errors import UserError
from slaapp.infra.secrets import SecretError, SecretStore, default_store
from slaapp.models.database import Database
from slaapp.models.setting_audit import put_audited
from slaapp.models.settings import SCORECARD_SCHEDULE, SMTP, get_setting, put_setting
from slaapp.notify.email import (
    PASSWORD_SECRET,
    EmailError,
    SmtpSettings,
    check_addresses,
    message,
    send,
)
from slaapp.reports.export import ExportResult, day_bounds, export_scorecard, period_zone
from slaapp.reports.schedule import WeeklySchedule, covered_week, is_due


class DeliveryError(UserError):
    """A workbook could not be delivered; the message says why and what to do."""


def smtp_settings(database: Database) -> SmtpSettings | None:
    with database.session() as session:
        stored = get_setting(session, SMTP)
    return None if stored is None else SmtpSettings.from_dict(stored)


def save_smtp_settings(database: Database, settings: SmtpSettings, now: int) -> None:
    with database.session() as session:
        put_audited(session, SMTP, settings.to_dict(), now)


def mail_workbook(
    database: Database,
    path: Path,
    recipients: list[str],
    subject: str,
    body: str,
    secrets: SecretStore | None = None,
) -> None:
    """Send a written workbook through the stored SMTP settings; DeliveryError when it cannot."""
    config = smtp_settings(database)
    if config is None:
        raise DeliveryError(
            "no SMTP settings yet: run `slaapp settings smtp --host ... --sender ...` first"
        )
    try:
        recipients = check_addresses(recipients)
        store = secrets or default_store()
        password = store.get(PASSWORD_SECRET, config.endpoint) if config.username else None
        send(config, password, message(config, recipients, subject, body, [path]))
    except (ValueError, EmailError, SecretError) as exc:
        raise DeliveryError(str(exc)) from None


def load_schedule(database: Database) -> WeeklySchedule | None:
    with database.session() as session:
        stored = get_setting(session, SCORECARD_SCHEDULE)
    return None if stored is None else WeeklySchedule.from_dict(stored)


def save_schedule(database: Database, schedule: WeeklySchedule, now: int) -> None:
    with database.session() as session:
        put_setting(session, SCORECARD_SCHEDULE, schedule.to_dict(), now)


@dataclass(frozen=True, eq=False)
class ScheduledRun:
    """A scheduled scorecard that was written and mailed."""

    export: ExportResult
    recipients: tuple[str, ...]


def run_schedule_if_due(
    database: Database, now: int, secrets: SecretStore | None = None
) -> ScheduledRun | None:
    """Write and mail last week's scorecard when the weekly schedule is due; None when not due.

    The run is recorded as sent only after the mail went out, so a failure is retried at
    the next check and never silently dropped.
    """
    schedule = load_schedule(database)
    if schedule is None or not is_due(schedule, now):
        return None
    first, last = covered_week(schedule, now)
    zone = period_zone(database)
    start, end = day_bounds(first, last, zone)
    folder = Path(schedule.folder) if schedule.folder else Path.home()
    path = folder / f"slaapp-scorecard-{first.isoformat()}.xlsx"
    result = export_scorecard(
        database, path, start=start, end=end, now=now, team=schedule.team, zone=zone
    )
    mail_workbook(
        database, result.path, list(schedule.recipients), f"SLA scorecard, week of {first:%d %b %Y}: {result.data.scope}",
        result.summary(), secrets,
    )  # fmt: skip
    save_schedule(database, replace(schedule, last_sent=now), now)
    return ScheduledRun(result, schedule.recipients)
