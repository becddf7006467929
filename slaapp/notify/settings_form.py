"""Settings as one unit of work: load, validate and save channels, mail, alert policy, record links (no Qt)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from slaapp.engine.errors import UserError
from slaapp.models.alerts_settings import KEY as ALERTS_KEY
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.database import Database
from slaapp.models.settings import RECORD_URL_SETTING, get_setting, put_setting
from slaapp.models.tables import Record, Setting
from slaapp.notify.channels import SETTINGS_KEY as CHANNELS_KEY
from slaapp.notify.channels import SMTP_KEY, ChannelSettings
from slaapp.notify.email import PASSWORD_SECRET, SmtpSettings, check_addresses
from slaapp.notify.secrets import SecretStore, SecretsUnavailableError
from slaapp.notify.slack import URL_SECRET as SLACK_SECRET
from slaapp.notify.webhook import TOKEN_SECRET, URL_SECRET

SECRET_NAMES = (PASSWORD_SECRET, SLACK_SECRET, URL_SECRET, TOKEN_SECRET)
SECRET_FIELDS = {
    PASSWORD_SECRET: "smtp.password",
    SLACK_SECRET: "slack.url",
    URL_SECRET: "webhook.url",
    TOKEN_SECRET: "webhook.token",
}
"""The form field that edits each secret (validation messages are keyed by field)."""
STORED, ENVIRONMENT, MISSING, UNAVAILABLE = "stored", "environment", "missing", "unavailable"
_HOST = re.compile(r"^[A-Za-z0-9._-]+$|^\[[0-9A-Fa-f:.]+\]$")
_SOURCE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def env_name(name: str) -> str:
    """The environment variable that supplies a secret on headless machines."""
    return "SLAAPP_SECRET_" + "".join(c if c.isalnum() else "_" for c in name).upper()


@dataclass(frozen=True)
class SettingsForm:
    """Everything the Settings screen edits; `secrets` are newly typed values (never stored in the database)."""

    smtp: SmtpSettings
    channels: ChannelSettings
    alerts: AlertSettings
    record_urls: tuple[tuple[str, str], ...] = ()
    """(source, template); an empty template removes the source's link."""
    secrets: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def typed(self, name: str) -> str:
        return dict(self.secrets).get(name, "")


@dataclass(frozen=True)
class LoadedSettings:
    form: SettingsForm
    secrets: tuple[tuple[str, str], ...]
    """Secret name -> STORED, ENVIRONMENT, MISSING or UNAVAILABLE (never the value)."""
    sources: tuple[str, ...]
    problem: str = ""
    """Why some stored settings could not be read (defaults are shown instead)."""
    session_only: tuple[str, ...] = ()
    """Secrets the last save could keep only until the app quits (no working keyring)."""

    def status(self, name: str) -> str:
        return dict(self.secrets).get(name, MISSING)


def secret_status(secrets: SecretStore, name: str) -> str:
    try:
        value = secrets.get(name)
    except SecretsUnavailableError:
        return UNAVAILABLE
    if not value:
        return MISSING
    return ENVIRONMENT if os.environ.get(env_name(name)) else STORED


def load_settings(database: Database, secrets: SecretStore) -> LoadedSettings:
    """Read every setting in one session, and which secrets exist (keyring reads off the GUI thread)."""
    problems: list[str] = []
    with database.session() as session:
        stored_channels = get_setting(session, CHANNELS_KEY)
        stored_smtp = get_setting(session, SMTP_KEY)
        stored_alerts = get_setting(session, ALERTS_KEY)
        links = get_setting(session, RECORD_URL_SETTING) or {}
        sources = set(session.scalars(select(Record.source).distinct()))
    try:
        alerts = (
            AlertSettings() if stored_alerts is None else AlertSettings.from_dict(stored_alerts)
        )
    except ValueError as exc:
        alerts = AlertSettings()
        problems.append(f"{exc}; the defaults are shown, and Save replaces the stored values")
    channels = ChannelSettings.from_dict(stored_channels or {})
    smtp = SmtpSettings.from_dict(stored_smtp) if stored_smtp else SmtpSettings("")
    urls = {str(k): str(v) for k, v in links.items()}
    names = sorted(sources | set(urls))
    form = SettingsForm(smtp, channels, alerts, tuple((n, urls.get(n, "")) for n in names))
    statuses = tuple((name, secret_status(secrets, name)) for name in SECRET_NAMES)
    return LoadedSettings(form, statuses, tuple(sorted(sources)), "; ".join(problems))


