"""The database machine dies under load, twice: a 2-worker server on the formation's multi-host
URL, both studios playing (tests/chaos/harness.py), a prober betting every 50 ms, a cashier and
an agent depositing. The primary's pg_autoctl and postmaster are SIGKILLed (nothing restarts
them); the monitor promotes the secondary; the server answers "service not available" meanwhile
and then plays on the new primary without a restart. The lost node comes back (`wallet ha up`)
as the secondary, and the second failover goes back to it.

Afterwards every call answered 0 (studios) or 200 (cashier, agent) is in the ledger exactly
once, every balance equals a plain replay of the acknowledged history, and `wallet audit` holds
on the primary of the day."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass

import httpx

from tests.agents.conftest import GENEROUS as AGENT_LIMITS
from tests.agents.conftest import PASSWORD, PASSWORD_HASH
from tests.cashier.conftest import GENEROUS as CASHIER_LIMITS
from tests.cashier.conftest import login, make_cashier, make_key, make_shop
from tests.chaos.harness import (
    FIGURES,
    OPENING_MINOR,
    AmbSlot,
    IGamingAce,
    Storm,
    assert_history_replayed,
    calls_figure,
    storm,
)
from tests.ha.conftest import HaFormation
from tests.ha.traffic import PROBE_MINOR, Depositor, Prober, running
from tests.support import LoopThread, Server, make_ledger
from wallet.config import ROOT_DIR
from wallet.directory.agents import create_agent
from wallet.directory.players import create_player, find_player
from wallet.ledger.database import LedgerDB

FAILOVERS = 2  # there, and back
STUDIO_PLAYERS = 2  # each played by both studios, as in the outage test
PROMOTED_S_MAX = 30.0  # from the primary's loss to the monitor's promotion
RECONNECTED_S_MAX = 5.0  # from the promotion to the first bet answered 0
UNAVAILABLE_ANSWER_S_MAX = 1.0  # a "service not available" comes at once, never after a hang
DEPOSIT_MINOR = 100


@dataclass(frozen=True)
class Failover:
    lost: str
    promoted: str
    promoted_s: float  # after the loss
    first_success_s: float  # after the loss
    rejoined_s: float  # `wallet ha up` until the lost node is a synchronous secondary again

    def figure(self) -> str:
        return (
            f"{self.lost} lost, {self.promoted} promoted after {self.promoted_s:.1f} s,"
            f" first bet answered 0 after {self.first_success_s:.1f} s,"
            f" {self.lost} back as the secondary in {self.rejoined_s:.1f} s"
        )


def test_losing_the_primary_under_load_loses_nothing_acknowledged(
    formation: HaFormation, ha_ledger: LedgerDB, loop: LoopThread
) -> None:
    ledger = ha_ledger
    players = [
        loop.run(create_player(ledger, 1, f"ha{secrets.token_hex(5)}", "THB", OPENING_MINOR))
        for _ in range(1 + STUDIO_PLAYERS)
    ]
    probed, players = players[0], players[1:]
    server = Server(formation.url, {**CASHIER_LIMITS, **AGENT_LIMITS}, workers=2).start()
    with ExitStack() as stack:
        stack.callback(server.stop)
        cashier, shop_id, shop_player = _cashier(stack, server, ledger, loop)
        agent, agent_id, agent_player = _agent(stack, server, ledger, loop)
        prober = Prober(server.base_url, probed.username)
        with storm(server.base_url, players) as studios, running(prober, cashier, agent):
            time.sleep(2.0)
            failovers = [_fail_over(formation, prober) for _ in range(FAILOVERS)]
            time.sleep(1.0)
    assert {node.role for node in formation.status()} == {"primary", "secondary"}
    assert [f.promoted for f in failovers] == [f.lost for f in reversed(failovers)]

    checked = make_ledger(formation.url, loop, pool_size=2)  # connections of the day's primary
    try:
        assert_history_replayed(checked, loop, studios)
        _assert_studio_calls_once(checked, loop, studios)
        _assert_probes_once(checked, loop, prober)
        _assert_deposits_once(checked, loop, cashier, ("cashier", "deposit"), shop_id, shop_player)
        _assert_deposits_once(checked, loop, agent, ("agent", "move"), agent_id, agent_player)
    finally:
        loop.run(checked.dispose())
    audit = _wallet_audit(formation.url)
    assert audit.returncode == 0 and "all 5 invariants hold" in audit.stdout, audit.stdout

    assert prober.unavailable > 0 and cashier.retried > 0 and agent.retried > 0
    assert prober.slowest_unavailable_s < UNAVAILABLE_ANSWER_S_MAX, prober.slowest_unavailable_s
    for failover in failovers:
        assert failover.promoted_s < PROMOTED_S_MAX, failovers
        assert failover.first_success_s - failover.promoted_s < RECONNECTED_S_MAX, failovers
    FIGURES.append(
        f"failover: {'; '.join(f.figure() for f in failovers)}; {calls_figure(studios)},"
        f" {len(prober.probes)} probes ({prober.unavailable} answered 999, the slowest in"
        f" {prober.slowest_unavailable_s * 1000:.0f} ms), cashier {len(cashier.acknowledged)}"
        f" and agent {len(agent.acknowledged)} deposits ({cashier.retried} + {agent.retried}"
        " sent again); every acknowledged call once, balances = history, audit holds"
    )


def _fail_over(formation: HaFormation, prober: Prober) -> Failover:
    """Kill the primary's machine; time the promotion and the first bet answered 0 after it;
    then bring the lost node back, which rejoins as the secondary."""
    lost = formation.node("primary")
    killed = formation.kill(lost)
    promoted, promoted_at = formation.wait_promoted(lost.name)
    deadline = time.monotonic() + PROMOTED_S_MAX
    while (first := prober.first_success_after(killed)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first is not None, "no bet answered 0 after the failover"
    time.sleep(1.0)  # play goes on with the new primary alone
    restarted = time.monotonic()
    formation.up()  # starts the lost node; waits until it is a synchronous secondary again
    rejoined = time.monotonic() - restarted
    roles = {node.name: node.role for node in formation.status()}
    assert roles == {lost.name: "secondary", promoted: "primary"}, roles
    return Failover(lost.name, promoted, promoted_at - killed, first - killed, rejoined)


def _cashier(
    stack: ExitStack, server: Server, ledger: LedgerDB, loop: LoopThread
) -> tuple[Depositor, int, int]:
    """A Default shop's cashier depositing to one player: (depositor, shop id, player id)."""
    shop = make_shop(ledger, loop, "default", 100_000_000)
    _, username, password = make_cashier(ledger, loop, shop)
    key = make_key(ledger, loop, shop)
    client = stack.enter_context(httpx.Client(base_url=server.base_url, timeout=3))
    token = login(client, key, username, password).json()["token"]
    Server.extra_secrets.add(token)
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    made = client.post(
        "/api/cashier/players",
        params={"key": key},
        headers=headers,
        json={"username": f"hc{secrets.token_hex(4)}", "password": "secret123"},
    )
    assert made.status_code == 200, made.text
    player_id = int(made.json()["data"]["id"])

    def send(idempotency_key: str) -> httpx.Response:
        return client.put(
            f"/api/cashier/players/{player_id}/balance/add",
            params={"key": key},
            headers={**headers, "Idempotency-Key": idempotency_key},
            json={"sum": 1},
        )

    return Depositor("cashier", send, lambda a: a.status_code == 503), shop.id, player_id


