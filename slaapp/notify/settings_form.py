"""Settings as one unit of work: load, validate and save channels, mail, alert policy, record links (no Qt)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.engine.errors import UserError
from slaapp.infra.secrets import MISSING, STORED, SecretStore
from slaapp.models.alerts_settings import AlertSettings
from slaapp.models.database import Database
from slaapp.models.setting_audit import put_audited
from slaapp.models.settings import (
    ALERTS,
    CHANNELS,
    RECORD_URL,
    SMTP,
    Json,
    Option,
    clear_setting,
    get_setting,
)
from slaapp.models.tables import Record
from slaapp.notify.channel_kind import TOKEN, URL, SecretField
from slaapp.notify.channels import CHANNEL_KINDS, ChannelSettings, secret_fields
from slaapp.notify.email import PASSWORD_SECRET, SmtpSettings, check_addresses
from slaapp.notify.health_store import health_warnings

SECRET_NAMES = tuple(secret.name for secret in secret_fields())
"""Every channel secret, by keyring name (the form reports where each is, never its value)."""
_HOST = re.compile(r"^[A-Za-z0-9._-]+$|^\[[0-9A-Fa-f:.]+\]$")
_SOURCE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
T = TypeVar("T")


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
    health: tuple[str, ...] = ()
    """Channels that cannot deliver though the matrix or the policy names them, in words."""

    def status(self, name: str) -> str:
        return dict(self.secrets).get(name, MISSING)


def _read(session: Session, option: Option, problems: list[str]) -> Json | None:
    """A stored setting, or None (with the reason in `problems`) when it cannot be read."""
    try:
        return get_setting(session, option)
    except ValueError as exc:
        problems.append(f"{exc}; the defaults are shown, and Save replaces the stored values")
        return None


def _typed(make: Callable[[Json], T], value: Json | None, default: T, problems: list[str]) -> T:
    """The typed form of a stored setting, or `default` (with the reason in `problems`)."""
    try:
        return default if value is None else make(value)
    except ValueError as exc:
        problems.append(f"{exc}; the defaults are shown, and Save replaces the stored values")
        return default


def secret_endpoint(name: str, smtp: SmtpSettings) -> str | None:
    """The server a channel secret is sent to, as the shared settings name it (the SMTP
    password's); None for secrets that are themselves the address (webhook URLs)."""
    return smtp.endpoint if name == PASSWORD_SECRET else None


def load_settings(database: Database, secrets: SecretStore) -> LoadedSettings:
    """Read every setting in one session, and which secrets exist (keyring reads off the GUI thread)."""
    problems: list[str] = []
    with database.session() as session:
        stored_channels = _read(session, CHANNELS, problems)
        stored_smtp = _read(session, SMTP, problems)
        stored_alerts = _read(session, ALERTS, problems)
        links = _read(session, RECORD_URL, problems) or {}
        sources = set(session.scalars(select(Record.source).distinct()))
    alerts = _typed(AlertSettings.from_dict, stored_alerts, AlertSettings(), problems)
    channels = _typed(ChannelSettings.from_dict, stored_channels, ChannelSettings(), problems)
    smtp = _typed(SmtpSettings.from_dict, stored_smtp, SmtpSettings(""), problems)
    urls = {str(k): str(v) for k, v in links.items()}
    names = sorted(sources | set(urls))
    form = SettingsForm(smtp, channels, alerts, tuple((n, urls.get(n, "")) for n in names))
    statuses = tuple(
        (name, secrets.status(name, secret_endpoint(name, smtp))) for name in SECRET_NAMES
    )
    health = health_warnings(database, secrets) if not problems else ()
    return LoadedSettings(
        form, statuses, tuple(sorted(sources)), "; ".join(problems), health=health
    )


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


def value_problem(secret: SecretField, value: str) -> str:
    """Why a newly typed secret is unusable, or ''."""
    if secret.holds == URL:
        return url_problem(value, secret.what)
    if secret.holds == TOKEN and any(c.isspace() for c in value):
        return f"{secret.what} must not contain spaces or line breaks"
    return ""


def channel_errors(
    channels: ChannelSettings, typed: dict[str, str], statuses: dict[str, str]
) -> dict[str, str]:
    """Problems of the channel switches, options and newly typed secrets, by field key."""
    errors: dict[str, str] = {}
    for kind in CHANNEL_KINDS:
        for secret in kind.secrets:
            value = typed.get(secret.name, "")
            problem = value_problem(secret, value) if value else ""
            if problem:
                errors[secret.field] = problem
            elif (
                not value and secret.needed and channels.enabled(kind.name)
                and statuses.get(secret.name, MISSING) == MISSING
            ):  # fmt: skip
                errors[secret.field] = f"{secret.what} is needed to turn this channel on"
        for option in kind.options:
            if option.blank and not channels.option(option.name).strip():
                errors[option.field] = option.blank
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
    statuses = {
        name: secrets.status(name, secret_endpoint(name, form.smtp)) for name in SECRET_NAMES
    }
    statuses.update({name: STORED for name, value in form.secrets if value})
    errors = validate(form, statuses)
    if errors:
        raise InvalidSettingsError(errors)
    with database.session() as session:
        channels = form.channels
        if form.smtp.host and get_setting(session, SMTP) is None:
            channels = channels.changed(email=True)  # email is off until a mail server is set
        put_audited(session, CHANNELS, channels.to_dict(), now)
        put_audited(session, ALERTS, form.alerts.to_dict(), now)
        if form.smtp.host:
            put_audited(session, SMTP, form.smtp.to_dict(), now)
        else:
            clear_setting(session, SMTP)
        links = {source: template for source, template in form.record_urls if template}
        put_audited(session, RECORD_URL, links, now)
    session_only = tuple(
        name
        for name, value in form.secrets
        if value and not secrets.set(name, value.strip(), secret_endpoint(name, form.smtp))
    )
    loaded = load_settings(database, secrets)
    return LoadedSettings(
        loaded.form, loaded.secrets, loaded.sources, loaded.problem, session_only, loaded.health
    )