def url_problem(url: str, what: str) -> str:
    """Why `url` is not an http(s) address, or ''."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{what} must be a full http(s) address, e.g. https://…"
    if any(c.isspace() for c in url.strip()):
        return f"{what} must not contain spaces"
    return ""


def template_problem(template: str) -> str:
    """Why a record-link template is unusable, or ''."""
    problem = url_problem(template, "The link")
    if problem:
        return problem
    if "{external_id}" not in template:
        return "The link must contain {external_id} where the record's CRM id goes"
    try:
        template.format(external_id="x")
    except (KeyError, IndexError, ValueError):
        return "Only {external_id} may appear in braces"
    return ""


def _smtp_errors(smtp: SmtpSettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not smtp.host:
        if smtp.username or smtp.sender or smtp.ca_file:
            errors["smtp.host"] = "Enter the mail server's host name, e.g. smtp.office365.com"
        return errors
    if "://" in smtp.host or not _HOST.match(smtp.host):
        errors["smtp.host"] = (
            "Enter a host name only (no smtp:// and no spaces), e.g. smtp.acme.com"
        )
    if not 0 < smtp.port < 65536:
        errors["smtp.port"] = "The port must be between 1 and 65535 (usually 587)"
    sender = smtp.sender or smtp.username
    if not sender:
        errors["smtp.sender"] = "Enter the From address, e.g. sla-alerts@acme.com"
    else:
        try:
            check_addresses([parseaddr(sender)[1] or sender])
        except ValueError:
            key = "smtp.sender" if smtp.sender else "smtp.user"
            errors[key] = f"“{sender}” is not an email address (the From address needs one)"
    if smtp.ca_file and not Path(smtp.ca_file).expanduser().is_file():
        errors["smtp.ca_file"] = f"No file at {smtp.ca_file}"
    return errors


def channel_errors(
    channels: ChannelSettings, typed: dict[str, str], statuses: dict[str, str]
) -> dict[str, str]:
    """Problems of the channel switches and newly typed secrets (URLs, token), by field key."""
    errors: dict[str, str] = {}
    for channel, name, what in (("slack", SLACK_SECRET, "The Slack webhook URL"),
                                ("webhook", URL_SECRET, "The webhook URL")):  # fmt: skip
        value = typed.get(name, "")
        if value:
            problem = url_problem(value, what)
            if problem:
                errors[SECRET_FIELDS[name]] = problem
        elif channels.enabled(channel) and statuses.get(name, MISSING) == MISSING:
            errors[SECRET_FIELDS[name]] = f"{what} is needed to turn this channel on"
    token = typed.get(TOKEN_SECRET, "")
    if token and any(c.isspace() for c in token):
        errors["webhook.token"] = "The token must not contain spaces or line breaks"
    if not channels.webhook_title.strip():
        errors["webhook.title"] = "Give the webhook a name for messages, e.g. the SMS gateway"
    return errors


def _link_errors(form: SettingsForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for source, template in form.record_urls:
        key = f"record_url.{source}"
        if not _SOURCE.match(source):
            errors[key] = "A source name is letters, digits, dots, dashes or underscores"
        elif source in seen:
            errors[key] = f"The source {source} is listed twice"
        elif template:
            problem = template_problem(template)
            if problem:
                errors[key] = problem
        seen.add(source)
    return errors


def validate(form: SettingsForm, statuses: dict[str, str]) -> dict[str, str]:
    """Field key -> what is wrong, in plain words; empty when the form can be saved."""
    errors = {
        **_smtp_errors(form.smtp),
        **channel_errors(form.channels, dict(form.secrets), statuses),
        **_link_errors(form),
    }
    try:
        AlertSettings.from_dict(form.alerts.to_dict())
    except ValueError as exc:
        errors["alerts"] = str(exc)
    return errors


class InvalidSettingsError(UserError, ValueError):
    """The form has errors; `errors` maps each field key to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def save_settings(
    database: Database, secrets: SecretStore, form: SettingsForm, now: int
) -> LoadedSettings:
    """Validate, then store every setting in one transaction and the typed secrets in the keyring.

    Nothing is stored when a field is wrong (InvalidSettingsError). Returns the settings as
    reloaded, with the secrets that could be kept only for this session.
    """
    statuses = {name: secret_status(secrets, name) for name in SECRET_NAMES}
    statuses.update({name: STORED for name, value in form.secrets if value})
    errors = validate(form, statuses)
    if errors:
        raise InvalidSettingsError(errors)
    with database.session() as session:
        put_setting(session, CHANNELS_KEY, form.channels.to_dict(), now)
        put_setting(session, ALERTS_KEY, form.alerts.to_dict(), now)
        if form.smtp.host:
            put_setting(session, SMTP_KEY, form.smtp.to_dict(), now)
        elif (row := session.get(Setting, SMTP_KEY)) is not None:
            session.delete(row)
        links = {source: template for source, template in form.record_urls if template}
        put_setting(session, RECORD_URL_SETTING, links, now)
    session_only = tuple(
        name for name, value in form.secrets if value and not secrets.set(name, value.strip())
    )
    loaded = load_settings(database, secrets)
    return LoadedSettings(loaded.form, loaded.secrets, loaded.sources, loaded.problem, session_only)
