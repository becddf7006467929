"""The `slaapp alerts` subcommands: run, list, ack, snooze, retry, approve, decline."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from slaapp.cli.common import CommandError, SubParsers, current_time, emit, instant, with_database
from slaapp.engine.instants import format_instant
from slaapp.infra.secrets import SecretsUnavailableError
from slaapp.notify.alerting import AlertRun, run_alerts
from slaapp.notify.alerting_actions import (
    ActionError,
    acknowledge_alerts,
    alert_history,
    decide_action,
    retry_alerts,
    snooze_alerts,
)
from slaapp.notify.channels import build_channels
from slaapp.notify.health_store import health_warnings
from slaapp.services.alerts import ALERT_STATES, AlertView
from slaapp.services.database import Database


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add the `alerts` subcommands to the parser (`common` holds --db, --format, --tz)."""
    alerts = sub.add_parser("alerts", help="SLA alerts and escalations")
    asub = alerts.add_subparsers(dest="alerts_command", required=True, metavar="WHAT")
    run = asub.add_parser(
        "run", parents=[common], help="fire due alerts and deliver email, Slack and webhook"
    )
    run.add_argument("--once", action="store_true", help="one pass, then exit (for schedulers)")
    run.add_argument("--as-of", metavar="T", help="run as if it were T (default: now)")
    run.set_defaults(handler=alerts_run)
    lst = asub.add_parser("list", parents=[common], help="alert history, newest first")
    lst.add_argument("--person", metavar="KEY", help="alerts owned by or sent to this person")
    lst.add_argument("--state", choices=ALERT_STATES, help="only alerts in this state")
    lst.add_argument("--since", metavar="T", help="only alerts fired at or after T")
    lst.set_defaults(handler=alerts_list)
    for name, text, handler in (
        ("ack", "acknowledge alerts: their step stops reminding", alerts_ack),
        ("snooze", "snooze alerts: their clock's next step waits", alerts_snooze),
        ("retry", "send failed deliveries of alerts again", alerts_retry),
    ):
        cmd = asub.add_parser(name, parents=[common], help=text)
        cmd.add_argument("ids", nargs="+", type=int, metavar="ALERT_ID")
        if name == "snooze":
            cmd.add_argument("--minutes", type=int, default=15, help="how long (default 15)")
        cmd.set_defaults(handler=handler)
    for name, text in (("approve", "reassign as proposed"), ("decline", "keep the owner")):
        cmd = asub.add_parser(name, parents=[common], help=f"{text} (an ask-first escalation)")
        cmd.add_argument("action", type=int, metavar="ACTION_ID")
        cmd.set_defaults(handler=alerts_decide, approve=name == "approve")


@with_database
def alerts_run(options: argparse.Namespace, database: Database) -> int:
    if not options.once:
        raise CommandError(
            "add --once: the desktop app schedules alerts itself; schedulers run `slaapp alerts run --once`"
        )
    now = current_time() if options.as_of is None else instant(options.as_of, "--as-of", options.tz)
    try:
        channels = {k: v for k, v in build_channels(database).items() if k != "desktop"}
    except SecretsUnavailableError as exc:
        raise CommandError(str(exc)) from None
    try:
        result = run_alerts(database, now, channels)
    except ValueError as exc:  # a stored alerts setting that makes no sense
        raise CommandError(str(exc)) from None
    emit(options, _run_json(result), _run_text(result))
    return 1 if result.failures and not any(f.will_retry for f in result.failures) else 0


def _run_json(result: AlertRun) -> dict[str, Any]:
    return {
        "as_of": format_instant(result.now),
        "fired": list(result.fired),
        "history": result.history,
        "patterns": list(result.patterns),
        "actions": list(result.actions),
        "sent": result.sent,
        "digests": result.digests,
        "waiting": result.waiting,
        "failures": [
            {
                "channel": f.channel,
                "recipient": f.recipient,
                "alerts": list(f.alert_ids),
                "error": f.error,
                "will_retry": f.will_retry,
            }
            for f in result.failures
        ],
        "next_due": format_instant(result.next_due) if result.next_due is not None else None,
    }


