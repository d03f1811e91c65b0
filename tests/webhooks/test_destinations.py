"""Issue #21, finding 3: webhooks reached inside (the metadata service, private networks,
loopback written as 0x7f000001 or 2130706433, the server's own /ambslot/bet). The guard
(wallet/webhooks/destinations.py) is checked here at registration, through a real server, and
at connection time through a stubbed resolver and network backend: no test sends a byte to an
address outside loopback, and no test asks a real resolver."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
import httpx
import pytest

from tests.agents.conftest import GENEROUS, PASSWORD, PASSWORD_HASH, login
from tests.agents.test_auth import assert_envelope
from tests.support import Server, free_port
from wallet.config import Settings
from wallet.directory.agents import create_agent
from wallet.webhooks.deliveries import Claimed
from wallet.webhooks.destinations import (
    DestinationRefused,
    GuardedBackend,
    Policy,
    check_url,
    this_host,
    written_address,
)
from wallet.webhooks.worker import guarded_client, headers_of, send, signature

OWN_PORT = 8000
STRICT = Policy(allow_private=False, allow_http=False, own_port=OWN_PORT)
HTTP_OK = Policy(allow_private=False, allow_http=True, own_port=OWN_PORT)
DEVELOPMENT = Policy(allow_private=True, allow_http=True, own_port=OWN_PORT)

INSIDE = [  # (url, what it is): every one refused by default, http allowed or not
    ("http://169.254.169.254/latest/meta-data/", "the cloud's metadata service"),
    ("http://10.0.0.1/", "RFC 1918"),
    ("http://172.16.0.1/", "RFC 1918"),
    ("http://192.168.1.1/", "RFC 1918"),
    ("http://100.64.0.1/", "shared address space"),
    ("http://127.0.0.1:9000/", "loopback"),
    ("http://127.1:9000/", "loopback, short form"),
    ("http://0177.0.0.1:9000/", "loopback, octal"),
    ("http://0x7f000001:9000/", "loopback, hex"),
    ("http://2130706433:9000/", "loopback, one number"),
    ("http://[::1]:9000/", "IPv6 loopback"),
    ("http://[::ffff:127.0.0.1]:9000/", "IPv4-mapped loopback"),
    ("http://[::ffff:7f00:1]:9000/", "IPv4-mapped loopback, hex"),
    ("http://[::ffff:a00:1]/", "IPv4-mapped 10.0.0.1"),
    ("http://[2002:7f00:1::]/", "6to4 of loopback"),
    ("http://[64:ff9b::a00:1]/", "NAT64 of 10.0.0.1"),
    ("http://[fe80::1]/", "IPv6 link-local"),
    ("http://[fc00::1]/", "IPv6 unique local"),
    ("http://0.0.0.0:9000/", "unspecified"),
    ("http://[::]:9000/", "IPv6 unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://255.255.255.255/", "broadcast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://192.0.2.1/", "documentation"),
    ("http://localhost:9000/", "a loopback name"),
    ("http://api.localhost/", "a loopback name"),
    ("http://printer.local/", "mDNS"),
    ("http://metadata.google.internal/", "a private-use name"),
    ("http://intranet/", "a name without a dot"),
    (f"http://127.0.0.1:{OWN_PORT}/ambslot/bet", "this server"),
]
PUBLIC = [
    "https://example.com/webhook/747",
    "https://hooks.example.com:8443/x?y=1",
    "https://93.184.216.34/hook",
    "https://[2606:4700:4700::1111]/hook",
]


@pytest.mark.parametrize(("url", "what"), INSIDE)
def test_inside_addresses_are_refused_by_default(url: str, what: str) -> None:
    for policy in (STRICT, HTTP_OK):
        with pytest.raises(DestinationRefused):
            check_url(url, policy)
        with pytest.raises(DestinationRefused):
            check_url(url.replace("http://", "https://", 1), policy)


@pytest.mark.parametrize("url", PUBLIC)
def test_public_https_destinations_are_allowed(url: str) -> None:
    check_url(url, STRICT)
    with pytest.raises(DestinationRefused, match="https"):
        check_url(url.replace("https://", "http://", 1), STRICT)
    check_url(url.replace("https://", "http://", 1), HTTP_OK)


def test_development_allows_private_but_never_this_server_unspecified_or_multicast() -> None:
    for url in ("http://127.0.0.1:9000/", "http://[::1]:9000/", "http://10.0.0.1/", "http://x/"):
        check_url(url, DEVELOPMENT)
    for url in (
        f"http://127.0.0.1:{OWN_PORT}/ambslot/bet",
        f"http://0x7f000001:{OWN_PORT}/ambslot/bet",
        f"http://[::ffff:127.0.0.1]:{OWN_PORT}/",
        f"http://localhost:{OWN_PORT}/",  # by name: refused when connecting (below)
        "http://0.0.0.0:9000/",
        "http://224.0.0.1/",
    ):
        if "localhost" in url:
            check_url(url, DEVELOPMENT)
            continue
        with pytest.raises(DestinationRefused):
            check_url(url, DEVELOPMENT)


def test_addresses_written_any_way_a_resolver_reads_them() -> None:
    loopback = ipaddress.ip_address("127.0.0.1")
    for written in ("127.0.0.1", "127.1", "0177.0.0.1", "0x7f000001", "0x7f.1", "2130706433"):
        assert written_address(written) == loopback, written
    assert written_address("[::1]") == ipaddress.ip_address("::1")
    assert written_address("example.com") is None
    assert written_address("1.example") is None


def _outbound_address() -> str:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            pytest.skip("no IPv4 route")
        return str(probe.getsockname()[0])


def test_this_machines_own_addresses_are_refused() -> None:
    mine = ipaddress.ip_address(_outbound_address())
    assert this_host(mine) and this_host(ipaddress.ip_address("127.0.0.1"))
    assert not this_host(ipaddress.ip_address("192.0.2.1"))
    with pytest.raises(DestinationRefused, match="this"):
        check_url(f"https://{mine}:9000/", STRICT)
    with pytest.raises(DestinationRefused, match="this server"):
        check_url(f"http://{mine}:{OWN_PORT}/", DEVELOPMENT)


# --- at registration, through a real server --------------------------------------------------


@pytest.fixture(scope="module")
def guarded_server(db_url: str) -> Iterator[Server]:
    """Default webhook settings but plain http (so every refusal below is for the address)."""
    env = {**GENEROUS, "WEBHOOK_ALLOW_PRIVATE": "false", "WEBHOOK_ALLOW_HTTP": "true"}
    Server.extra_secrets.add(PASSWORD)
    srv = Server(db_url, env).start()
    yield srv
    srv.stop()


def test_registration_refuses_inside_destinations(
    guarded_server: Server, loop: Any, ledger: Any
) -> None:
    name = f"wh_{secrets.token_hex(5)}"
    loop.run(create_agent(ledger, 1, name, PASSWORD_HASH, "PHP"))
    with httpx.Client(base_url=guarded_server.base_url, timeout=10) as client:
        token = login(client, name).json()["data"]["token"]
        Server.extra_secrets.add(token)
        auth = {"authorization": f"Bearer {token}"}
        own = f"http://127.0.0.1:{guarded_server.port}/ambslot/bet"
        for url in [url for url, _ in INSIDE] + [own]:
            body = {"url": url, "events": ["transfer.completed"]}
            answer = client.post("/api/webhooks/register", json=body, headers=auth)
            error = assert_envelope(answer, 400, "BAD_REQUEST")
            # (httpx itself finds 0177.0.0.1 no valid URL: refused either way)
            assert error["message"].startswith(("url refused:", "url: Value error")), (url, error)
        for url in ("https://example.com/webhook/747", "http://example.com/hook"):
            body = {"url": url, "events": ["transfer.completed"]}
            made = assert_envelope(
                client.post("/api/webhooks/register", json=body, headers=auth), 200
            )
            Server.extra_secrets.add(made["secret"])
            gone = {"webhookId": made["webhookId"]}
            assert_envelope(client.post("/api/webhooks/delete", json=gone, headers=auth), 200)


def test_the_default_settings_refuse_plain_http(
    start_server: Callable[[Mapping[str, str]], Server], loop: Any, ledger: Any
) -> None:
    defaults = {**GENEROUS, "WEBHOOK_ALLOW_PRIVATE": "false", "WEBHOOK_ALLOW_HTTP": "false"}
    srv = start_server(defaults)
    name = f"wh_{secrets.token_hex(5)}"
    loop.run(create_agent(ledger, 1, name, PASSWORD_HASH, "PHP"))
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        token = login(client, name).json()["data"]["token"]
        Server.extra_secrets.add(token)
        body = {"url": "http://example.com/hook", "events": ["transfer.completed"]}
        answer = client.post(
            "/api/webhooks/register", json=body, headers={"authorization": f"Bearer {token}"}
        )
        assert "https" in assert_envelope(answer, 400, "BAD_REQUEST")["message"]
    assert Settings().webhook_allow_private is False and Settings().webhook_allow_http is False


def test_a_development_server_refuses_its_own_port(
    start_server: Callable[[Mapping[str, str]], Server], loop: Any, ledger: Any
) -> None:
    srv = start_server(GENEROUS)  # the tests' servers allow private and http destinations
    name = f"wh_{secrets.token_hex(5)}"
    loop.run(create_agent(ledger, 1, name, PASSWORD_HASH, "PHP"))
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        token = login(client, name).json()["data"]["token"]
        Server.extra_secrets.add(token)
        auth = {"authorization": f"Bearer {token}"}
        for host in ("127.0.0.1", "0x7f000001", "[::ffff:127.0.0.1]"):
            body = {"url": f"http://{host}:{srv.port}/ambslot/bet", "events": ["transfer.failed"]}
            answer = client.post("/api/webhooks/register", json=body, headers=auth)
            assert "this server" in assert_envelope(answer, 400, "BAD_REQUEST")["message"]


# --- at connection time, through a stubbed resolver ------------------------------------------


class Resolver:
    """A resolver that answers from a table, one answer after the other per name (a rebinding
    name answers a public address first, then loopback), and counts its calls."""

    def __init__(self, table: Mapping[str, list[list[str]]]) -> None:
        self.table = {name: list(answers) for name, answers in table.items()}
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        answers = self.table[host]
        return answers.pop(0) if len(answers) > 1 else answers[0]


class Refusing(httpcore.AsyncNetworkStream):
    """What the stub backend connects: records the TLS server name, then fails the handshake."""

    def __init__(self, seen: dict[str, Any]) -> None:
        self.seen = seen

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        self.seen["sni"] = server_hostname
        raise httpcore.ConnectError("stub: no handshake")

    async def aclose(self) -> None:
        pass

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        raise AssertionError("nothing is written")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        raise AssertionError("nothing is read")


class StubBackend(httpcore.AsyncNetworkBackend):
    """Records where it was asked to connect; sends nothing anywhere."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kw: Any) -> Any:
        self.connects.append((host, port))
        return Refusing(self.seen)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _post(backend: GuardedBackend, url: str) -> httpx.Response:
    async def run() -> httpx.Response:
        settings = Settings(webhook_timeout_s=5)
        async with guarded_client(settings, backend) as client:
            return await client.post(url, content=b"{}")

    return asyncio.run(run())


