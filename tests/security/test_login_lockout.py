"""Issue #21, finding 2: logins throttled per account as well as per client address. After
LOGIN_FAILURES_MAX failures an account's logins answer 429 with Retry-After for LOGIN_LOCKOUT_S,
even with the right password, and a name that does not exist gets exactly the same answers."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.agents.conftest import PASSWORD, PASSWORD_HASH
from tests.cashier.conftest import GENEROUS as CASHIER_GENEROUS
from tests.cashier.conftest import login, make_cashier, make_key, make_shop
from tests.support import LoopThread, Server
from wallet.config import Settings
from wallet.directory.agents import create_agent
from wallet.ledger.database import LedgerDB

LOCKOUT_S = 4
SETTINGS = {
    **CASHIER_GENEROUS,
    "AGENT_LOGIN_RATE_LIMIT_PER_MINUTE": "100000",
    "LOGIN_FAILURES_MAX": "3",
    "LOGIN_LOCKOUT_S": str(LOCKOUT_S),
}


@pytest.fixture(scope="module")
def locking_server(db_url: str) -> Iterator[Server]:
    Server.extra_secrets.add(PASSWORD)
    srv = Server(db_url, SETTINGS).start()
    yield srv
    srv.stop()


def _shape(answer: httpx.Response) -> tuple[int, object]:
    """What an answer tells: its status and body, the seconds to wait left out."""
    body = answer.json()
    if isinstance(body, dict):
        body.pop("retry_after", None)
        body.pop("meta", None)
    if answer.status_code == 429:
        assert 1 <= int(answer.headers["retry-after"]) <= LOCKOUT_S, answer.headers
    return answer.status_code, body


def test_a_cashiers_logins_lock_after_failures_and_tell_nothing_of_the_name(
    locking_server: Server, ledger: LedgerDB, loop: LoopThread
) -> None:
    shop = make_shop(ledger, loop, "default", 0)
    (_, name, password), (_, other, other_password) = (
        make_cashier(ledger, loop, shop),
        make_cashier(ledger, loop, shop),
    )
    key = make_key(ledger, loop, shop)
    with httpx.Client(base_url=locking_server.base_url, timeout=10) as client:
        tried = {}
        for username in (name, "nobody_" + secrets.token_hex(4)):
            answers = [login(client, key, username, "wrong-password") for _ in range(3)]
            answers.append(login(client, key, username, password))  # even the right one
            tried[username] = [_shape(answer) for answer in answers]
        known, unknown = tried.values()
        assert known == unknown
        invalid = (400, {"fail": True, "message": "Invalid credentials."})
        locked = (429, {"fail": True, "message": "Too many failed logins. Please retry later."})
        assert tried[name] == [invalid, invalid, invalid, locked]
        # Another account of the shop is not touched; a success forgets the failures.
        for _ in range(2):
            assert login(client, key, other, "wrong-password").status_code == 400
            assert login(client, key, other, other_password).status_code == 200
        time.sleep(LOCKOUT_S + 0.5)
        assert login(client, key, name, password).status_code == 200  # the window has ended


def test_an_agents_logins_and_body_credentials_lock_the_same_way(
    locking_server: Server, ledger: LedgerDB, loop: LoopThread
) -> None:
    name = f"lk_{secrets.token_hex(5)}"
    loop.run(create_agent(ledger, 1, name, PASSWORD_HASH, "PHP"))
    with httpx.Client(base_url=locking_server.base_url, timeout=10) as client:
        tried = {}
        for username in (name, "nobody_" + secrets.token_hex(4)):
            wrong = {"agentUsername": username, "agentPassword": "wrong-password"}
            answers = [client.post("/api/auth/login", json=wrong) for _ in range(2)]
            answers.append(client.post("/api/balance", json=wrong))  # body credentials count
            right = {"agentUsername": username, "agentPassword": PASSWORD}
            answers.append(client.post("/api/auth/login", json=right))
            answers.append(client.post("/api/balance", json=right))
            tried[username] = [_shape(answer) for answer in answers]
        known, unknown = tried.values()
        assert known == unknown
        assert [status for status, _ in tried[name]] == [401, 401, 401, 429, 429]
        error = tried[name][3][1]
        assert isinstance(error, dict) and error["error"]["code"] == "RATE_LIMITED"
        time.sleep(LOCKOUT_S + 0.5)
        right = {"agentUsername": name, "agentPassword": PASSWORD}
        answer = client.post("/api/auth/login", json=right)
        assert answer.status_code == 200
        Server.extra_secrets.add(answer.json()["data"]["token"])


def test_the_defaults_lock_after_five_failures_for_fifteen_minutes() -> None:
    defaults = Settings()
    assert (defaults.login_failures_max, defaults.login_lockout_s) == (5, 900)
    assert defaults.forwarded_allow_ips == ""
