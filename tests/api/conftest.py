"""Fixtures of the published-document tests: one server with both APIs' limits out of the way,
a logged-in agent (with a sub-agent and a player) and a logged-in cashier (with a player)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.agents import conftest as agents
from tests.cashier import conftest as cashiers
from tests.support import LoopThread, Server
from wallet.app import api_operations
from wallet.directory.agents import Agent, create_agent
from wallet.ledger.database import LedgerDB
from wallet.web.docs import Published

SETTINGS = {**agents.GENEROUS, **cashiers.GENEROUS}


def the_document() -> dict[str, Any]:
    """The document the app serves, made without a server (for collecting tests)."""
    made: dict[str, Any] = json.loads(Published(api_operations).body)
    return made


@pytest.fixture(scope="session")
def api_server(start_server: Callable[[Mapping[str, str]], Server]) -> Server:
    Server.extra_secrets.add(agents.PASSWORD)
    return start_server(SETTINGS)


@pytest.fixture
def client(api_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.base_url, timeout=30) as http:
        yield http


@dataclass
class AgentDesk:
    """A logged-in agent with a sub-agent and a player of its own."""

    agent: Agent
    token: str
    sub_agent: str
    player: str
    player_id: str

    def fresh_token(self, client: httpx.Client) -> str:
        answer = agents.login(client, self.agent.username)
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["data"]["token"]
        Server.extra_secrets.add(token)
        return token


def new_agent(ledger: LedgerDB, loop: LoopThread, opening: int, parent: Agent | None) -> Agent:
    name = f"ag_{secrets.token_hex(5)}"
    made = create_agent(
        ledger,
        agents.DEMO_OPERATOR_ID,
        name,
        agents.PASSWORD_HASH,
        "PHP",
        parent=parent,
        email=f"{name}@example.com",
        opening_minor=opening,
    )
    return loop.run(made)


@pytest.fixture
def agent_desk(ledger: LedgerDB, loop: LoopThread, client: httpx.Client) -> AgentDesk:
    agent = new_agent(ledger, loop, 10**12, None)
    sub = new_agent(ledger, loop, 0, agent)
    answer = agents.login(client, agent.username)
    assert answer.status_code == 200, answer.text
    token = answer.json()["data"]["token"]
    Server.extra_secrets.add(token)
    desk = agents.Desk(agent, token, client)
    player = desk.register_player()
    player_id = desk.ok("/player/search", {"playerUsername": player})["players"][0]["playerId"]
    desk.ok("/deposit", {"playerUsername": player, "amount": 1000})
    return AgentDesk(agent, token, sub.username, player, player_id)


@dataclass
class CashierDesk:
    """A logged-in cashier of a shop with a float, and a player of the shop."""

    key: str
    token: str
    username: str
    password: str
    player_id: int

    def fresh_token(self, client: httpx.Client) -> str:
        answer = cashiers.login(client, self.key, self.username, self.password)
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["token"]
        Server.extra_secrets.add(token)
        return token


@pytest.fixture
def cashier_desk(ledger: LedgerDB, loop: LoopThread, client: httpx.Client) -> CashierDesk:
    shop = cashiers.make_shop(ledger, loop, "default", 10**9)
    _, username, password = cashiers.make_cashier(ledger, loop, shop)
    key = cashiers.make_key(ledger, loop, shop)
    answer = cashiers.login(client, key, username, password)
    assert answer.status_code == 200, answer.text
    token = answer.json()["token"]
    Server.extra_secrets.add(token)
    desk = cashiers.Desk(shop, 0, username, password, key, token, client)
    player = desk.create_player(
        username=f"pl_{secrets.token_hex(5)}", password="secret123", balance=1000
    )
    return CashierDesk(key, token, username, password, int(player["id"]))
