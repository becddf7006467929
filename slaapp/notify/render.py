"""One Notice rendered for each channel: plain text, HTML mail, Slack blocks, JSON body, SMS, Teams card."""

from __future__ import annotations

import html
import re
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


SMS_LIMIT = 320
"""At most two concatenated SMS segments (160 GSM characters each)."""
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
MAX_CARD_ITEMS = 25
"""Items a grouped Teams card lists; the rest are counted (a card must stay under ~28 KB)."""
COVER_PREFIX = "Sent to you while "
"""How a grouped message's out-of-office lines begin (recipients.cover_line)."""
_FOR = re.compile(r"^For: (?P<whose>.+), owned by (?P<owner>.+?)(?: \([^()]*\))?$")


def _fields(notice: Notice) -> dict[str, str]:
    """The `Label: value` lines of a single alert, by label."""
    return dict(pair for pair in map(_pair, notice.lines) if pair is not None)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sms_line(notice: Notice) -> str:
    """`Escalation: Paragon Retail, $210,000, late by 2 h 15 min, owner Ben Carter`."""
    fields = _fields(notice)
    kind = notice.title.partition(": ")[0] if ": " in notice.title else label(notice)
    found = _FOR.match(next((line for line in notice.lines if line.startswith("For: ")), ""))
    if found is None:  # not about one clock (a test message): its title and first line
        return " ".join((f"{notice.title}.", *notice.lines[:1]))
    parts = [found["whose"]]
    if "Deal value" in fields:
        parts.append(fields["Deal value"])
    if "Late by" in fields:
        parts.append(f"late by {fields['Late by']}")
    elif "Time left" in fields:
        parts.append(f"{fields['Time left']} left")
    parts.append(f"owner {found['owner']}")
    return f"{kind}: {', '.join(parts)}"


def sms_text(notice: Notice) -> str:
    """A short SMS: what, whose, value, time left or late, owner and the link; a grouped
    message says how many alerts it holds and names the most urgent one."""
    if notice.severity == "digest":
        listed = [i for i in items(notice) if not i.startswith(COVER_PREFIX)]  # alerts only
        first = listed[0].rsplit(" · http", 1)[0] if listed else ""
        link = re.search(r"https?://\S+", listed[0]) if listed else None
        text = f"{notice.title}. First: {first}" if first else notice.title
        tail = f" {link.group(0)}" if link else ""
        return (
            _cut(text, SMS_LIMIT - len(tail) - len(" Details in slaapp."))
            + tail
            + (" Details in slaapp.")
        )
    tail = f" {notice.link}" if notice.link else ""
    return _cut(_sms_line(notice), SMS_LIMIT - len(tail)) + tail


def _card_text(text: str) -> str:
    """CRM text for a card: Teams reads TextBlocks and facts as Markdown, so a link written
    in the data (`[Pay here](https://…)`) is broken apart and stays text, never a link."""
    return text.replace("](", "] (")


def _item_container(item: str) -> dict[str, Any]:
    """One grouped item: its words, the link (its last part) opening the record on a click."""
    text, _, link = item.rpartition(" · ")
    if not link.startswith(("http://", "https://")):
        text, link = item, ""
    container: dict[str, Any] = {
        "type": "Container",
        "separator": True,
        "items": [{"type": "TextBlock", "text": _card_text(text), "wrap": True}],
    }
    if link:
        container["items"].append(
            {"type": "TextBlock", "text": f"[Open the record]({link})", "wrap": True}
        )
        container["selectAction"] = {"type": "Action.OpenUrl", "url": link}
    return container


def teams_card(notice: Notice) -> dict[str, Any]:
    """An Adaptive Card (1.4) with the email's facts: a FactSet for one alert, a Container
    per item for a grouped message, and `Open the record` as an Action.OpenUrl button."""
    color = "Warning" if notice.severity == "warning" else "Attention"
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock", "text": label(notice).upper(), "size": "Small",
            "weight": "Bolder", "color": color,
        },
        {"type": "TextBlock", "text": _card_text(notice.title), "size": "Medium", "weight": "Bolder", "wrap": True},
        {
            "type": "TextBlock", "text": f"Addressed to {_card_text(notice.recipient_name)}",
            "isSubtle": True, "spacing": "None", "wrap": True,
        },
    ]  # fmt: skip
    if notice.severity == "digest":
        listed = items(notice)
        body += [_item_container(item) for item in listed[:MAX_CARD_ITEMS]]
        if len(listed) > MAX_CARD_ITEMS:  # Teams refuses cards over about 28 KB
            more = len(listed) - MAX_CARD_ITEMS
            body.append(
                {
                    "type": "TextBlock", "text": f"… and {more} more in slaapp's Alerts screen",
                    "isSubtle": True, "wrap": True,
                }
            )  # fmt: skip
    else:
        facts: list[dict[str, str]] = []
        for line in notice.lines:
            pair = _pair(line)
            if pair is None:
                if facts:
                    body.append({"type": "FactSet", "facts": facts})
                    facts = []
                body.append({"type": "TextBlock", "text": _card_text(line), "wrap": True})
            else:
                facts.append({"title": pair[0], "value": _card_text(pair[1])})
        if facts:
            body.append({"type": "FactSet", "facts": facts})
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if notice.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open the record", "url": notice.link}
        ]
    return card


def teams_payload(notice: Notice) -> dict[str, Any]:
    """The body a Teams Workflows webhook takes: a message holding one Adaptive Card."""
    return {
        "type": "message",
        "attachments": [
            {"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": teams_card(notice)}
        ],
    }