@pytest.mark.parametrize(
    "answer",
    [["127.0.0.1"], ["169.254.169.254"], ["93.184.216.34", "10.0.0.1"], ["::ffff:127.0.0.1"], []],
)
def test_a_name_resolving_inside_is_refused_before_connecting(answer: list[str]) -> None:
    resolver, stub = Resolver({"hooks.example.com": [answer]}), StubBackend()
    with pytest.raises(httpx.ConnectError, match="refused"):
        _post(GuardedBackend(STRICT, resolver, stub), "https://hooks.example.com/hook")
    assert stub.connects == [] and resolver.calls == ["hooks.example.com"]


def test_the_connection_goes_to_the_checked_address_with_the_names_tls() -> None:
    """A rebinding name: public to the check, loopback on a second look. The guard looks once
    and connects to what it checked; TLS still names the host."""
    resolver = Resolver({"rebind.example.com": [["93.184.216.34"], ["127.0.0.1"]]})
    stub = StubBackend()
    with pytest.raises(httpx.ConnectError, match="stub: no handshake"):
        _post(GuardedBackend(STRICT, resolver, stub), "https://rebind.example.com/hook")
    assert stub.connects == [("93.184.216.34", 443)]
    assert resolver.calls == ["rebind.example.com"]
    assert stub.seen["sni"] == "rebind.example.com"


