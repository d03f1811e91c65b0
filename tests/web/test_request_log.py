"""Issue #21, finding 1: every request gets its log line, whatever the handler noted. The
transfer-wallet API noted `status=`, which collided with the line's own `status`: the log call
raised after the answer, the line was lost and the keep-alive connection was reset.

One server with every interface configured, one keep-alive connection for all the calls: each
call of each interface (a success and a refusal where there is one) must find its own log line
(by its X-Request-Id) with its method, path and status, and no call may meet a reset."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from loadtest.studios import ambslot, igamingace
from tests.agents.conftest import PASSWORD, PASSWORD_HASH
from tests.cashier.conftest import GENEROUS as CASHIER_GENEROUS
from tests.cashier.conftest import make_cashier, make_key, make_shop
from tests.support import LoopThread, Server
from tests.transfer.conftest import SIM_KEY, STUDIO, StudioSim
from wallet.access.operator_keys import create_operator_key
from wallet.directory.agents import create_agent
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB
from wallet.web.requestlog import note


@pytest.fixture(scope="module")
def simulator() -> Iterator[StudioSim]:
    sim = StudioSim()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def every_interface(db_url: str, simulator: StudioSim) -> Iterator[Server]:
    studio = {**simulator.studio_json, "timeout_s": 5, "retries": 0}
    env = {
        **CASHIER_GENEROUS,
        "AGENT_LOGIN_RATE_LIMIT_PER_MINUTE": "100000",
        "TRANSFER_STUDIOS": json.dumps({STUDIO: studio}),
        "TRANSFER_RECONCILE_INTERVAL_S": "0",
    }
    Server.extra_secrets.update({SIM_KEY, PASSWORD})
    srv = Server(db_url, env).start()
    yield srv
    srv.stop()


class Calls:
    """Requests on one keep-alive connection, each under its own request id."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.sent: dict[str, tuple[str, str, int]] = {}  # request id -> method, path, status

    def send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        request_id = f"rl-{secrets.token_hex(8)}"
        headers = {"x-request-id": request_id, **kw.pop("headers", {})}
        answer = self.client.request(method, path, headers=headers, **kw)
        assert answer.headers["x-request-id"] == request_id
        # Every answer, whatever its interface, is never read as another type (issue #21).
        assert answer.headers.get_list("x-content-type-options") == ["nosniff"], path
        self.sent[request_id] = (method, path.partition("?")[0], answer.status_code)
        return answer


def test_note_cannot_collide_with_the_lines_own_keys() -> None:
    class Scoped:
        def __init__(self) -> None:
            self.scope: dict[str, Any] = {}

    request: Any = Scoped()
    note(request, status="done", path="x", caller="operator", event="e", level="l")
    assert request.scope["wallet.log"] == {
        "note_status": "done",
        "note_path": "x",
        "caller": "operator",
        "note_event": "e",
        "note_level": "l",
    }


