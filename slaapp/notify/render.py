"""One Notice rendered for each channel: plain text, HTML mail, Slack blocks, JSON body."""

from __future__ import annotations

import html
from typing import Any

from slaapp.notify.channel import Notice

SEVERITY_LABELS = {
    "warning": "SLA warning",
    "breach": "SLA breach",
    "escalation": "SLA escalation",
    "pattern": "SLA pattern",
    "digest": "SLA digest",
}
SEVERITY_COLORS = {
    "warning": "#b45309",
    "breach": "#c62828",
    "escalation": "#8e0000",
    "pattern": "#6a1b9a",
    "digest": "#1565c0",
}
SLACK_EMOJI = {
    "warning": ":hourglass_flowing_sand:",
    "breach": ":rotating_light:",
    "escalation": ":rotating_light:",
    "pattern": ":chart_with_downwards_trend:",
    "digest": ":memo:",
}
WEBHOOK_FORMAT = "slaapp.notice/1"
MAX_LABEL = 28
"""A line `Label: value` with a label up to this long shows as a two-column row."""


def label(notice: Notice) -> str:
    return SEVERITY_LABELS.get(notice.severity, "SLA alert")


def subject(notice: Notice) -> str:
    return f"[SLA] {notice.title}"


def items(notice: Notice) -> tuple[str, ...]:
    """A digest's lines without their bullets (each channel draws its own list)."""
    return tuple(line.removeprefix("• ").removeprefix("- ") for line in notice.lines)


def _pair(line: str) -> tuple[str, str] | None:
    name, sep, value = line.partition(": ")
    if sep and 0 < len(name) <= MAX_LABEL and value:
        return name, value
    return None


def plain_text(notice: Notice) -> str:
    """The body of a text mail, an SMS or a ticket: title, lines (a list for digests), link."""
    parts = [notice.title, f"{label(notice)} · to {notice.recipient_name}", ""]
    if notice.severity == "digest":
        parts += [f"  - {item}" for item in items(notice)]
    else:
        parts += notice.lines
    if notice.link:
        parts += ["", f"Open the record: {notice.link}"]
    parts += ["", "Sent by slaapp; acknowledge or snooze it in the Alerts screen."]
    return "\n".join(parts)


def _html_line(text: str, link: str | None) -> str:
    """Escaped text; the record's link inside it becomes an anchor."""
    escaped = html.escape(text)
    if link and html.escape(link) in escaped:
        anchor = f'<a href="{html.escape(link, quote=True)}" style="color:#1a73e8">{html.escape(link)}</a>'
        escaped = escaped.replace(html.escape(link), anchor)
    return escaped


def _html_rows(notice: Notice) -> str:
    if notice.severity == "digest":
        listed = "".join(
            f'<li style="margin:0 0 6px 0">{_html_line(item, notice.link)}</li>'
            for item in items(notice)
        )
        return f'<ul style="margin:0;padding-left:20px">{listed}</ul>'
    rows = []
    for line in notice.lines:
        pair = _pair(line)
        if pair is None:
            rows.append(
                f'<tr><td colspan="2" style="padding:4px 0">{_html_line(line, notice.link)}</td></tr>'
            )
        else:
            rows.append(
                '<tr><td style="padding:4px 16px 4px 0;color:#5f6368;white-space:nowrap;'
                f'vertical-align:top">{html.escape(pair[0])}</td>'
                f'<td style="padding:4px 0;font-weight:600">{_html_line(pair[1], notice.link)}</td></tr>'
            )
    return f'<table cellspacing="0" cellpadding="0" style="border-collapse:collapse">{"".join(rows)}</table>'


def html_body(notice: Notice) -> str:
    """A self-contained HTML mail: nested tables and inline styles only, as mail clients need."""
    esc = html.escape
    color = SEVERITY_COLORS.get(notice.severity, "#37474f")
    button = (
        '<table cellspacing="0" cellpadding="0" style="margin-top:20px"><tr>'
        f'<td bgcolor="{color}" style="background:{color};padding:10px 20px;border-radius:4px">'
        f'<a href="{esc(notice.link, quote=True)}" style="color:#ffffff;text-decoration:none;'
        'font-weight:600">Open the record</a></td></tr></table>'
        if notice.link
        else ""
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{esc(subject(notice))}</title></head>"
        '<body style="margin:0;padding:0;background:#f4f5f7">'
        '<table width="100%" cellspacing="0" cellpadding="24" bgcolor="#f4f5f7" '
        'style="background:#f4f5f7"><tr><td align="center">'
        '<table width="600" cellspacing="0" cellpadding="0" bgcolor="#ffffff" style="background:#ffffff;'
        "border:1px solid #dadce0;font-family:'Segoe UI',Helvetica,Arial,sans-serif;font-size:14px;"
        'color:#202124;text-align:left"><tr>'
        f'<td bgcolor="{color}" style="background:{color};color:#ffffff;padding:12px 20px;'
        f'font-size:12px;font-weight:700;letter-spacing:1px">{esc(label(notice).upper())}</td></tr>'
        '<tr><td style="padding:20px">'
        f'<h2 style="margin:0 0 4px 0;font-size:19px">{esc(notice.title)}</h2>'
        f'<p style="margin:0 0 16px 0;color:#5f6368">Addressed to {esc(notice.recipient_name)}</p>'
        f"{_html_rows(notice)}{button}</td></tr>"
        '<tr><td style="padding:12px 20px;border-top:1px solid #eceff1;color:#80868b;font-size:12px">'
        "Sent by slaapp. Acknowledge or snooze this alert in the Alerts screen.</td></tr>"
        "</table></td></tr></table></body></html>"
    )


def _mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped as its docs ask."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(notice: Notice) -> dict[str, Any]:
    """Blocks for Slack plus the text fallback shown in notifications and old clients."""
    emoji = SLACK_EMOJI.get(notice.severity, ":bell:")
    shown = [f"• {item}" for item in items(notice)] if notice.severity == "digest" else notice.lines
    lines = "\n".join(_mrkdwn(line) for line in shown) or " "
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"{emoji} *{_mrkdwn(notice.title)}*",
            },
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": lines[:3000]}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"{_mrkdwn(label(notice))} · addressed to {_mrkdwn(notice.recipient_name)}",
                }
            ],
        },
    ]
    if notice.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the record"},
                        "url": notice.link,
                        "style": "danger" if notice.severity != "warning" else "primary",
                    }
                ],
            }
        )
    fallback = _mrkdwn(f"{notice.title} (to {notice.recipient_name})")
    return {"text": fallback, "blocks": blocks}


def webhook_body(notice: Notice) -> dict[str, Any]:
    """The generic webhook's JSON (documented in README: format `slaapp.notice/1`)."""
    return {
        "format": WEBHOOK_FORMAT,
        "alert_ids": list(notice.alert_ids),
        "severity": notice.severity,
        "recipient": {
            "key": notice.recipient_key,
            "name": notice.recipient_name,
            "address": notice.address,
        },
        "title": notice.title,
        "lines": list(notice.lines),
        "text": plain_text(notice),
        "link": notice.link,
        "record_id": notice.record_id,
    }
