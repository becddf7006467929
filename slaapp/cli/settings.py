"""`slaapp settings smtp|record-url|channels|alerts`: settings shared by every desktop, headless."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from slaapp.cli.common import CommandError, SubParsers, current_time, emit, with_database
from slaapp.infra.secrets import (
    ENVIRONMENT,
    MISSING,
    STORED,
    UNAVAILABLE,
    SecretStore,
    env_var,
)
from slaapp.notify.channels import (
    CHANNEL_KINDS,
    ChannelSettings,
    channel_names,
    load_channel_settings,
    save_channel_settings,
    secret_fields,
)
from slaapp.notify.email import PASSWORD_SECRET, SmtpSettings
from slaapp.notify.settings_form import SECRET_NAMES, channel_errors
from slaapp.services.database import Database
from slaapp.services.scorecard_delivery import save_smtp_settings, smtp_settings
from slaapp.services.settings import (
    AlertSettings,
    load_alert_settings,
    save_alert_settings,
    set_record_url,
)

ON_OFF = ("on", "off")
CHANNELS = channel_names()
STDIN_SECRETS = tuple(secret for secret in secret_fields() if secret.stdin_option)
"""Secrets `settings channels` reads from standard input, one line each, in this order."""
TEXT_OPTIONS = tuple(
    option for kind in CHANNEL_KINDS for option in kind.options if option.cli_option
)
OPTION_OF_FIELD = {
    **{secret.field: secret.stdin_option for secret in STDIN_SECRETS},
    **{option.field: option.cli_option for option in TEXT_OPTIONS},
}
WHERE = {STORED: "in the keyring", ENVIRONMENT: "from the environment", MISSING: "not set",
         UNAVAILABLE: "unreadable (no keyring)"}  # fmt: skip
POLICY = {"ask": "ask", "automatic": "auto", "auto": "auto", "never": "never"}
POLICY_TEXT = {"ask": "ask a manager first", "auto": "automatic", "never": "never"}
# (option, field, lowest value, what the number means)
NUMBERS = (
    ("remind_every_minutes", "remind_every_minutes", 0, "minutes between reminders (0: never)"),
    ("max_reminders", "max_reminders", 0, "reminders per alert (0: no limit)"),
    ("pattern_breaches", "pattern_breaches", 0, "breaches by one person that make a pattern (0: off)"),
    ("pattern_window_hours", "pattern_window_hours", 1, "hours back that patterns look"),
    ("team_min_clocks", "team_min_clocks", 1, "clocks a team needs before its breach rate counts"),
    ("retry_base_seconds", "retry_base_seconds", 1, "seconds before the first delivery retry"),
    ("retry_max_seconds", "retry_max_seconds", 1, "longest wait between delivery retries, seconds"),
    ("max_attempts", "max_attempts", 1, "delivery attempts before giving up"),
    ("backfill_horizon_hours", "backfill_horizon_hours", 1, "steps revealed this many hours after they happened are history, never sent"),
)  # fmt: skip
SWITCHES = (
    ("quiet_hours", "hold alerts outside each person's working hours"),
    ("business_hours_only", "deliver only while the rule's business calendar is open"),
    ("critical_bypass", "escalations go out at once, day or night"),
)


def _flag(option: str) -> str:
    return "--" + option.replace("_", "-")


def _dest(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add the `settings` subcommands (`common` holds --db, --format, --tz)."""
    settings = sub.add_parser("settings", help="settings shared by every desktop of the database")
    ssub = settings.add_subparsers(dest="settings_command", required=True, metavar="WHAT")
    smtp = ssub.add_parser(
        "smtp", parents=[common], help="the mail server for scorecards and escalations"
    )
    smtp.add_argument("--host", required=True)
    smtp.add_argument("--port", type=int, default=587)
    smtp.add_argument(
        "--user", help="login name (the password comes from --password-stdin or the keyring)"
    )
    smtp.add_argument("--sender", help="From address (default: the login name)")
    smtp.add_argument(
        "--no-starttls", action="store_true", help="send without STARTTLS (local relays only)"
    )
    smtp.add_argument("--ca-file", help="CA certificate file to trust for the server")
    smtp.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input into the keyring",
    )
    smtp.set_defaults(handler=settings_smtp)
    link = ssub.add_parser(
        "record-url", parents=[common], help="the CRM address of a record, per source"
    )
    link.add_argument("source", help="record source, e.g. hubspot, salesforce, import")
    link.add_argument(
        "template",
        help="address with {external_id}, e.g. https://acme.my.salesforce.com/{external_id}",
    )
    link.set_defaults(handler=settings_record_url)
    ch = ssub.add_parser(
        "channels",
        parents=[common],
        help="which channels deliver alerts; Slack and webhook secrets",
    )
    for name in CHANNELS:
        ch.add_argument(f"--{name}", choices=ON_OFF, help=f"turn {name} alerts on or off")
    for secret in STDIN_SECRETS:
        ch.add_argument(
            secret.stdin_option, dest=_dest(secret.stdin_option), action="store_true",
            help=f"read {secret.name.replace('_', ' ')} from a line of standard input into the keyring",
        )  # fmt: skip
    for extra in TEXT_OPTIONS:
        ch.add_argument(
            extra.cli_option, dest=_dest(extra.cli_option), metavar="TEXT", help=extra.cli_help
        )
    ch.set_defaults(handler=settings_channels)

    al = ssub.add_parser(
        "alerts", parents=[common], help="alert policy: delivery hours, digest, reminders, limits"
    )
    for option, text in SWITCHES:
        al.add_argument(_flag(option), dest=option, choices=ON_OFF, help=text)
    digest = al.add_mutually_exclusive_group()
    digest.add_argument(
        "--digest-minutes", type=int, metavar="N", help="bundle non-urgent alerts every N minutes"
    )
    digest.add_argument("--digest-hours", type=float, metavar="N", help="the same in hours, e.g. 4")  # fmt: skip
    for option, _, _, text in NUMBERS:
        al.add_argument(_flag(option), dest=option, type=int, metavar="N", help=text)
    al.add_argument(
        "--rate-limit", action="append", metavar="CHANNEL=N", default=[],
        help="messages per hour on a channel, e.g. slack=20 (0: no limit); repeat per channel",
    )  # fmt: skip
    al.add_argument("--team-breach-rate", type=float, metavar="PCT", help="team breach share that alerts, in percent (0: off)")  # fmt: skip
    al.add_argument(
        "--warning-channels", metavar="A,B", help="channels for warnings, e.g. desktop,email"
    )
    al.add_argument("--warning-notify", metavar="A,B", help="who gets warnings: owner, manager, team_lead, vp or addresses")  # fmt: skip
    al.add_argument("--reassign", choices=("ask", "automatic", "never"), help="what escalations do to the owner")  # fmt: skip
    al.set_defaults(handler=settings_alerts)


