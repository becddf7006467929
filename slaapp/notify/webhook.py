"""A generic JSON webhook (an SMS gateway, a ticketing tool) and the HTTP POST every webhook uses.

The URL and the optional bearer token live in the keyring; neither ever appears in a
message, an exception or a log: failures name the service and the host only. Posts go
through the pooled client of the channel (infra.http: OS trust store, proxies, no redirects).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from slaapp.infra.http import CertificateError, ClientSettings, NetworkError, pooled_client, send
from slaapp.infra.secrets import SecretError, SecretStore, SecretsUnavailableError, env_var
from slaapp.notify.channel import ChannelError, Notice
from slaapp.notify.render import webhook_body

URL_SECRET = "webhook_url"
TOKEN_SECRET = "webhook_token"
USER_AGENT = "slaapp/0.1 (+alerts)"
RETRYABLE_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class Answer:
    """What a server answered: status, plain body (cut to 300 chars) and Retry-After seconds."""

    status: int
    body: str
    retry_after: float | None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds (it may be a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def read_secret(
    secrets: SecretStore, name: str, what: str, endpoint: str | None = None
) -> str | None:
    """The secret (entered for `endpoint`, see SecretStore.get); a ChannelError saying what
    to do when it cannot be read."""
    try:
        return secrets.get(name, endpoint)
    except SecretError as exc:
        raise ChannelError(f"{what}: {exc}", retryable=False) from None


def _private_enough(url: str) -> bool:
    """Whether credentials may travel to `url`: https, or plain http to this machine."""
    parts = urlsplit(url)
    return parts.scheme == "https" or parts.hostname in ("127.0.0.1", "localhost", "::1")


def secret_problem(secrets: SecretStore, name: str, what: str) -> str:
    """Why a channel that needs this secret cannot send ("" when the secret is there)."""
    try:
        found = secrets.get(name)
    except SecretsUnavailableError as exc:
        return f"{what}: {exc}"
    return "" if found else f"no {what} stored yet (keyring {name!r} or {env_var(name)})"


def missing_secret(what: str, name: str) -> ChannelError:
    env = env_var(name)
    return ChannelError(
        f"{what}: no URL stored yet; save it in the keyring as {name!r} (or set {env})",
        retryable=False,
    )


def host_of(url: str) -> str:
    return urlsplit(url).hostname or "an unknown host"


def post_json(
    url: str, payload: dict[str, Any], what: str, headers: dict[str, str], timeout: float
) -> Answer:
    """POST `payload`; returns the answer for any HTTP status, ChannelError when none came."""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ChannelError(
            f"{what}: the stored address is not an http(s) URL; enter the webhook URL again",
            retryable=False,
        )
    client = pooled_client(f"notify:{what}", ClientSettings(timeout=timeout))
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
    try:
        reply = send(client, "POST", url, content=json.dumps(payload).encode(), headers=headers)
    except CertificateError as exc:
        raise ChannelError(f"{what}: {exc}", retryable=False) from None
    except NetworkError as exc:
        raise ChannelError(
            f"{what}: cannot reach {host_of(url)} ({exc.reason}); will retry", retryable=True
        ) from None
    status, body = reply.status_code, reply.content[:4096]
    retry = None if 200 <= status < 300 else retry_after_seconds(reply.headers.get("Retry-After"))
    text = " ".join(body.decode("utf-8", "replace").split())[:300]
    return Answer(status, text, retry)


def status_error(answer: Answer, what: str, advice: str) -> ChannelError:
    """The generic mapping: 408/425/429/5xx are retried, any other failure needs a person."""
    said = f" {answer.body}" if answer.body else ""
    if answer.status in RETRYABLE_STATUSES or answer.status >= 500:
        wait = f" in {answer.retry_after:g} s" if answer.retry_after is not None else ""
        return ChannelError(
            f"{what} is busy or failing ({answer.status}{said}); will retry{wait}",
            retryable=True,
            retry_after=answer.retry_after,
        )
    return ChannelError(
        f"{what} refused the message ({answer.status}{said}): {advice}", retryable=False
    )


class WebhookChannel:
    """POSTs the JSON of `render.webhook_body` to the URL in the keyring; any 2xx is success."""

    name = "webhook"

    def __init__(
        self, secrets: SecretStore, timeout: float = 10.0, title: str = "the webhook"
    ) -> None:
        self.secrets = secrets
        self.timeout = timeout
        self.title = title

    def problem(self) -> str:
        """Why it cannot deliver now ("" when it can)."""
        return secret_problem(self.secrets, URL_SECRET, f"URL for {self.title}")

    def send(self, notice: Notice) -> None:
        url = read_secret(self.secrets, URL_SECRET, self.title)
        if not url:
            raise missing_secret(self.title, URL_SECRET)
        try:  # optional: without a keyring, a token typed for this session is still found
            token = self.secrets.get(TOKEN_SECRET)
        except SecretsUnavailableError:
            token = None
        if token and not _private_enough(url):
            raise ChannelError(
                f"{self.title}: the bearer token is only sent over https (or to this machine); "
                f"change the webhook URL of {host_of(url)} to https",
                retryable=False,
            )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = post_json(url, webhook_body(notice), self.title, headers, self.timeout)
        if not 200 <= answer.status < 300:
            advice = (
                f"check the bearer token (keyring {TOKEN_SECRET!r})"
                if answer.status in (401, 403)
                else "check the webhook URL and what the receiver expects"
            )
            raise status_error(answer, self.title, advice)
