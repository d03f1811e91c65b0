"""Login, refresh, body credentials, the login rate limit, the envelope on every answer."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from tests.agents.conftest import PASSWORD, Desk, login
from tests.support import LoopThread, Server
from wallet.directory.agents import Agent
from wallet.ledger.database import LedgerDB

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def assert_envelope(answer: httpx.Response, status: int, code: str | None = None) -> Any:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) >= {"success", "data", "error", "meta"}, body
    assert body["meta"]["requestId"] == answer.headers["x-request-id"]
    assert TIMESTAMP.fullmatch(body["meta"]["timestamp"])
    if code is None:
        assert body["success"] is True and body["error"] is None
        return body["data"]
    assert body["success"] is False and body["data"] is None
    assert body["error"]["code"] == code and body["error"]["message"], body
    return body["error"]


def test_login_answers_a_4h_token_that_opens_the_wallet(
    api: httpx.Client, make_agent: Callable[..., Agent], agent_server: Server
) -> None:
    agent = make_agent(11500)
    data = assert_envelope(login(api, agent.username), 200)
    assert re.fullmatch(r"tok_[0-9a-f]{48}", data["token"])
    Server.extra_secrets.add(data["token"])
    assert data["affiliateId"] == str(agent.id)
    assert data["ttlSeconds"] == 14400
    assert TIMESTAMP.fullmatch(data["expiresAt"])
    answer = api.post("/api/balance", headers={"Authorization": f"Bearer {data['token']}"}, json={})
    wallet = assert_envelope(answer, 200)
    assert wallet == {
        "affiliateId": str(agent.id),
        "username": agent.username,
        "balance": 115,
        "credit": 0,
        "creditLine": 0,
        "totalAvailable": 115,
        "bonus": 0,
        "frozenBalance": 0,
        "currency": "PHP",
        "decimals": 2,  # beside the document's fields
    }
    # The request's id is in its log line too; the token and password are not.
    log = agent_server.settled_log()
    assert answer.json()["meta"]["requestId"] in log
    assert data["token"] not in log and PASSWORD not in log


def test_wrong_credentials_are_401(api: httpx.Client, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent()
    assert_envelope(login(api, agent.username, "wrong-password"), 401, "AUTH_ERROR")
    assert_envelope(login(api, "nobody_like_this"), 401, "AUTH_ERROR")
    assert_envelope(api.post("/api/auth/login", json={}), 400, "BAD_REQUEST")
    assert_envelope(api.post("/api/auth/login", content=b"{nope"), 400, "BAD_REQUEST")
    assert_envelope(
        api.post("/api/auth/login", json={"agentUsername": 5, "agentPassword": "x"}),
        400,
        "BAD_REQUEST",
    )


def test_no_forged_or_missing_token_passes(api: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer tok_" + "0" * 48}, {"Authorization": "Bearer"}):
        assert_envelope(api.post("/api/balance", json={}, headers=headers), 401, "AUTH_ERROR")


def test_refresh_kills_the_old_token(open_desk: Callable[..., Desk], api: httpx.Client) -> None:
    desk = open_desk(100)
    answer = api.post("/api/auth/refresh", headers={"Authorization": f"Bearer {desk.token}"})
    data = assert_envelope(answer, 200)
    Server.extra_secrets.add(data["token"])
    assert data["token"] != desk.token and data["affiliateId"] == str(desk.agent.id)
    assert_envelope(desk.call("/balance"), 401, "AUTH_ERROR")
    again = api.post("/api/auth/refresh", headers={"Authorization": f"Bearer {desk.token}"})
    assert_envelope(again, 401, "AUTH_ERROR")
    desk.token = data["token"]
    assert desk.balance()["balance"] == 1


def test_an_expired_token_is_401(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk()
    loop.run(
        ledger.all(
            "UPDATE agent_tokens SET expires_at = now() - interval '1 second' WHERE agent_id = %s",
            (desk.agent.id,),
        )
    )
    assert_envelope(desk.call("/balance"), 401, "AUTH_ERROR")
    refresh = desk.client.post(
        "/api/auth/refresh", headers={"Authorization": f"Bearer {desk.token}"}
    )
    assert_envelope(refresh, 401, "AUTH_ERROR")


def test_body_credentials_instead_of_a_token(
    api: httpx.Client, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent(5000)
    body = {"agentUsername": agent.username, "agentPassword": PASSWORD}
    assert assert_envelope(api.post("/api/balance", json=body), 200)["balance"] == 50
    wrong = {"agentUsername": agent.username, "agentPassword": "not-it"}
    assert_envelope(api.post("/api/balance", json=wrong), 401, "AUTH_ERROR")


def _wait_for_a_fresh_minute() -> None:
    """The limit counts in one-minute windows: start well inside one."""
    into = time.time() % 60
    if into > 50:
        time.sleep(61 - into)


def test_login_attempts_are_rate_limited(
    start_server: Callable[[Mapping[str, str]], Server],
    make_agent: Callable[..., Agent],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    server = start_server({"AGENT_LOGIN_RATE_LIMIT_PER_MINUTE": "3"})
    agent = make_agent()
    _wait_for_a_fresh_minute()
    # Every test logs in from 127.0.0.1: this one starts from an empty count.
    loop.run(ledger.all("DELETE FROM rate_limits WHERE bucket LIKE 'agent_login:%%'"))
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        codes = [login(client, agent.username, "wrong-password").status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        limited = login(client, agent.username)  # even the right password, this minute
        error = assert_envelope(limited, 429, "RATE_LIMITED")
        assert int(limited.headers["retry-after"]) >= 1 and error["message"]
        # Failed body credentials count against the same limit.
        body = {"agentUsername": agent.username, "agentPassword": "wrong-password"}
        assert_envelope(client.post("/api/balance", json=body), 429, "RATE_LIMITED")


def test_unknown_paths_and_methods_answer_the_envelope(api: httpx.Client) -> None:
    assert_envelope(api.get("/api/nothing/here"), 404, "NOT_FOUND")
    assert_envelope(api.get("/api/transfer/nothing"), 404, "NOT_FOUND")
    assert_envelope(api.get("/api/balance"), 404, "NOT_FOUND")  # a POST endpoint
    data = assert_envelope(api.get("/api/health"), 200)
    assert data["status"] == "ok" and data["database"] == "ok"


def test_the_cashier_api_still_answers_beside_it(api: httpx.Client) -> None:
    """Both APIs share /api: the cashier's paths still reach the cashier API."""
    answer = api.post("/api/login", params={"key": "no-such-key"}, json={})
    assert answer.status_code == 403
    assert answer.json() == {"fail": True, "message": "Invalid API key."}
    me = api.get("/api/cashier/me", params={"key": "no-such-key"})
    assert me.status_code == 403 and me.json()["message"] == "Invalid API key."