# ----- channels --------------------------------------------------------------------------
@with_database
def settings_channels(options: argparse.Namespace, database: Database) -> int:
    config, smtp = load_channel_settings(database)
    changes: dict[str, Any] = {
        n: getattr(options, n) == "on" for n in CHANNELS if getattr(options, n)
    }
    for extra in TEXT_OPTIONS:
        if getattr(options, _dest(extra.cli_option)) is not None:
            changes[extra.name] = getattr(options, _dest(extra.cli_option)).strip()
    config = config.changed(**changes)
    typed = {
        secret.name: _stdin_line(secret.stdin_option)
        for secret in STDIN_SECRETS
        if getattr(options, _dest(secret.stdin_option))
    }
    secrets = SecretStore()
    statuses = {name: secrets.status(name) for name in SECRET_NAMES}
    errors = channel_errors(config, typed, statuses)
    if errors:
        raise CommandError("; ".join(_with_option(key, text) for key, text in errors.items()))
    save_channel_settings(database, config, current_time())
    notes = [
        f"{name} was NOT saved (no system keyring here): set {env_var(name)} for headless runs"
        for name, value in typed.items()
        if not secrets.set(name, value)
    ]
    for text in notes:
        print(f"slaapp: {text}", file=sys.stderr)
    # A fresh store: a secret kept only in this process's memory is not reported as stored.
    data = _channels_json(config, smtp, SecretStore())
    emit(options, data, _channels_text(data, config, smtp))
    return 0


