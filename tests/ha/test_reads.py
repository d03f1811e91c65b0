"""Reads off the primary: a server with DATABASE_READ_URL (the formation's nodes with
target_session_attrs=prefer-standby) serves the agent reports, the dashboard's reads and the
paged lists from the secondary. Once replication has caught up, every answer equals the one a
server reading the primary gives; and those reads did go to the secondary."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import httpx
import psycopg

from loadtest.studios import ambslot
from tests.agents.conftest import GENEROUS as AGENT_LIMITS
from tests.agents.conftest import PASSWORD, PASSWORD_HASH
from tests.ha.conftest import HaFormation
from tests.support import LoopThread, Server
from wallet.directory.agents import create_agent
from wallet.ha.formation import APP_ROLE, DATABASE, HOST
from wallet.ledger.database import LedgerDB

READS = (  # what the dashboard shows, the reports and the paged lists
    ("/reports/summary", {}),
    ("/reports/daily", {}),
    ("/reports/players", {"sortBy": "ggr"}),
    ("/reports/products", {}),
    ("/reports/transfers", {}),
    ("/reports/settlement", {}),
    ("/players", {}),
    ("/player/search", {"playerUsername": "hr"}),
    ("/agents", {}),
    ("/transfer/history", {}),
    ("/message/unread", {}),
    ("/message/chats", {}),
)
CAUGHT_UP_S = 30.0


def test_reports_from_the_secondary_equal_the_primarys(
    formation: HaFormation, ha_ledger: LedgerDB, loop: LoopThread
) -> None:
    name = f"hr_{secrets.token_hex(5)}"
    loop.run(
        create_agent(
            ha_ledger, 1, name, PASSWORD_HASH, "THB", email=f"{name}@example.com",
            opening_minor=10_000_000,
        )
    )  # fmt: skip
    Server.extra_secrets.add(PASSWORD)
    replica_env = {**AGENT_LIMITS, "DATABASE_READ_URL": formation.read_url}
    with ExitStack() as stack:
        on_primary = _client(stack, Server(formation.url, AGENT_LIMITS))
        on_replica = _client(stack, Server(formation.url, replica_env))
        token = on_primary.post(
            "/api/auth/login", json={"agentUsername": name, "agentPassword": PASSWORD}
        ).json()["data"]["token"]
        Server.extra_secrets.add(token)
        auth = {"Authorization": f"Bearer {token}"}
        _play(on_primary, auth)
        _wait_caught_up(formation)
        for path, body in READS:
            primary = _data(on_primary, path, body, auth)
            replica = _data(on_replica, path, body, auth)
            assert replica == primary, (path, replica, primary)
        summary = _data(on_replica, "/reports/summary", {}, auth)
        assert summary["bets"] > 0 and summary["deposits"] > 0, summary  # figures, not zeros
        assert _read_connections(formation.node("secondary").port) > 0
        assert _read_connections(formation.node("primary").port) == 0


def _client(stack: ExitStack, server: Server) -> httpx.Client:
    server.start()
    stack.callback(server.stop)
    return stack.enter_context(httpx.Client(base_url=server.base_url, timeout=10))


def _play(client: httpx.Client, auth: dict[str, str]) -> None:
    """Two players of the agent: deposits, then a round at AMBSlot each (bet, payout)."""
    for n in range(2):
        player = f"hr{secrets.token_hex(4)}"
        body = {"username": player, "email": f"{player}@example.com", "password": "secret123"}
        assert client.post("/api/player/register", json=body, headers=auth).status_code == 200
        deposit = {"playerUsername": player, "amount": 100 + n}
        assert client.post("/api/deposit", json=deposit, headers=auth).status_code == 200
        round_id = secrets.token_hex(6)
        for operation, minor in (("bet", 2_500 + n), ("payout", 1_000 * n)):
            fields = ambslot.callback_fields(operation, player, round_id, amount_minor=minor)
            code = ambslot.post(client, operation, fields).json()["status"]["code"]
            assert code == 0, (operation, code)


def _data(
    client: httpx.Client, path: str, body: dict[str, Any], auth: dict[str, str]
) -> dict[str, Any]:
    answer = client.post(f"/api{path}", json=body, headers=auth)
    assert answer.status_code == 200, (path, answer.text)
    data: dict[str, Any] = answer.json()["data"]
    return data


def _node(port: int) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(host=HOST, port=port, user=APP_ROLE, dbname=DATABASE, autocommit=True)


def _one(port: int, sql: str, *args: object) -> Any:
    with _node(port) as conn:
        row = conn.execute(sql, args).fetchone()
    assert row is not None
    return row[0]


def _wait_caught_up(formation: HaFormation) -> None:
    """Until the secondary has replayed everything the primary had written by now."""
    ports = {node.role: node.port for node in formation.status()}
    written = _one(ports["primary"], "SELECT pg_current_wal_lsn()::text")
    replayed: Callable[[], bool] = lambda: bool(  # noqa: E731
        _one(ports["secondary"], "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", written)
    )
    deadline = time.monotonic() + CAUGHT_UP_S
    while not replayed():
        assert time.monotonic() < deadline, "the secondary did not catch up"
        time.sleep(0.05)


def _read_connections(port: int) -> int:
    """The servers' read-pool connections open on a node (they are named wallet-reads)."""
    count = _one(
        port, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wallet-reads'"
    )
    return int(count)
