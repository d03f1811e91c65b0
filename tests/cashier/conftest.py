"""Fixtures of the cashier API tests: a server with rate limits out of the way (one test has
its own small ones), and shops, cashiers and keys made through the ledger as the CLI makes
them (tests/cashier/test_cli.py runs the commands themselves)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support import LoopThread, Server
from wallet.access.api_keys import create_api_key
from wallet.access.passwords import hash_password
from wallet.directory.cashiers import create_cashier
from wallet.directory.shops import Shop, create_shop
from wallet.ledger.database import LedgerDB

DEMO_OPERATOR_ID = 1
JWT_SECRET = secrets.token_hex(32)
GENEROUS = {
    "API_RATE_LIMIT_PER_MINUTE": "100000",
    "API_LOGIN_RATE_LIMIT_PER_MINUTE": "100000",
    "API_JWT_SECRET": JWT_SECRET,
}


@dataclass
class Desk:
    """A shop with a cashier logged in through one API key: what a cashier's client holds."""

    shop: Shop
    cashier_id: int
    username: str
    password: str
    key: str
    token: str
    client: httpx.Client

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Accept": "application/json", "Authorization": f"Bearer {token or self.token}"}

    def call(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        headers = {**self.auth(), **kw.pop("headers", {})}
        query = {"key": self.key, **(params or {})}
        return self.client.request(method, f"/api{path}", params=query, headers=headers, **kw)

    def create_player(self, **body: Any) -> dict[str, Any]:
        answer = self.call("POST", "/cashier/players", json=body)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def deposit(self, user: object, sum_: object, **body: Any) -> httpx.Response:
        return self.call("PUT", f"/cashier/players/{user}/balance/add", json={"sum": sum_, **body})


@pytest.fixture(scope="session")
def cashier_server(start_server: Callable[[Mapping[str, str]], Server]) -> Server:
    return start_server(GENEROUS)


@pytest.fixture
def api(cashier_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cashier_server.base_url, timeout=30) as client:
        yield client


def make_shop(
    ledger: LedgerDB, loop: LoopThread, mode: str, float_minor: int, currency: str = "USD"
) -> Shop:
    name = f"SHOP_{secrets.token_hex(4)}"
    return loop.run(create_shop(ledger, DEMO_OPERATOR_ID, name, currency, mode, float_minor))


def make_cashier(ledger: LedgerDB, loop: LoopThread, shop: Shop, sub: bool = False) -> tuple:  # type: ignore[type-arg]
    username = f"S_{secrets.token_hex(5)}"
    password = secrets.token_urlsafe(12)
    Server.extra_secrets.add(password)
    role = "sub_cashier" if sub else "cashier"
    cashier = loop.run(create_cashier(ledger, shop.id, username, hash_password(password), role))
    return cashier.id, username, password


def make_key(
    ledger: LedgerDB,
    loop: LoopThread,
    shop: Shop,
    domain: str | None = None,
    ips: tuple[str, ...] = (),
) -> str:
    import ipaddress

    key = secrets.token_urlsafe(32)
    Server.extra_secrets.add(key)
    networks = [ipaddress.ip_network(ip) for ip in ips]
    loop.run(create_api_key(ledger, shop.id, key, domain, networks))
    return key


def login(client: httpx.Client, key: str, username: str, password: str) -> httpx.Response:
    return client.post(
        "/api/login",
        params={"key": key},
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        json={"username": username, "password": password},
    )


@pytest.fixture
def open_desk(ledger: LedgerDB, loop: LoopThread, api: httpx.Client) -> Callable[..., Desk]:
    def make(mode: str = "default", float_minor: int = 100_000, **key_options: Any) -> Desk:
        shop = make_shop(ledger, loop, mode, float_minor)
        cashier_id, username, password = make_cashier(ledger, loop, shop)
        key = make_key(ledger, loop, shop, **key_options)
        answer = login(api, key, username, password)
        assert answer.status_code == 200, answer.text
        token = answer.json()["token"]
        Server.extra_secrets.add(token)
        return Desk(shop, cashier_id, username, password, key, token, api)

    return make
