"""Fixtures of the agent API tests: a server with the login limit out of the way (one test has
its own small one), and agent trees made through the ledger as `wallet agent create` makes them
(tests/agents/test_cli.py runs the command itself)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support import LoopThread, Server
from wallet.access.passwords import hash_password
from wallet.directory.agents import Agent, create_agent
from wallet.ledger.database import LedgerDB

DEMO_OPERATOR_ID = 1
GENEROUS = {
    "AGENT_LOGIN_RATE_LIMIT_PER_MINUTE": "100000",
    "AGENT_MESSAGE_RATE_LIMIT_PER_MINUTE": "100000",
}
# One hash for every test agent's password (argon2id costs ~40 ms a hash).
PASSWORD = secrets.token_urlsafe(12)
PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture(scope="session")
def agent_server(start_server: Callable[[Mapping[str, str]], Server]) -> Server:
    Server.extra_secrets.add(PASSWORD)
    return start_server(GENEROUS)


@pytest.fixture
def api(agent_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=agent_server.base_url, timeout=30) as client:
        yield client


@dataclass
class Desk:
    """A logged-in agent: what an agent's client holds."""

    agent: Agent
    token: str
    client: httpx.Client
    keys: list[str] = field(default_factory=list)

    @property
    def username(self) -> str:
        return self.agent.username

    def call(self, path: str, body: Mapping[str, Any] | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return self.client.post(f"/api{path}", json=dict(body or {}), headers=headers, **kw)

    def ok(self, path: str, body: Mapping[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        answer = self.call(path, body, **kw)
        assert answer.status_code == 200, answer.text
        envelope = answer.json()
        assert envelope["success"] is True and envelope["error"] is None, envelope
        data: dict[str, Any] = envelope["data"]
        return data

    def balance(self) -> dict[str, Any]:
        return self.ok("/balance")

    def register_player(self, username: str | None = None) -> str:
        name = username or f"pl_{secrets.token_hex(5)}"
        password = secrets.token_urlsafe(9)
        Server.extra_secrets.add(password)
        body = {"username": name, "email": f"{name}@example.com", "password": password}
        self.ok("/player/register", body)
        return name


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(
        "/api/auth/login", json={"agentUsername": username, "agentPassword": password}
    )


@pytest.fixture
def make_agent(ledger: LedgerDB, loop: LoopThread) -> Callable[..., Agent]:
    def make(balance_minor: int = 0, parent: Agent | None = None, currency: str = "PHP") -> Agent:
        name = f"ag_{secrets.token_hex(5)}"
        return loop.run(
            create_agent(
                ledger,
                DEMO_OPERATOR_ID,
                name,
                PASSWORD_HASH,
                parent.currency if parent else currency,
                parent=parent,
                email=f"{name}@example.com",
                opening_minor=balance_minor,
            )
        )

    return make


@pytest.fixture
def open_desk(make_agent: Callable[..., Agent], api: httpx.Client) -> Callable[..., Desk]:
    def make(balance_minor: int = 0, parent: Agent | None = None) -> Desk:
        agent = make_agent(balance_minor, parent)
        answer = login(api, agent.username)
        assert answer.status_code == 200, answer.text
        token = answer.json()["data"]["token"]
        Server.extra_secrets.add(token)
        return Desk(agent, token, api)

    return make
