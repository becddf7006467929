"""JSON over the shared HTTP client with the CRM retry policy: Retry-After, jittered backoff, quota."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from slaapp.infra.http import CertificateError, ClientSettings, NetworkError, pooled_client, send
from slaapp.sync.connector import (
    AuthError,
    Cancelled,
    RateLimited,
    SourceError,
    SourceSuspended,
    SyncControl,
)

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({423, 477, 500, 502, 503, 504, 524})


@dataclass(frozen=True)
class Response:
    """A decoded HTTP response: status, lower-cased headers and the parsed JSON body."""

    status: int
    headers: Mapping[str, str]
    body: Any


@dataclass(frozen=True)
class RetryPolicy:
    """Full-jitter exponential backoff for 5xx and connection errors; waits for 429s."""

    base: float = 0.5
    cap: float = 60.0
    tries: int = 6
    max_rate_limit_waits: int = 8
    """How many 429 waits in a row before the source is reported as rate limited."""

    def backoff(self, attempt: int, rand: Callable[[], float]) -> float:
        return float(rand() * min(self.cap, self.base * 2.0**attempt))


RateLimitReader = Callable[[Response], "RateLimited | SourceSuspended"]
"""Turns a 429 response into how long to wait (RateLimited) or a suspension (SourceSuspended)."""


def default_rate_limit(response: Response) -> RateLimited:
    """A 429 without vendor rules: honour Retry-After, else wait 1 s."""
    return RateLimited("the source asked to slow down", retry_after=retry_after(response) or 1.0)


def retry_after(response: Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


@dataclass
class HttpClient:
    """JSON requests against one base URL with a bearer token and the retry policy.

    `sleep`, `clock` and `rand` are injectable so tests run without waiting. The token is
    sent only in the Authorization header and never appears in messages or logs. Requests go
    through the pooled client of the source (infra.http: OS trust store and proxies); a
    certificate the OS does not trust fails at once, without retries.
    """

    base_url: str
    token: str
    source: str
    """The source's name as users know it, for messages ("HubSpot source 'crm'")."""
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limit: RateLimitReader = default_rate_limit
    describe_error: Callable[[Response], str] = lambda r: ""
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    ca_file: str | None = None
    """A PEM bundle trusted on top of the OS trust store (a private CA)."""
    quota: dict[str, str] = field(default_factory=dict)
    """The last quota headers seen (lower-cased names), for the screen."""
    requests: int = 0

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, control: SyncControl | None = None
    ) -> Response:
        query = f"?{urlencode(params, doseq=True)}" if params else ""
        return self.request("GET", path + query, None, control)

    def post(self, path: str, body: Any, control: SyncControl | None = None) -> Response:
        return self.request("POST", path, body, control)

    def patch(self, path: str, body: Any, control: SyncControl | None = None) -> Response:
        return self.request("PATCH", path, body, control)

    def request(
        self, method: str, path: str, body: Any, control: SyncControl | None = None
    ) -> Response:
        """Send with retries; raises AuthError, RateLimited, SourceSuspended or SourceError."""
        failures = 0
        waits = 0
        while True:
            try:
                response = self._send(method, path, body)
            except CertificateError as exc:
                raise SourceError(f"{self.source}: {exc}") from exc
            except NetworkError as exc:
                failures += 1
                if failures >= self.policy.tries:
                    raise SourceError(
                        f"{self.source}: could not reach {self._host()} ({exc.reason}) after "
                        f"{failures} tries; check the network and try again"
                    ) from None
                self._wait(self.policy.backoff(failures, self.rand), control)
                continue
            if response.status == 429:
                verdict = self.rate_limit(response)
                if isinstance(verdict, SourceSuspended):
                    raise verdict
                waits += 1
                if waits > self.policy.max_rate_limit_waits:
                    raise verdict
                log.info("%s: rate limited (%s), waiting %.1f s", self.source, verdict.policy,
                         verdict.retry_after)  # fmt: skip
                self._wait(verdict.retry_after, control, rate_limited=True)
                continue
            if response.status in RETRY_STATUSES:
                failures += 1
                if failures >= self.policy.tries:
                    raise SourceError(
                        f"{self.source}: {self._host()} kept failing (HTTP {response.status}) "
                        f"after {failures} tries{self._detail(response)}; try again later"
                    )
                delay = retry_after(response) or self.policy.backoff(failures, self.rand)
                self._wait(delay, control)
                continue
            if response.status in (401, 403):
                what = "was refused" if response.status == 401 else "lacks a permission"
                raise AuthError(
                    f"{self.source}: the access token {what} (HTTP {response.status})"
                    f"{self._detail(response)}; reconnect or check the app's scopes"
                )
            if response.status >= 400:
                raise SourceError(
                    f"{self.source}: {method} {path.split('?')[0]} failed with HTTP "
                    f"{response.status}{self._detail(response)}"
                )
            if isinstance(response.body, _Malformed):
                failures += 1
                if failures >= self.policy.tries:
                    raise SourceError(
                        f"{self.source}: {self._host()} sent a reply that is not valid JSON "
                        f"({response.body.reason}) after {failures} tries; try again later"
                    )
                self._wait(self.policy.backoff(failures, self.rand), control)
                continue
            return response

    def _detail(self, response: Response) -> str:
        text = self.describe_error(response)
        return f": {text}" if text else ""

    def _host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url

    def _wait(
        self, seconds: float, control: SyncControl | None, rate_limited: bool = False
    ) -> None:
        if control is not None and control.cancelled():
            raise Cancelled(f"{self.source}: sync cancelled")
        if control is not None and rate_limited:
            control.waiting(seconds)
        self.sleep(seconds)

    def _send(self, method: str, path: str, body: Any) -> Response:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return self._exchange(method, path, payload, headers)

    def _exchange(
        self, method: str, path: str, payload: bytes | None, headers: dict[str, str]
    ) -> Response:
        """One request on the source's pooled client; NetworkError or CertificateError if no answer."""
        url = urlsplit(self.base_url)
        prefix = url.path.rstrip("/")
        target = path if path.startswith(prefix + "/") and prefix else prefix + path
        self.requests += 1
        raw = send(self.http(), method, f"{url.scheme}://{url.netloc}{target}", content=payload,
                   headers=headers)  # fmt: skip
        response_headers = {k.lower(): v for k, v in raw.headers.items()}
        self._note_quota(response_headers)
        return Response(raw.status_code, response_headers, _decode(raw.content))

    def http(self) -> httpx.Client:
        """The pooled client of this source."""
        return pooled_client(
            f"sync:{self.source}", ClientSettings(timeout=self.timeout, ca_file=self.ca_file)
        )

    def _note_quota(self, headers: Mapping[str, str]) -> None:
        for name, value in headers.items():
            if "ratelimit" in name or name == "sforce-limit-info":
                self.quota[name] = value


@dataclass(frozen=True)
class _Malformed:
    reason: str


def _decode(data: bytes) -> Any:
    if not data.strip():
        return None
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _Malformed(f"{type(exc).__name__} at byte {getattr(exc, 'pos', 0)}")
