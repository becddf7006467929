"""The one HTTP client over real TLS on 127.0.0.1: the OS trust store, certificate failures, a proxy."""

from __future__ import annotations

import logging
from http.server import ThreadingHTTPServer

import pytest
import truststore

from slaapp.infra.http import CertificateError, close_clients, trust_context
from slaapp.notify.channel import ChannelError
from slaapp.notify.webhook import post_json
from slaapp.sync.connections import Connection, save_connection
from slaapp.sync.connector import SourceError
from slaapp.sync.mapping import default_mapping
from slaapp.sync.service import probe_connection, sync_source
from slaapp.sync.sources import ConnectOptions

from .fake_hubspot import TOKEN, HubSpotState, _Server, seed_org
from .fake_slack import FakeSlack, _handler
from .tls_helpers import ConnectProxy, TestCA, connect_proxy, https_url, make_ca, serve_https

NOW = 1_764_500_000
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def clean_network(monkeypatch):
    """No proxy from the machine and fresh pooled clients (conftest gives a memory keyring)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    close_clients()
    yield
    close_clients()


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory) -> TestCA:
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory) -> TestCA:
    return make_ca(tmp_path_factory.mktemp("other-ca"), "some other CA")


@pytest.fixture
def trusted(monkeypatch, test_ca):
    """The test CA in the OS trust store, as OpenSSL reads it on Linux (SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))


@pytest.fixture
def untrusted(monkeypatch, other_ca):
    """A trust store that holds another CA (and the system's), not the test CA."""
    monkeypatch.setenv("SSL_CERT_FILE", str(other_ca.ca_file))


@pytest.fixture
def hubspot(database, test_ca):
    """The fake HubSpot over HTTPS with the test CA's certificate, and a saved connection to it."""
    state = HubSpotState()
    seed_org(state, contacts=250, deals=3)
    server = _Server(state)
    with serve_https(server, test_ca) as handshakes:
        url = https_url(server)
        save_connection(database, Connection("crm", "hubspot", url=url,
                                             mapping=default_mapping().to_document()), NOW)  # fmt: skip
        yield url, state, handshakes


@pytest.fixture
def receiver(test_ca):
    """A webhook receiver (the Slack fake's handler) over HTTPS."""
    fake = FakeSlack()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    with serve_https(server, test_ca) as handshakes:
        yield https_url(server, "/services/T000/B000/XXXXSECRETXXXX"), fake, handshakes


def sync(database, waits: list[float] | None = None, **options):
    waits = waits if waits is not None else []
    return sync_source(database, "crm", None, lambda: NOW, token=TOKEN,
                       options=ConnectOptions(sleep=waits.append, rand=lambda: 0.5, **options))  # fmt: skip


def test_the_client_verifies_with_the_os_trust_store():
    assert isinstance(trust_context(), truststore.SSLContext)


def test_a_sync_over_https_trusts_a_ca_in_the_os_trust_store(database, hubspot, trusted):
    _, state, handshakes = hubspot
    report = sync(database)
    assert report.ok, report.message
    assert report.records == 253
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in state.requests)
    assert handshakes.failures == []


def test_a_private_ca_file_is_trusted_on_top_of_the_os_store(database, hubspot, untrusted, test_ca):
    report = sync(database, ca_file=str(test_ca.ca_file))
    assert report.ok, report.message


def test_an_untrusted_certificate_fails_at_once_naming_the_host(database, hubspot, untrusted):
    url, state, handshakes = hubspot
    waits: list[float] = []
    report = sync(database, waits)
    assert report.state == "failed"
    host = url.removeprefix("https://")
    assert f"the certificate of {host} is not trusted" in report.message
    assert "TLS inspection" in report.message and "ask IT" in report.message
    assert handshakes.connections == 1 and waits == []  # one attempt, no backoff
    assert state.requests == []
    with pytest.raises(SourceError) as caught:
        probe_connection(database, "crm", TOKEN, ConnectOptions(sleep=waits.append))
    assert isinstance(caught.value.__cause__, CertificateError)
    assert caught.value.__cause__.host == host
    assert handshakes.connections == 2 and waits == []
    assert TOKEN not in report.message and TOKEN not in str(caught.value)


def test_a_webhook_posts_over_https_with_the_os_trust_store(receiver, trusted):
    url, fake, _ = receiver
    answer = post_json(url, {"text": "hello"}, "Slack", {}, 5.0)
    assert (answer.status, answer.body) == (200, "ok")
    assert fake.bodies == [{"text": "hello"}]


def test_a_webhook_with_an_untrusted_certificate_is_not_retried(receiver, untrusted):
    url, fake, handshakes = receiver
    with pytest.raises(ChannelError) as caught:
        post_json(url, {"text": "hello"}, "Slack", {}, 5.0)
    error = caught.value
    assert not error.retryable and handshakes.connections == 1 and fake.bodies == []
    assert str(error).startswith("Slack: the certificate of 127.0.0.1:")
    assert "TLS inspection" in str(error) and "XXXXSECRETXXXX" not in str(error)


@pytest.fixture
def proxy(monkeypatch):
    with connect_proxy() as running:
        monkeypatch.setenv("HTTPS_PROXY", running.url)
        yield running


def test_a_sync_goes_through_the_https_proxy_and_no_proxy_bypasses_it(
    database, hubspot, trusted, proxy: ConnectProxy, monkeypatch
):
    url, state, _ = hubspot
    target = url.removeprefix("https://")
    report = sync(database)
    assert report.ok, report.message
    assert proxy.tunnels and set(proxy.tunnels) == {target}
    assert len(proxy.tunnels) >= len(state.requests) > 0  # every request went through a tunnel

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    tunnels, requests = len(proxy.tunnels), len(state.requests)
    again = sync(database)
    assert again.ok, again.message
    assert len(state.requests) > requests and len(proxy.tunnels) == tunnels


def test_a_webhook_goes_through_the_proxy(receiver, trusted, proxy: ConnectProxy):
    url, fake, _ = receiver
    assert post_json(url, {"text": "via proxy"}, "Slack", {}, 5.0).body == "ok"
    assert proxy.tunnels == [url.removeprefix("https://").split("/")[0]]
    assert fake.bodies == [{"text": "via proxy"}]


def test_an_untrusted_certificate_behind_the_proxy_names_the_host(
    database, hubspot, untrusted, proxy: ConnectProxy
):
    url, _, handshakes = hubspot
    report = sync(database)
    assert report.state == "failed" and "TLS inspection" in report.message
    assert url.removeprefix("https://") in report.message
    assert len(proxy.tunnels) == 1 and handshakes.connections == 1


def test_request_logs_keep_only_the_origin(receiver, trusted, caplog):
    url, _, _ = receiver
    caplog.set_level(logging.DEBUG)
    post_json(url, {"text": "hello"}, "Slack", {"Authorization": "Bearer tok-9"}, 5.0)
    assert "HTTP Request: POST https://127.0.0.1:" in caplog.text
    assert "XXXXSECRETXXXX" not in caplog.text and "tok-9" not in caplog.text


@pytest.mark.parametrize(
    ("reason", "advice"),
    [
        ("unable to get local issuer certificate", "probably TLS inspection"),
        ("self-signed certificate in certificate chain", "ask IT to install the proxy's root"),
        ("certificate has expired", "Check this computer's date and time"),
        ("Hostname mismatch, certificate is not valid for 'crm.example'", "Check the address"),
    ],
)
def test_certificate_errors_say_what_to_do(reason, advice):
    error = CertificateError("crm.example", reason)
    assert str(error).startswith(f"the certificate of crm.example is not trusted ({reason}). ")
    assert advice in str(error)