def test_a_written_address_is_checked_without_a_resolver() -> None:
    resolver, stub = Resolver({}), StubBackend()
    for url in ("https://0x7f000001:9000/", "https://2130706433:9000/", "https://[::1]:9000/"):
        with pytest.raises(httpx.ConnectError, match="refused"):
            _post(GuardedBackend(HTTP_OK, resolver, stub), url)
    assert resolver.calls == [] and stub.connects == []


def test_a_pinned_delivery_keeps_the_names_host_header() -> None:
    """Development settings, a real loopback receiver under a made-up name: the request reaches
    the checked address, and the receiver sees the name the URL gave."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.headers["Host"])
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    port = free_port()
    receiver = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        resolver = Resolver({"receiver.test": [["127.0.0.1"]]})
        answer = _post(GuardedBackend(DEVELOPMENT, resolver), f"http://receiver.test:{port}/hook")
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert answer.status_code == 204 and seen == [f"receiver.test:{port}"]
    own = GuardedBackend(Policy(True, True, port), Resolver({"receiver.test": [["127.0.0.1"]]}))
    with pytest.raises(httpx.ConnectError, match="this server"):
        _post(own, f"http://receiver.test:{port}/hook")


def test_the_worker_records_a_refused_destination_as_the_attempts_error() -> None:
    claimed = Claimed(
        1, 1, 1, "evt_1", "transfer.completed", "{}", 7, 1, "https://hooks.example.com/", b""
    )
    backend = GuardedBackend(
        STRICT, Resolver({"hooks.example.com": [["169.254.169.254"]]}), StubBackend()
    )

    async def run() -> Any:
        async with guarded_client(Settings(), backend) as client:
            return await send(client, claimed, "whsec_k", 5, STRICT)

    result = asyncio.run(run())
    assert result.status_code is None and "refused" in (result.error or "")
    http_claimed = Claimed(
        1, 1, 1, "evt_1", "transfer.completed", "{}", 7, 1, "http://example.com/", b""
    )

    async def plain() -> Any:
        async with guarded_client(Settings(), backend) as client:
            return await send(client, http_claimed, "whsec_k", 5, STRICT)

    assert "https" in (asyncio.run(plain()).error or "")


def test_each_delivery_is_signed_twice_and_names_its_event_and_time() -> None:
    claimed = Claimed(
        3,
        2,
        9,
        "evt_abc",
        "transfer.failed",
        '{"eventId":"evt_abc"}',
        7,
        1,
        "https://x.example/",
        b"",
    )
    body, sent_at = claimed.body.encode(), int(datetime.now(UTC).timestamp())
    headers = headers_of(claimed, "whsec_k", body, sent_at)
    # The contract's signature, exactly as the seed documents it: of the body alone.
    assert headers["X-Webhook-Signature"] == hmac.new(b"whsec_k", body, hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == signature("whsec_k", body)
    assert (headers["X-Webhook-Event"], headers["X-Webhook-Id"]) == ("transfer.failed", "7")
    assert (headers["X-Webhook-Attempt"], headers["X-Webhook-Event-Id"]) == ("2", "evt_abc")
    assert headers["X-Webhook-Timestamp"] == str(sent_at)
    stamped = hmac.new(b"whsec_k", f"{sent_at}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Timestamp-Signature"] == stamped