def _agent(
    stack: ExitStack, server: Server, ledger: LedgerDB, loop: LoopThread
) -> tuple[Depositor, int, int]:
    """An agent depositing to its player: (depositor, agent id, player id)."""
    name = f"ha_{secrets.token_hex(5)}"
    agent = loop.run(
        create_agent(
            ledger,
            1,
            name,
            PASSWORD_HASH,
            "PHP",
            email=f"{name}@example.com",
            opening_minor=100_000_000,
        )
    )
    Server.extra_secrets.add(PASSWORD)
    client = stack.enter_context(httpx.Client(base_url=server.base_url, timeout=3))
    logged_in = client.post(
        "/api/auth/login", json={"agentUsername": name, "agentPassword": PASSWORD}
    )
    token = logged_in.json()["data"]["token"]
    Server.extra_secrets.add(token)
    auth = {"Authorization": f"Bearer {token}"}
    player = f"hp_{secrets.token_hex(5)}"
    body = {"username": player, "email": f"{player}@example.com", "password": "secret123"}
    assert client.post("/api/player/register", json=body, headers=auth).status_code == 200
    found = loop.run(find_player(ledger, 1, player))
    assert found is not None

    def send(idempotency_key: str) -> httpx.Response:
        return client.post(
            "/api/deposit",
            headers={**auth, "X-Idempotency-Key": idempotency_key},
            json={"playerUsername": player, "amount": 1},
        )

    def unavailable(answer: httpx.Response) -> bool:  # the agent API's outage (its contract)
        error = answer.json().get("error") or {}
        return (
            answer.status_code == 500 and error.get("message") == "Service temporarily unavailable"
        )

    return Depositor("agent", send, unavailable), agent.id, found.id


