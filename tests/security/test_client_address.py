"""Issue #21, finding 2: X-Forwarded-For was believed from loopback (uvicorn's default), so a
client on the host picked its own address: past an API key's IP allowlist, out of the login rate
limits. Proxies are now believed only when FORWARDED_ALLOW_IPS names them; every check judges
the real peer."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping

import httpx

from loadtest.studios import ambslot
from tests.cashier.conftest import GENEROUS as CASHIER_GENEROUS
from tests.cashier.conftest import login, make_cashier, make_key, make_shop
from tests.support import LoopThread, Server
from wallet.cashier.gate import IP_REFUSED
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB

ALLOWED = "198.51.100.7"  # the only client address the API key allows


def _line_of(srv: Server, request_id: str) -> dict[str, object]:
    for text in srv.settled_log().splitlines():
        if request_id in text and text.startswith("{"):
            line: dict[str, object] = json.loads(text)
            if line.get("request_id") == request_id:
                return line
    raise AssertionError(f"no log line of {request_id}")


def _desk(ledger: LedgerDB, loop: LoopThread) -> tuple[str, str, str]:
    shop = make_shop(ledger, loop, "default", 0)
    _, username, password = make_cashier(ledger, loop, shop)
    return make_key(ledger, loop, shop, ips=(f"{ALLOWED}/32",)), username, password


def test_without_trusted_proxies_a_header_changes_no_address(
    start_server: Callable[[Mapping[str, str]], Server],
    ledger: LedgerDB,
    loop: LoopThread,
    make_player: Callable[..., Player],
) -> None:
    srv = start_server(CASHIER_GENEROUS)  # FORWARDED_ALLOW_IPS unset: none
    key, username, password = _desk(ledger, loop)
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        plain = login(client, key, username, password)
        assert (plain.status_code, plain.json()["message"]) == (403, IP_REFUSED)
        for forged in (ALLOWED, f"203.0.113.1, {ALLOWED}"):
            client.headers.update({"x-forwarded-for": forged, "x-request-id": secrets.token_hex(8)})
            answer = login(client, key, username, password)
            assert (answer.status_code, answer.json()["message"]) == (403, IP_REFUSED), forged
            assert _line_of(srv, client.headers["x-request-id"])["client"] == "127.0.0.1"
        # AMBSlot allows loopback only: a header naming another address changes nothing either.
        player = make_player("THB", 1000)
        fields = {"username": player.username, "agentId": "ambdemo"}
        answer = ambslot.post(client, "balance", fields, headers={"x-forwarded-for": "203.0.113.9"})
        assert answer.json()["status"]["code"] == 0, answer.text


def test_the_login_rate_limits_count_the_real_peer(
    start_server: Callable[[Mapping[str, str]], Server], ledger: LedgerDB, loop: LoopThread
) -> None:
    srv = start_server(
        {"AGENT_LOGIN_RATE_LIMIT_PER_MINUTE": "3", "API_LOGIN_RATE_LIMIT_PER_MINUTE": "3"}
    )
    shop = make_shop(ledger, loop, "default", 0)
    key = make_key(ledger, loop, shop)
    if time.time() % 60 > 50:  # the limits count in one-minute windows: start well inside one
        time.sleep(61 - time.time() % 60)
    loop.run(ledger.all("DELETE FROM rate_limits WHERE bucket LIKE 'agent_login:%%'"))
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        agent_codes, cashier_codes = [], []
        for attempt in range(5):  # a new address and a new name each time
            forged = {"x-forwarded-for": f"203.0.113.{attempt + 1}"}
            body = {"agentUsername": f"nobody{attempt}", "agentPassword": "wrong-password"}
            answer = client.post("/api/auth/login", json=body, headers=forged)
            agent_codes.append(answer.status_code)
            credentials = {"username": f"n{attempt}", "password": "wrong-password"}
            cashier = client.post(
                "/api/login", params={"key": key}, json=credentials, headers=forged
            )
            cashier_codes.append(cashier.status_code)
        assert agent_codes == [401, 401, 401, 429, 429]
        assert cashier_codes == [400, 400, 400, 429, 429]


def test_a_trusted_proxy_gives_the_client_address(
    start_server: Callable[[Mapping[str, str]], Server], ledger: LedgerDB, loop: LoopThread
) -> None:
    srv = start_server({**CASHIER_GENEROUS, "FORWARDED_ALLOW_IPS": "127.0.0.1/32"})
    key, username, password = _desk(ledger, loop)
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        assert login(client, key, username, password).status_code == 403  # the proxy itself
        request_id = secrets.token_hex(8)
        headers = {"x-forwarded-for": f"203.0.113.1, {ALLOWED}", "x-request-id": request_id}
        client.headers.update(headers)
        answer = login(client, key, username, password)
        assert answer.status_code == 200, answer.text
        Server.extra_secrets.add(answer.json()["token"])
        # The nearest address the proxy appended counts, not what the client claimed before it.
        assert _line_of(srv, request_id)["client"] == ALLOWED
