"""A local HTTP server on 127.0.0.1 that answers like a Teams Workflows webhook and records bodies."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


def _handler(fake: FakeTeams) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            fake.bodies.append(json.loads(raw))
            fake.headers.append(dict(self.headers.items()))
            status, body, extra = fake.script.pop(0) if fake.script else ACCEPTED
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


@contextmanager
def fake_teams() -> Iterator[FakeTeams]:
    fake = FakeTeams()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="fake-teams", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
