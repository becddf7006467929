"""The one HTTP client of sync and notify: pooled httpx, the OS trust store, proxies from the OS."""

from __future__ import annotations

import atexit
import logging
import socket
import ssl
import sys
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
import truststore

from slaapp.engine.errors import UserError

USER_AGENT = "slaapp/0.1"
DEFAULT_TIMEOUT = 30.0
LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=4, keepalive_expiry=30.0)


class CertificateError(UserError):
    """A server's TLS certificate is not trusted: most often a corporate proxy inspecting TLS.

    Never retried: the same certificate comes back until the trust store changes.
    """

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"the certificate of {host} is not trusted ({reason}). {_advice(reason)}")
        self.host = host
        self.reason = reason


TRUST_STORE = {"win32": "the Windows certificate store", "darwin": "the macOS Keychain"}.get(
    sys.platform, "the system's CA certificates"
)
INSPECTION_ADVICE = (
    "This is probably TLS inspection by a corporate proxy or firewall: ask IT to install the "
    f"proxy's root certificate (CA) in this computer's trust store ({TRUST_STORE}), then try again"
)


def _advice(reason: str) -> str:
    words = reason.lower()
    if "expired" in words or "not yet valid" in words:
        return (
            "Check this computer's date and time; if they are right, the server's certificate "
            "has expired"
        )
    if "hostname" in words or "ip address mismatch" in words:
        return (
            "Check the address; if it is right, a proxy inspecting TLS may be answering: "
            "ask IT whether one does, and to install its root certificate (CA) in this "
            "computer's trust store"
        )
    return INSPECTION_ADVICE


class NetworkError(UserError):
    """No HTTP answer came from `host`; `reason` says why in a few words. Worth retrying."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"cannot reach {host} ({reason})")
        self.host = host
        self.reason = reason


@dataclass(frozen=True)
class ClientSettings:
    """How a pooled client talks: seconds per network step, and an extra CA file to trust."""

    timeout: float = DEFAULT_TIMEOUT
    ca_file: str | None = None
    """A PEM bundle trusted on top of the OS trust store (a private CA); None: the OS store only."""


def trust_context(ca_file: str | None = None) -> ssl.SSLContext:
    """TLS verification by the OS trust store (Keychain, Windows store, the distro bundle)."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def make_client(settings: ClientSettings | None = None) -> httpx.Client:
    """A new client: OS trust store, HTTP(S)_PROXY/NO_PROXY and the OS proxy settings, no redirects."""
    settings = settings or ClientSettings()
    _redact_request_logs()
    return httpx.Client(
        verify=trust_context(settings.ca_file),
        trust_env=True,
        timeout=httpx.Timeout(settings.timeout),
        limits=LIMITS,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    )


def proxy_settings() -> tuple[tuple[str, str], ...]:
    """The proxies httpx will read (environment, Windows registry, macOS settings), as a key."""
    return tuple(sorted(urllib.request.getproxies().items()))


class ClientPool:
    """One pooled httpx client per source or channel, closed together at shutdown.

    A client is kept per (key, settings, proxy settings): when the OS proxy settings change,
    the next request gets a new client and the old one is closed at shutdown.
    """

    def __init__(self) -> None:
        self._clients: dict[tuple[str, ClientSettings, tuple[tuple[str, str], ...]], httpx.Client]
        self._clients = {}
        self._lock = threading.Lock()

    def client(self, key: str, settings: ClientSettings | None = None) -> httpx.Client:
        settings = settings or ClientSettings()
        full = (key, settings, proxy_settings())
        with self._lock:
            found = self._clients.get(full)
            if found is None or found.is_closed:
                found = self._clients[full] = make_client(settings)
            return found

    def close(self) -> None:
        """Close every client (their idle connections); the next request opens new ones."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


_POOL = ClientPool()
atexit.register(_POOL.close)


def pooled_client(key: str, settings: ClientSettings | None = None) -> httpx.Client:
    """The shared client of `key` (e.g. "sync:crm", "notify:slack")."""
    return _POOL.client(key, settings)


def close_clients() -> None:
    """Close all pooled clients; call at shutdown (also registered with atexit)."""
    _POOL.close()


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One request, body read; CertificateError or NetworkError when no HTTP answer came.

    Neither message holds the URL's path or query, nor any header: only the host.
    """
    try:
        return client.request(method, url, content=content, headers=headers)
    except httpx.RequestError as exc:
        host = host_of(url)
        untrusted = certificate_failure(exc)
        if untrusted is not None:
            raise CertificateError(host, untrusted) from None
        raise NetworkError(host, network_reason(exc)) from None


def host_of(url: str | httpx.URL) -> str:
    """`host` or `host:port` of a URL, for messages (never its path, query or user info)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "an unknown host"
    host = parsed.host or "an unknown host"
    return f"{host}:{parsed.port}" if parsed.port else host


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(found) < 10:
        found.append(seen)
        seen = seen.__cause__ or seen.__context__
    return found


def certificate_failure(exc: BaseException) -> str | None:
    """The verification message when `exc` (or what caused it) is a certificate failure."""
    for seen in _causes(exc):
        if isinstance(seen, ssl.SSLCertVerificationError):
            return str(seen.verify_message or seen.reason or "certificate verify failed")
    return None


def network_reason(exc: httpx.RequestError) -> str:
    """Why no answer came, in a few plain words."""
    causes = _causes(exc)
    if isinstance(exc, httpx.TimeoutException) or any(isinstance(c, TimeoutError) for c in causes):
        return "timed out"
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy refused the connection: {exc}"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "unknown host"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return "TLS failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection dropped mid-reply"
    if isinstance(exc, httpx.ReadError | httpx.WriteError) or any(
        isinstance(c, ConnectionError) for c in causes
    ):
        return "the connection dropped"
    if isinstance(exc, httpx.DecodingError):
        return "the reply could not be decoded"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return type(exc).__name__


class _RedactUrls(logging.Filter):
    """httpx logs each request with its URL; keep only the origin (paths may hold secrets)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) > 1:
            url = record.args[1]
            if isinstance(url, httpx.URL):
                origin = f"{url.scheme}://{host_of(url)}/…"
                record.args = (record.args[0], origin, *record.args[2:])
        return True


_REDACT = _RedactUrls()


def _redact_request_logs() -> None:
    logger = logging.getLogger("httpx")
    if _REDACT not in logger.filters:
        logger.addFilter(_REDACT)
