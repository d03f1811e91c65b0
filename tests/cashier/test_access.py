"""Who may call: the key (and its shop), the client's address, the token (logout revokes it at
once, an expired or forged one is refused), the shop's own players only, CORS by the key's
domain, and the rate limits with 429 and Retry-After. Nothing moves on a refusal."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import httpx
import jwt

from tests.cashier.conftest import JWT_SECRET, Desk, login, make_cashier, make_key, make_shop
from tests.support import LoopThread, Server
from wallet.ledger.database import LedgerDB

INVALID_KEY = {"fail": True, "message": "Invalid API key."}
NO_PERMISSION = {"fail": True, "message": "No permission"}
RATE_LIMITED = "Too many API requests. Please retry later."


def test_a_wrong_or_missing_key_is_refused(
    open_desk: Callable[..., Desk], api: httpx.Client
) -> None:
    desk = open_desk()
    for params in ({"key": "not-a-key"}, {}):
        answer = api.get("/api/cashier/me", params=params, headers=desk.auth())
        assert (answer.status_code, answer.json()) == (403, INVALID_KEY)
    answer = login(api, "not-a-key", desk.username, desk.password)
    assert (answer.status_code, answer.json()) == (403, INVALID_KEY)


def test_a_key_of_another_shop_is_refused(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread, api: httpx.Client
) -> None:
    desk, other = open_desk(), open_desk()
    # Another shop's key with this cashier's token: no permission.
    answer = api.get("/api/cashier/me", params={"key": other.key}, headers=desk.auth())
    assert (answer.status_code, answer.json()) == (403, NO_PERMISSION)
    # Logging in through another shop's key: that shop has no such cashier.
    answer = login(api, other.key, desk.username, desk.password)
    assert answer.status_code == 400


def test_a_cashier_sees_and_touches_only_its_own_shops_players(
    open_desk: Callable[..., Desk],
    ledger: LedgerDB,
    loop: LoopThread,
    make_player: Callable[..., object],
) -> None:
    mine, theirs = open_desk(mode="river"), open_desk(mode="river")
    foreign = theirs.create_player(balance=10)
    studio_only = make_player(currency="USD", balance_minor=500)
    listed = mine.call("GET", "/cashier/players", params={"search": foreign["username"]}).json()
    assert listed["data"] == [] and listed["meta"]["total"] == 0
    for ref in (foreign["id"], foreign["username"], studio_only.username):  # type: ignore[attr-defined]
        for method, path, body in (
            ("GET", f"/cashier/players/{ref}", None),
            ("POST", f"/cashier/players/{ref}/password", {"password": "takeover1"}),
            ("PUT", f"/cashier/players/{ref}/balance/add", {"sum": 5}),
            ("PUT", f"/cashier/players/{ref}/balance/out", {"all": True}),
            ("POST", f"/cashier/players/{ref}/reverse", None),
        ):
            answer = mine.call(method, path, json=body)
            assert (answer.status_code, answer.json()) == (403, NO_PERMISSION), (method, path)
    by_query = mine.call("GET", "/cashier/player", params={"id": str(foreign["id"])})
    assert by_query.status_code == 403
    shown = theirs.call("GET", f"/cashier/players/{foreign['id']}").json()["data"]
    assert (shown["balance"], shown["withdrawal"]) == (10, 0)  # nothing moved


def test_logout_revokes_at_once_across_servers(
    ledger: LedgerDB,
    loop: LoopThread,
    server: Server,
    start_server: Callable[[Mapping[str, str]], Server],
) -> None:
    """Two server processes without API_JWT_SECRET share the secret they generated (kept in the
    database): a token of one works on the other, and a logout on one holds on the other."""
    other = start_server({"API_RATE_LIMIT_PER_MINUTE": "1000"})
    shop = make_shop(ledger, loop, "default", 10_000)
    _, username, password = make_cashier(ledger, loop, shop)
    key = make_key(ledger, loop, shop)
    with (
        httpx.Client(base_url=server.base_url, timeout=10) as first,
        httpx.Client(base_url=other.base_url, timeout=10) as second,
    ):
        token = login(first, key, username, password).json()["token"]
        Server.extra_secrets.add(token)
        headers = {"Authorization": f"Bearer {token}"}
        for client in (first, second):
            assert (
                client.get("/api/cashier/me", params={"key": key}, headers=headers).status_code
                == 200
            )
        assert second.post("/api/logout", params={"key": key}, headers=headers).status_code == 200
        for client in (first, second):
            for path in ("/api/cashier/me", "/api/cashier/players"):
                answer = client.get(path, params={"key": key}, headers=headers)
                assert (answer.status_code, answer.json()) == (403, NO_PERMISSION)
        again = first.post("/api/logout", params={"key": key}, headers=headers)
        assert again.status_code == 403


def test_expired_forged_and_malformed_tokens_are_refused(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk()
    claims = jwt.decode(desk.token, JWT_SECRET, algorithms=["HS256"], issuer="wallet-cashier")
    now = datetime.now(UTC)
    expired = jwt.encode({**claims, "exp": now - timedelta(seconds=1)}, JWT_SECRET, "HS256")
    forged = jwt.encode({**claims, "sub": "1"}, "another secret entirely, 32 bytes+", "HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    for token in (expired, forged, unsigned, "garbage", desk.token + "x"):
        answer = desk.call("GET", "/cashier/me", headers={"Authorization": f"Bearer {token}"})
        assert (answer.status_code, answer.json()) == (403, NO_PERMISSION)
    bare = desk.client.get("/api/cashier/me", params={"key": desk.key})
    assert (bare.status_code, bare.json()) == (403, NO_PERMISSION)


def test_a_client_off_the_keys_networks_is_refused(
    ledger: LedgerDB, loop: LoopThread, api: httpx.Client
) -> None:
    shop = make_shop(ledger, loop, "default", 10_000)
    _, username, password = make_cashier(ledger, loop, shop)
    elsewhere = make_key(ledger, loop, shop, ips=("10.20.0.0/16", "2001:db8::/32"))
    here = make_key(ledger, loop, shop, ips=("127.0.0.1/32",))
    refused = login(api, elsewhere, username, password)
    assert refused.status_code == 403
    assert refused.json() == {"fail": True, "message": "Access denied for this IP address."}
    token = login(api, here, username, password).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    answer = api.get("/api/cashier/me", params={"key": elsewhere}, headers=headers)
    assert answer.status_code == 403
    assert api.get("/api/cashier/me", params={"key": here}, headers=headers).status_code == 200


def test_cors_by_the_keys_domain(open_desk: Callable[..., Desk], api: httpx.Client) -> None:
    desk = open_desk(domain="https://shop.example")
    bare = open_desk()  # a key without a domain

    def me(key: str, origin: str | None) -> httpx.Response:
        headers = {**desk.auth()}
        if origin is not None:
            headers["Origin"] = origin
        return api.get("/api/cashier/me", params={"key": key}, headers=headers)

    matching = me(desk.key, "https://shop.example")
    assert matching.status_code == 200
    assert matching.headers["access-control-allow-origin"] == "https://shop.example"
    assert matching.headers["vary"] == "Origin"
    refused = api.get(
        "/api/cashier/me",
        params={"key": desk.key},
        headers={"Origin": "https://shop.example", "Authorization": "Bearer nope"},
    )
    assert refused.status_code == 403  # a refusal the page may read
    assert refused.headers["access-control-allow-origin"] == "https://shop.example"
    for key, origin in (
        (desk.key, "https://evil.example"),
        (desk.key, "http://shop.example"),
        (desk.key, "https://shop.example:8443"),
        (desk.key, "null"),
        (desk.key, ""),
        (desk.key, None),
        (bare.key, "https://shop.example"),
    ):
        answer = me(key, origin)
        assert "access-control-allow-origin" not in answer.headers, origin


def test_cors_preflight(open_desk: Callable[..., Desk], api: httpx.Client) -> None:
    desk = open_desk(domain="https://shop.example")
    request = {
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    }
    path = "/api/cashier/players/123/balance/add"
    ok = api.options(
        path, params={"key": desk.key}, headers={**request, "Origin": "https://shop.example"}
    )
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == "https://shop.example"
    assert "PUT" in ok.headers["access-control-allow-methods"]
    allowed = ok.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= {
        h.strip() for h in allowed.split(",")
    }
    for key, origin in ((desk.key, "https://evil.example"), ("wrong", "https://shop.example")):
        answer = api.options(path, params={"key": key}, headers={**request, "Origin": origin})
        assert "access-control-allow-origin" not in answer.headers


def _wait_for_a_fresh_minute() -> None:
    """The limits count in one-minute windows: start well inside one."""
    into = time.time() % 60
    if into > 50:
        time.sleep(61 - into)


def test_rate_limits_answer_429_with_retry_after(
    start_server: Callable[[Mapping[str, str]], Server], ledger: LedgerDB, loop: LoopThread
) -> None:
    srv = start_server({"API_RATE_LIMIT_PER_MINUTE": "5", "API_LOGIN_RATE_LIMIT_PER_MINUTE": "3"})
    shop = make_shop(ledger, loop, "default", 10_000)
    _, username, password = make_cashier(ledger, loop, shop)
    key, other_key = make_key(ledger, loop, shop), make_key(ledger, loop, shop)
    _wait_for_a_fresh_minute()
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        logins = [login(client, key, username, password) for _ in range(4)]
        assert [a.status_code for a in logins] == [200, 200, 200, 429]
        over = logins[-1]
        retry = int(over.headers["retry-after"])
        assert 1 <= retry <= 60
        assert over.json() == {"fail": True, "message": RATE_LIMITED, "retry_after": retry}
        token = logins[0].json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        calls = [
            client.get("/api/cashier/me", params={"key": key}, headers=headers) for _ in range(6)
        ]
        assert [a.status_code for a in calls] == [200] * 5 + [429]
        assert calls[-1].json()["message"] == RATE_LIMITED
        # Per key: another key of the same client has its own count.
        fresh = client.get("/api/cashier/me", params={"key": other_key}, headers=headers)
        assert fresh.status_code == 200
    row = loop.run(ledger.one("SELECT count(*) FROM rate_limits WHERE bucket LIKE 'api:%%'"))
    assert row is not None and row[0] >= 2  # counted in PostgreSQL, shared by every worker


def test_secrets_stay_out_of_the_log(
    open_desk: Callable[..., Desk], cashier_server: Server
) -> None:
    desk = open_desk(mode="default")
    made = desk.create_player(
        username=f"sec_{secrets.token_hex(4)}", password="pw-" + secrets.token_hex(8)
    )
    desk.call(
        "POST",
        f"/cashier/players/{made['id']}/password",
        json={"password": "pw2-" + secrets.token_hex(8)},
    )
    login(desk.client, desk.key, desk.username, desk.password + "wrong")
    log = cashier_server.settled_log()
    assert '"caller": "cashier"' in log and '"operation": "create_player"' in log
    for secret in (desk.key, desk.password, desk.token, JWT_SECRET):
        assert secret not in log
