"""A local HTTP server on 127.0.0.1 that answers like Twilio's Messages API and records each form."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .local_http import QuietHandler, serving

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "s3cr3t-auth-token"
E164 = re.compile(r"\+[1-9][0-9]{7,14}")

# Scripted answers (status, JSON body, extra headers), bodies as Twilio documents them.
CREATED = "created"  # 201 with the message resource, built per request
INVALID_TO = (
    400,
    {
        "code": 21211,
        "message": "The 'To' number +15005550001 is not a valid phone number.",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400,
    },
    {},
)
UNSUBSCRIBED = (
    400,
    {
        "code": 21610,
        "message": "Attempt to send to unsubscribed recipient",
        "more_info": "https://www.twilio.com/docs/errors/21610",
        "status": 400,
    },
    {},
)
TOO_MANY = (
    429,
    {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    },
    {"Retry-After": "2"},
)
SERVER_ERROR = (
    500,
    {
        "code": 20500,
        "message": "An internal server error has occurred",
        "more_info": "https://www.twilio.com/docs/errors/20500",
        "status": 500,
    },
    {},
)
AUTH_FAILED = (
    401,
    {
        "code": 20003,
        "message": "Authentication Error - invalid username",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    },
    {},
)


@dataclass
class FakeTwilio:
    """Checks basic auth, the path, the form fields and E.164 like Twilio; then the script."""

    port: int = 0
    script: list[Any] = field(default_factory=list)
    forms: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(
        self, path: str, auth: str, form: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if auth != expected:
            return AUTH_FAILED
        if path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            return 404, {"code": 20404, "message": "The requested resource was not found", "more_info": "", "status": 404}, {}  # fmt: skip
        if any(len(values) != 1 for values in form.values()):
            return 400, {"code": 21100, "message": "repeated parameter", "more_info": "", "status": 400}, {}  # fmt: skip
        fields = {name: values[0] for name, values in form.items()}
        if "Body" not in fields or "To" not in fields:
            return 400, {"code": 21602, "message": "Message body is required.", "more_info": "", "status": 400}, {}  # fmt: skip
        if ("From" in fields) == ("MessagingServiceSid" in fields):
            return 400, {"code": 21603, "message": "A 'From' or 'MessagingServiceSid' parameter is required", "more_info": "", "status": 400}, {}  # fmt: skip
        if not E164.fullmatch(fields["To"]):
            return INVALID_TO
        if "From" in fields and not E164.fullmatch(fields["From"]):
            return 400, {"code": 21212, "message": "The 'From' number is not a valid phone number", "more_info": "", "status": 400}, {}  # fmt: skip
        reply = self.script.pop(0) if self.script else CREATED
        if reply == CREATED:
            sid = f"SM{len(self.forms):032x}"
            return 201, {
                "sid": sid, "account_sid": ACCOUNT_SID, "to": fields["To"],
                "from": fields.get("From"), "messaging_service_sid": fields.get("MessagingServiceSid"),
                "body": fields["Body"], "status": "queued" if "From" in fields else "accepted",
                "num_segments": "1", "error_code": None, "error_message": None,
                "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
            }, {}  # fmt: skip
        return reply  # type: ignore[no-any-return]


def _handler(fake: FakeTwilio) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            raw = self.body()
            form_type = self.headers.get("Content-Type", "")
            form = parse_qs(raw.decode(), keep_blank_values=True, strict_parsing=bool(raw))
            if form_type != "application/x-www-form-urlencoded":
                status, body, extra = 400, {"code": 20001, "message": "form body expected", "more_info": "", "status": 400}, {}  # fmt: skip
            else:
                status, body, extra = fake.answer(
                    self.path, self.headers.get("Authorization", ""), form
                )
            fake.forms.append({name: values[0] for name, values in form.items()})
            fake.paths.append(self.path)
            fake.answers.append(status)
            self.reply(status, json.dumps(body).encode(), "application/json; charset=utf-8", extra)

    return Handler


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    with serving(_handler(fake), "fake-twilio") as fake.port:
        yield fake
