"""A local HTTP server on 127.0.0.1 that answers like a Slack incoming webhook and records bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .local_http import QuietHandler, serving

# Scripted answers: (status, plain body, extra headers), as Slack documents them.
OK = (200, "ok", {})
INVALID_PAYLOAD = (400, "invalid_payload", {})
USER_NOT_FOUND = (400, "user_not_found", {})
RATE_LIMITED = (429, "rate_limited", {"Retry-After": "1"})
ARCHIVED = (410, "channel_is_archived", {})
ROLLUP_ERROR = (500, "rollup_error", {})
UNAUTHORIZED = (401, "missing bearer token", {})


@dataclass
class FakeSlack:
    """Answers each POST with the next scripted reply (then `ok`); keeps every request."""

    port: int = 0
    script: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/T000/B000/XXXXSECRETXXXX"

    def next_reply(self) -> tuple[int, str, dict[str, str]]:
        return self.script.pop(0) if self.script else OK


def _handler(fake: FakeSlack) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            fake.bodies.append(json.loads(self.body()))
            fake.headers.append(dict(self.headers.items()))
            fake.paths.append(self.path)
            status, body, extra = fake.next_reply()
            self.reply(status, body.encode(), "text/plain; charset=utf-8", extra)

    return Handler


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    with serving(_handler(fake), "fake-slack") as fake.port:
        yield fake