def _counts(
    ledger: LedgerDB, loop: LoopThread, caller: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """How many ledger transactions each (operation, external id) of a caller has."""
    wanted = list(keys)
    rows = loop.run(
        ledger.all(
            "SELECT operation, external_id, count(*) FROM transactions"
            " WHERE caller = %s AND external_id = ANY(%s) GROUP BY 1, 2",
            (caller, [external_id for _, external_id in wanted]),
        )
    )
    found = {(str(op), str(ext)): int(n) for op, ext, n in rows}
    return {key: found.get(key, 0) for key in wanted}


def _assert_once(counts: dict[tuple[str, str], int], what: str) -> None:
    wrong = {key: n for key, n in counts.items() if n != 1}
    some = dict(list(wrong.items())[:5])
    assert not wrong, f"{len(wrong)} acknowledged {what} calls not in the ledger once: {some}"


def _assert_studio_calls_once(ledger: LedgerDB, loop: LoopThread, studios: Storm) -> None:
    for studio in studios.studios:
        if isinstance(studio, AmbSlot):
            acked = {
                (c.operation, c.transaction_id)
                for r in studio.studio.rounds
                for c in r.calls
                if c.code == 0
            }
            _assert_once(_counts(ledger, loop, "ambslot", acked), "AMBSlot")
        elif isinstance(studio, IGamingAce):
            acked = {
                (c.endpoint, c.transaction_id)
                for r in studio.studio.rounds
                for c in r.calls
                if c.endpoint != "RollbackTransaction" and c.applied
            }
            _assert_once(_counts(ledger, loop, "igamingace", acked), "iGamingAce")


def _assert_probes_once(ledger: LedgerDB, loop: LoopThread, prober: Prober) -> None:
    assert all(p.code == 0 for p in prober.probes), [p for p in prober.probes if p.code]
    acked = {("bet", p.transaction_id) for p in prober.acknowledged()}
    _assert_once(_counts(ledger, loop, "ambslot", acked), "probe")
    player = loop.run(find_player(ledger, 1, prober.username))
    assert player is not None
    assert player.balance_minor == OPENING_MINOR - PROBE_MINOR * len(acked)


def _assert_deposits_once(
    ledger: LedgerDB,
    loop: LoopThread,
    depositor: Depositor,
    key_space: tuple[str, str],  # the ledger's caller and operation of these deposits
    owner: int,
    player: int,
) -> None:
    caller, operation = key_space
    keys = {(operation, f"{owner}:key:{key}") for key in depositor.acknowledged}
    _assert_once(_counts(ledger, loop, caller, keys), f"{caller} deposit")
    row = loop.run(
        ledger.one(
            "SELECT balance_minor FROM accounts"
            " WHERE owner_type = 'player' AND owner_id = %s AND purpose = 'main'",
            (player,),
        )
    )
    assert row is not None and row[0] == DEPOSIT_MINOR * len(keys), (row, len(keys))


def _wallet_audit(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "wallet.cli", "audit"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT_DIR,
        env=env,
    )