def _stdin_line(option: str) -> str:
    value = sys.stdin.readline().strip()
    if not value:
        raise CommandError(f"{option}: standard input had no line for it")
    return value


def _with_option(key: str, text: str) -> str:
    option = OPTION_OF_FIELD.get(key, "")
    return f"{option}: {text}" if option else text


def _channels_json(
    config: ChannelSettings, smtp: SmtpSettings | None, secrets: SecretStore
) -> dict[str, Any]:
    return {
        **config.to_dict(),
        "smtp": None if smtp is None else f"{smtp.host}:{smtp.port}",
        "secrets": {name: secrets.status(name) for name in SECRET_NAMES},
    }


def _channels_text(data: dict[str, Any], config: ChannelSettings, smtp: SmtpSettings | None) -> str:
    where = {name: WHERE[status] for name, status in data["secrets"].items()}
    return "\n".join(
        f"{kind.name:<8} {'on' if config.enabled(kind.name) else 'off':<4} "
        f"{kind.summary(config, smtp, where)}"
        for kind in CHANNEL_KINDS
    )


# ----- alerts ----------------------------------------------------------------------------
def _changes(options: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {
        o: getattr(options, o) == "on" for o, _ in SWITCHES if getattr(options, o)
    }
    if options.digest_hours is not None:
        options.digest_minutes = round(options.digest_hours * 60)
    if options.digest_minutes is not None:
        if options.digest_minutes < 1:
            raise CommandError(
                "--digest-minutes/--digest-hours: the digest needs at least 1 minute"
            )
        changes["digest_every_minutes"] = options.digest_minutes
    for option, name, low, _ in NUMBERS:
        value = getattr(options, option)
        if value is not None and value < low:
            raise CommandError(f"{_flag(option)}: expected a whole number >= {low}, got {value}")
        if value is not None:
            changes[name] = value
    if options.team_breach_rate is not None:
        if not 0 <= options.team_breach_rate <= 100:
            raise CommandError(
                f"--team-breach-rate: expected a percentage 0-100, got {options.team_breach_rate:g}"
            )
        changes["team_breach_rate"] = options.team_breach_rate / 100
    for option, name in (
        ("warning_channels", "warning_channels"),
        ("warning_notify", "warning_notify"),
    ):
        if getattr(options, option) is not None:
            changes[name] = [v.strip() for v in getattr(options, option).split(",") if v.strip()]
    unknown = [c for c in changes.get("warning_channels", []) if c not in CHANNELS]
    if unknown:
        raise CommandError(
            f"--warning-channels: {', '.join(unknown)} is not one of {', '.join(CHANNELS)}"
        )
    if options.reassign:
        changes["reassign_policy"] = POLICY[options.reassign]
    return changes  # fmt: skip


def _rate_limits(pairs: list[str], current: dict[str, int]) -> dict[str, int]:
    limits = dict(current)
    for pair in pairs:
        channel, _, number = pair.partition("=")
        if channel not in CHANNELS or not number.strip().isdigit():
            raise CommandError(
                f"--rate-limit {pair}: expected CHANNEL=N with CHANNEL one of {', '.join(CHANNELS)} "
                "and N a whole number (0: no limit)"
            )
        limits[channel] = int(number)
    return limits


@with_database
def settings_alerts(options: argparse.Namespace, database: Database) -> int:
    changes = _changes(options)
    with database.session() as session:
        try:
            current = load_alert_settings(session)
        except ValueError as exc:
            print(f"slaapp: {exc}; starting from the defaults", file=sys.stderr)
            current = AlertSettings()
        if options.rate_limit:
            changes["rate_limit_per_hour"] = _rate_limits(
                options.rate_limit, current.rate_limit_per_hour
            )
        try:
            updated = AlertSettings.from_dict({**current.to_dict(), **changes})
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if changes:
            save_alert_settings(session, updated, current_time())
    emit(options, updated.to_dict(), _alerts_text(updated))
    return 0  # fmt: skip


def _alerts_text(s: AlertSettings) -> str:
    def on(value: bool) -> str:
        return "on" if value else "off"

    limits = ", ".join(f"{k} {v or 'unlimited'}/h" for k, v in s.rate_limit_per_hour.items())
    rows = (
        ("quiet hours", on(s.quiet_hours), SWITCHES[0][1]),
        ("business hours only", on(s.business_hours_only), SWITCHES[1][1]),
        ("critical bypass", on(s.critical_bypass), SWITCHES[2][1]),
        ("digest", f"every {s.digest_every_minutes} min", "warnings and reminders wait for a slot of each person's working day"),
        ("backfill horizon", f"{s.backfill_horizon_hours} h", "older steps revealed by imported history are kept, not sent"),
        ("reminders", f"every {s.remind_every_minutes} min" if s.remind_every_minutes else "never",
         f"at most {s.max_reminders}" if s.max_reminders else "no limit"),
        ("rate limits", limits, "messages per hour per channel"),
        ("warnings", ", ".join(s.warning_channels) or "nowhere", "to " + (", ".join(s.warning_notify) or "nobody")),
        ("patterns", f"{s.pattern_breaches} breaches" if s.pattern_breaches else "off", f"in {s.pattern_window_hours} h"),
        ("team breach rate", f"{s.team_breach_rate:.0%}" if s.team_breach_rate else "off", f"teams with >= {s.team_min_clocks} clocks"),
        ("reassignment", POLICY_TEXT.get(s.reassign_policy, s.reassign_policy), "what escalations do to the owner"),
        ("delivery retries", f"{s.max_attempts} attempts", f"{s.retry_base_seconds} s doubling to {s.retry_max_seconds} s"),
    )  # fmt: skip
    width = max(len(str(r[1])) for r in rows)
    return "\n".join(f"{name:<20} {value:<{width}}  {note}" for name, value, note in rows)


@with_database
def settings_smtp(options: argparse.Namespace, database: Database) -> int:
    if not 0 < options.port < 65536:
        raise CommandError(f"--port: {options.port} is not a TCP port")
    config = SmtpSettings(
        options.host,
        options.port,
        options.user or "",
        options.sender or "",
        not options.no_starttls,
        options.ca_file or "",
    )
    first = smtp_settings(database) is None
    save_smtp_settings(database, config, current_time())
    kept = ""
    if first:  # email is off until a mail server is set up
        channels, _ = load_channel_settings(database)
        if not channels.enabled("email"):
            save_channel_settings(database, channels.changed(email=True), current_time())
            kept += "; email alerts are now on (`slaapp settings channels --email off` to stop)"
    if options.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not SecretStore().set(PASSWORD_SECRET, password, config.endpoint):
            kept = f"; no system keyring here, so the password was NOT saved: set {env_var(PASSWORD_SECRET)} for headless runs"
    emit(
        options,
        config.to_dict(),
        f"SMTP settings saved: {config.host}:{config.port}, sender {config.sender or config.username}{kept}",
    )
    return 0


@with_database
def settings_record_url(options: argparse.Namespace, database: Database) -> int:
    if "{external_id}" not in options.template or not options.template.startswith(
        ("http://", "https://")
    ):
        raise CommandError("the template must be an http(s) address containing {external_id}")
    links = set_record_url(database, options.source, options.template, current_time())
    emit(options, links, f"records from {options.source} link to {options.template}")
    return 0
