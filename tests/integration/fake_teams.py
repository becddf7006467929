"""A local HTTP server on 127.0.0.1 that answers like a Teams Workflows webhook and records bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .local_http import QuietHandler, serving

# Scripted answers (status, body, extra headers): Workflows accepts with 202 and an empty
# body; its errors are Power Automate's JSON `{"error": {"code", "message"}}`.
ACCEPTED = (202, "", {})
BAD_REQUEST = (
    400,
    json.dumps(
        {
            "error": {
                "code": "InvalidRequestContent",
                "message": "The input body for trigger 'manual' of type 'Request' did not match "
                "its schema definition.",
            }
        }
    ),
    {},
)
NOT_FOUND = (
    404,
    json.dumps(
        {
            "error": {
                "code": "WorkflowNotFound",
                "message": "The workflow 'a1b2' could not be found.",
            }
        }
    ),
    {},
)
THROTTLED = (
    429,
    json.dumps(
        {"error": {"code": "WorkflowRequestsThrottled", "message": "Rate limit is exceeded."}}
    ),
    {"Retry-After": "3"},
)
BAD_GATEWAY = (502, "Bad Gateway", {})


@dataclass
class FakeTeams:
    """Answers each POST with the next scripted reply (then 202); keeps every JSON body."""

    port: int = 0
    script: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return (
            f"http://127.0.0.1:{self.port}/workflows/a1b2/triggers/manual/paths/invoke"
            "?api-version=2016-06-01&sig=XXXXSECRETXXXX"
        )


def _handler(fake: FakeTeams) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            fake.bodies.append(json.loads(self.body()))
            fake.headers.append(dict(self.headers.items()))
            status, body, extra = fake.script.pop(0) if fake.script else ACCEPTED
            self.reply(status, body.encode(), "application/json; charset=utf-8", extra)

    return Handler


@contextmanager
def fake_teams() -> Iterator[FakeTeams]:
    fake = FakeTeams()
    with serving(_handler(fake), "fake-teams") as fake.port:
        yield fake
