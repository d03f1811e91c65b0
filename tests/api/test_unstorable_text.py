"""A string PostgreSQL cannot store as text (a NUL character, an unpaired surrogate) is bad
input wherever it comes: a 400 or 404 with the API's error shape, never a 500 (schemathesis
found the body case)."""

from __future__ import annotations

import httpx

from tests.api.conftest import AgentDesk, CashierDesk


def test_in_an_agent_body(client: httpx.Client, agent_desk: AgentDesk) -> None:
    auth = {"Authorization": f"Bearer {agent_desk.token}", "Content-Type": "application/json"}
    for raw in (
        b'{"username": "abc\\u0000def", "email": "a@b.co", "password": "secret123"}',
        b'{"playerUsername": "\\ud800x"}',
    ):
        for path in ("/api/player/register", "/api/player/search", "/api/agents"):
            answer = client.post(path, content=raw, headers=auth)
            assert answer.status_code == 400, answer.text
            assert answer.json()["error"]["code"] == "BAD_REQUEST"


def test_in_a_cashier_body_query_or_path(client: httpx.Client, cashier_desk: CashierDesk) -> None:
    auth = {"Authorization": f"Bearer {cashier_desk.token}", "Content-Type": "application/json"}
    key = {"key": cashier_desk.key}
    body = client.post(
        "/api/cashier/players",
        params=key,
        content=b'{"username": "abc\\u0000defg", "password": "secret123"}',
        headers=auth,
    )
    assert body.status_code == 400 and body.json()["fail"] is True, body.text
    search = client.get("/api/cashier/players", params={**key, "search": "a\x00b"}, headers=auth)
    assert search.status_code == 400 and search.json()["fail"] is True, search.text
    by_name = client.get("/api/cashier/player", params={**key, "username": "a\x00"}, headers=auth)
    assert by_name.status_code in (400, 404) and by_name.json()["fail"] is True, by_name.text
    path = client.get("/api/cashier/players/a%00b", params=key, headers=auth)
    assert path.status_code in (400, 404) and path.json()["fail"] is True, path.text
    bad_key = client.get("/api/cashier/me", params={"key": "k\x00"}, headers=auth)
    assert bad_key.status_code == 403 and bad_key.json()["fail"] is True, bad_key.text