def test_every_interfaces_calls_are_logged_and_the_connection_lives(
    every_interface: Server,
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    srv, player = every_interface, make_player("THB", 100_000)
    operator_key = secrets.token_urlsafe(32)
    loop.run(create_operator_key(ledger, f"rl{secrets.token_hex(4)}", operator_key))
    Server.extra_secrets.add(operator_key)
    with httpx.Client(base_url=srv.base_url, timeout=15) as client:
        calls = Calls(client)
        _pages(calls)
        _studios(calls, player)
        _transfer_wallet(calls, player, operator_key)
        _cashier_api(calls, ledger, loop)
        _agent_api(calls, ledger, loop)
        _pages(calls)  # the same connection still answers after all of them
    log = srv.settled_log()
    assert "Exception in ASGI application" not in log and "Traceback" not in log
    lines = {}
    for text in log.splitlines():
        if text.startswith("{") and '"event": "request"' in text:
            line = json.loads(text)
            lines[line["request_id"]] = line
    missing = {rid: sent for rid, sent in calls.sent.items() if rid not in lines}
    assert not missing, f"calls without a log line: {missing}"
    for request_id, (method, path, status) in calls.sent.items():
        line = lines[request_id]
        assert (line["method"], line["path"], line["status"]) == (method, path, status), line
    transfer_lines = [line for line in lines.values() if line["path"].startswith("/transfer-")]
    assert {line.get("note_status") or line.get("move_status") for line in transfer_lines} >= {
        "done"
    }


def _pages(calls: Calls) -> None:
    assert calls.send("GET", "/health").status_code == 200
    assert calls.send("GET", "/openapi.json").status_code == 200
    assert calls.send("GET", "/docs").status_code == 200
    assert calls.send("GET", "/cashier").status_code == 200
    assert calls.send("GET", "/agent").status_code == 200
    assert calls.send("GET", "/agent/static/dashboard.js").status_code == 200
    assert calls.send("GET", "/docs/static/swagger-ui.css").status_code == 200
    assert calls.send("GET", "/metrics").status_code == 200  # from loopback, no token set
    assert calls.send("GET", "/nowhere").status_code == 404


def _studios(calls: Calls, player: Player) -> None:
    fields = ambslot.callback_fields("bet", player.username, secrets.token_hex(6), amount_minor=100)
    body = ambslot.encode(fields)
    for _ in range(2):  # the bet, then its replay
        answer = calls.send("POST", "/ambslot/bet", content=body)
        assert answer.json()["status"]["code"] == 0, answer.text
    assert calls.send("POST", "/ambslot/bet", content=b"{broken").status_code == 200
    ace = igamingace.callback_fields("Withdraw", player.username, amount_minor=100)
    answer = calls.send("POST", "/igamingace/Withdraw", content=igamingace.encode(ace))
    assert answer.json()["code"] == 0, answer.text
    balance = igamingace.callback_fields("GetBalance", player.username)
    calls.send("POST", "/igamingace/GetBalance", content=igamingace.encode(balance))


def _transfer_wallet(calls: Calls, player: Player, operator_key: str) -> None:
    headers = {"authorization": f"Bearer {operator_key}", "idempotency-key": secrets.token_hex(6)}
    body = {"player": player.username, "amount": "10.00"}
    path = f"/transfer-wallet/{STUDIO}/deposit"
    for _ in range(2):  # done, then its replay: each noted status= before the fix
        answer = calls.send("POST", path, json=body, headers=headers)
        assert answer.status_code == 200, answer.text
    back = {"player": player.username, "amount": "10.00"}
    headers = {**headers, "idempotency-key": secrets.token_hex(6)}
    answer = calls.send("POST", f"/transfer-wallet/{STUDIO}/withdraw", json=back, headers=headers)
    assert answer.status_code == 200, answer.text
    assert calls.send("POST", path, json=body).status_code == 401


def _cashier_api(calls: Calls, ledger: LedgerDB, loop: LoopThread) -> None:
    shop = make_shop(ledger, loop, "default", 100_000)
    _, username, password = make_cashier(ledger, loop, shop)
    key = make_key(ledger, loop, shop)
    credentials = {"username": username, "password": password}
    answer = calls.send("POST", f"/api/login?key={key}", json=credentials)
    assert answer.status_code == 200, answer.text
    token = answer.json()["token"]
    Server.extra_secrets.add(token)
    auth = {"authorization": f"Bearer {token}"}
    assert calls.send("GET", f"/api/cashier/me?key={key}", headers=auth).status_code == 200
    assert calls.send("GET", "/api/cashier/me?key=wrong", headers=auth).status_code == 403


def _agent_api(calls: Calls, ledger: LedgerDB, loop: LoopThread) -> None:
    name = f"rl_{secrets.token_hex(5)}"
    loop.run(create_agent(ledger, 1, name, PASSWORD_HASH, "PHP", opening_minor=1000))
    credentials = {"agentUsername": name, "agentPassword": PASSWORD}
    answer = calls.send("POST", "/api/auth/login", json=credentials)
    assert answer.status_code == 200, answer.text
    token = answer.json()["data"]["token"]
    Server.extra_secrets.add(token)
    auth = {"authorization": f"Bearer {token}"}
    assert calls.send("POST", "/api/balance", json={}, headers=auth).status_code == 200
    assert calls.send("POST", "/api/balance", json={}).status_code == 401
    assert calls.send("POST", "/api/nothing-here", json={}).status_code == 404