def _run_text(result: AlertRun) -> str:
    lines = [result.summary()]
    for f in result.failures:
        then = "will retry" if f.will_retry else "run `slaapp alerts retry` after fixing it"
        lines.append(f"  {f.channel} to {f.recipient} failed: {f.error} ({then})")
    if result.waiting:
        lines.append(
            "  waiting: toasts for their person's desktop, others for working hours, digest "
            "slots, retries or a channel to be set up (`slaapp alerts list` says which)"
        )
    if result.next_due is not None:
        lines.append(f"next due {format_instant(result.next_due)}")
    return "\n".join(lines)


@with_database
def alerts_list(options: argparse.Namespace, database: Database) -> int:
    now = current_time()
    since = None if options.since is None else instant(options.since, "--since", options.tz)
    found = alert_history(database, now, person=options.person, state=options.state, since=since)
    rows = [_alert_json(a, now) for a in found]
    health = health_warnings(database)
    text = "\n".join(f"{r['id']:>6}  {r['fired_at']}  {r['state']:<12} {r['title']}" for r in rows)
    notes = "".join(f"channel problem: {line}\n" for line in health)
    emit(
        options,
        {"alerts": rows, "channel_problems": list(health)},
        notes + (text or "no alerts match"),
    )
    return 0


def _alert_json(alert: AlertView, now: int) -> dict[str, Any]:
    return {
        "id": alert.id,
        "fired_at": format_instant(alert.fired_at),
        "state": alert.state(now),
        "severity": alert.severity,
        "step": alert.step,
        "reminder": alert.reminder,
        "title": alert.title,
        "lines": list(alert.lines),
        "owner": alert.owner,
        "team": alert.team,
        "record": alert.record,
        "record_id": alert.record_id,
        "handoff": alert.handoff,
        "link": alert.link,
        "acknowledged_at": format_instant(alert.acknowledged_at) if alert.acknowledged_at else None,
        "snoozed_until": format_instant(alert.snoozed_until) if alert.snoozed_until else None,
        "deliveries": [
            {
                "channel": d.channel,
                "recipient": d.recipient_key,
                "state": d.state,
                "attempts": d.attempts,
                "not_before": format_instant(d.not_before),
                "sent_at": format_instant(d.sent_at) if d.sent_at else None,
                "error": d.last_error,
            }
            for d in alert.deliveries
        ],
    }


def _who() -> str:
    return getpass.getuser()


@with_database
def alerts_ack(options: argparse.Namespace, database: Database) -> int:
    try:
        count = acknowledge_alerts(database, options.ids, current_time(), _who())
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    emit(options, {"acknowledged": count}, f"{count} alert(s) acknowledged")
    return 0


@with_database
def alerts_snooze(options: argparse.Namespace, database: Database) -> int:
    try:
        count = snooze_alerts(database, options.ids, current_time(), _who(), options.minutes)
    except (LookupError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    emit(options, {"snoozed": count}, f"{count} alert(s) snoozed for {options.minutes} min")
    return 0


@with_database
def alerts_retry(options: argparse.Namespace, database: Database) -> int:
    try:
        count = retry_alerts(database, options.ids, current_time())
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    emit(options, {"retrying": count}, f"{count} deliveries will be sent at the next run")
    return 0


@with_database
def alerts_decide(options: argparse.Namespace, database: Database) -> int:
    try:
        action = decide_action(database, options.action, options.approve, current_time(), _who())
    except (LookupError, ActionError) as exc:
        raise CommandError(str(exc)) from None
    text = f"action {action.id}: {action.state}" + (f" ({action.error})" if action.error else "")
    emit(options, {"id": action.id, "state": action.state, "error": action.error}, text)
    return 0
