"""Webhooks against real servers, real PostgreSQL and a real receiver: registration (the secret
answered once), events written with the money and delivered signed, a receiver down for a while,
a server SIGKILLed mid-delivery, giving up, and no second event for a replayed request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.agents.conftest import GENEROUS, PASSWORD, Desk, login
from tests.agents.receiver import Receiver, wait_until
from tests.agents.test_auth import assert_envelope
from tests.agents.test_cli import wallet
from tests.support import LoopThread, Server, free_port
from wallet.agents.webhooks import (
    WebhookDeleteData,
    WebhookListData,
    WebhookRegisterData,
)
from wallet.config import Settings
from wallet.directory.agents import Agent
from wallet.ledger.database import LedgerDB
from wallet.webhooks.secret_box import SecretUnreadable, secret_box
from wallet.webhooks.worker import retry_delay_s, signature

ALL = ["transfer.completed", "transfer.failed", "bypass.blocked"]
# A delivering server with a fast retry schedule (the other test servers deliver nothing).
FAST = {
    **GENEROUS,
    "WEBHOOK_DELIVERY_ENABLED": "true",
    "WEBHOOK_POLL_INTERVAL_S": "0.1",
    "WEBHOOK_TIMEOUT_S": "2",
    "WEBHOOK_LEASE_S": "3",
    "WEBHOOK_BACKOFF_S": "0.2",
    "WEBHOOK_BACKOFF_MAX_S": "1",
    "WEBHOOK_ATTEMPTS_MAX": "100",
}


@pytest.fixture
def serve(db_url: str) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(workers: int = 1, **env: str) -> Server:
        Server.extra_secrets.add(PASSWORD)
        srv = Server(db_url, {**FAST, **env}, workers=workers).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()
        assert "webhook_delivery_failed" not in srv.log_text()  # no bug in any worker


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(port: int | None = None, start: bool = True) -> Receiver:
        receiver = Receiver(port)
        made.append(receiver)
        return receiver.start() if start else receiver

    yield make
    for receiver in made:
        receiver.stop()


@pytest.fixture
def desk_on(make_agent: Callable[..., Agent]) -> Iterator[Callable[..., Desk]]:
    clients: list[httpx.Client] = []

    def make(srv: Server, balance_minor: int = 0, parent: Agent | None = None) -> Desk:
        client = httpx.Client(base_url=srv.base_url, timeout=30)
        clients.append(client)
        agent = make_agent(balance_minor, parent)
        answer = login(client, agent.username)
        assert answer.status_code == 200, answer.text
        token = answer.json()["data"]["token"]
        Server.extra_secrets.add(token)
        return Desk(agent, token, client)

    yield make
    for client in clients:
        client.close()


def register(desk: Desk, receiver: Receiver, events: list[str]) -> str:
    data = desk.ok("/webhooks/register", {"url": receiver.url, "events": events})
    WebhookRegisterData.model_validate(data)
    receiver.secrets[data["webhookId"]] = data["secret"]
    Server.extra_secrets.add(data["secret"])
    return str(data["webhookId"])


def transfer(desk: Desk, player: str, kind: str, amount: object, key: str | None = None) -> Any:
    headers = {"X-Idempotency-Key": key} if key else {}
    body = {"playerUsername": player, "type": kind, "amount": amount}
    return desk.call("/transfer", body, headers=headers)


def attempts_of(ledger: LedgerDB, loop: LoopThread, webhook_id: str) -> list[tuple[Any, ...]]:
    """(delivery, status, attempts, attempt, status code, error, duration ms) per attempt."""
    return loop.run(
        ledger.all(
            "SELECT d.id, d.status, d.attempts, a.attempt, a.status_code, a.error, a.duration_ms"
            "  FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id"
            " WHERE d.registration_id = %s ORDER BY d.id, a.attempt",
            (int(webhook_id),),
        )
    )


def test_register_list_delete_and_the_secret_once(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk, other = open_desk(1000), open_desk()
    url = "https://example.com/webhook/747"
    made = desk.ok("/webhooks/register", {"url": url, "events": ["transfer.completed"] * 2})
    secret = made["secret"]
    Server.extra_secrets.add(secret)  # checked absent from every server log at the end
    assert secret.startswith("whsec_") and len(secret) == 6 + 64
    assert (made["url"], made["events"]) == (url, ["transfer.completed"])
    WebhookRegisterData.model_validate(made)
    # Kept sealed (AES-GCM under the agent's id), openable for signing, by no other agent.
    row = loop.run(
        ledger.one(
            "SELECT secret_sealed FROM webhook_registrations WHERE id = %s",
            (int(made["webhookId"]),),
        )
    )
    assert row is not None and secret.encode() not in bytes(row[0])
    box = loop.run(secret_box(ledger, Settings()))
    assert box.open(desk.agent.id, bytes(row[0])) == secret
    with pytest.raises(SecretUnreadable):
        box.open(other.agent.id, bytes(row[0]))
    listing = desk.call("/webhooks/list")
    assert secret not in listing.text
    data = assert_envelope(listing, 200)
    WebhookListData.model_validate(data)
    assert data == {"webhooks": [{k: v for k, v in made.items() if k != "secret"}], "count": 1}
    assert other.ok("/webhooks/list") == {"webhooks": [], "count": 0}
    # A transfer leaves a pending delivery (this server runs no delivery worker).
    desk.ok("/transfer", {"playerUsername": desk.register_player(), "type": "deposit", "amount": 1})
    status = "SELECT status FROM webhook_deliveries WHERE registration_id = %s"
    assert loop.run(ledger.all(status, (int(made["webhookId"]),))) == [("pending",)]
    # Another agent cannot delete it; its owner can, once, and its pending deliveries end.
    gone = {"webhookId": made["webhookId"]}
    assert_envelope(other.call("/webhooks/delete", gone), 404, "NOT_FOUND")
    WebhookDeleteData.model_validate(desk.ok("/webhooks/delete", gone))
    assert loop.run(ledger.all(status, (int(made["webhookId"]),))) == [("cancelled",)]
    assert_envelope(desk.call("/webhooks/delete", gone), 404, "NOT_FOUND")
    assert desk.ok("/webhooks/list")["count"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/x", "events": ["transfer.failed"]},
        {"url": "example.com/x", "events": ["transfer.failed"]},
        {"url": "https://", "events": ["transfer.failed"]},
        {"url": "https://user:pw@example.com/", "events": ["transfer.failed"]},
        {"url": "https://example.com/a b", "events": ["transfer.failed"]},
        {"url": "https://example.com:99999/", "events": ["transfer.failed"]},
        {"url": "https://example.com/" + "x" * 2048, "events": ["transfer.failed"]},
        {"url": 5, "events": ["transfer.failed"]},
        {"url": "https://example.com/"},
        {"url": "https://example.com/", "events": []},
        {"url": "https://example.com/", "events": ["transfer.done"]},
        {"url": "https://example.com/", "events": "transfer.failed"},
    ],
)
def test_bad_registrations_are_400(open_desk: Callable[..., Desk], body: dict[str, Any]) -> None:
    desk = open_desk()
    assert_envelope(desk.call("/webhooks/register", body), 400, "BAD_REQUEST")
    for bad in ({}, {"webhookId": 5}, {"webhookId": "x1"}):
        assert_envelope(desk.call("/webhooks/delete", bad), 400, "BAD_REQUEST")
    assert desk.ok("/webhooks/list")["count"] == 0


def test_registrations_per_agent_are_capped(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk()
    body = {"url": "http://127.0.0.1:9/hook", "events": ["transfer.failed"]}
    upper = {"url": "HTTPS://Example.COM/Hook?a=1", "events": ["transfer.failed"]}
    for n in range(10):  # WEBHOOK_REGISTRATIONS_MAX
        Server.extra_secrets.add(desk.ok("/webhooks/register", upper if n else body)["secret"])
    assert_envelope(desk.call("/webhooks/register", body), 400, "BAD_REQUEST")
    first = desk.ok("/webhooks/list")["webhooks"][0]["webhookId"]
    desk.ok("/webhooks/delete", {"webhookId": first})
    Server.extra_secrets.add(desk.ok("/webhooks/register", body)["secret"])


def test_every_event_arrives_signed_and_a_replay_emits_none(
    serve: Callable[..., Server],
    receivers: Callable[..., Receiver],
    desk_on: Callable[..., Desk],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    srv = serve(workers=2)  # two delivery workers share the outbox
    top = desk_on(srv, 11500)
    sub = desk_on(srv, 0, parent=top.agent)
    own, theirs = top.register_player(), sub.register_player()
    top.ok("/bypass", {"action": "set", "maxFreeBypassesPerWindow": 1, "blockAfter": 1})
    top.ok("/rebate", {"action": "set", "subAgentUsername": sub.username, "rebatePercent": 2.5})
    rx = receivers()
    every, completed_only, subs = (
        register(top, rx, ALL),
        register(top, rx, ["transfer.completed"]),
        register(sub, rx, ALL),  # per agent: the sub-agent made no transfer
    )
    first = assert_envelope(transfer(top, own, "deposit", 10.5, "k-one"), 200)
    assert transfer(top, own, "deposit", 10.5, "k-one").json()["data"]["_idempotent"] is True
    bypass = assert_envelope(transfer(top, theirs, "deposit", 20), 200)
    for _ in range(2):  # the refused repeat (same key, same body) emits nothing more
        assert_envelope(transfer(top, theirs, "deposit", 5, "k-blocked"), 422, "BYPASS_BLOCKED")
    assert_envelope(transfer(top, own, "withdraw", 1000), 422, "INSUFFICIENT_BALANCE")
    assert_envelope(transfer(top, own, "deposit", 100), 422, "INSUFFICIENT_BALANCE")

    wait_until(lambda: len(rx.events(every)) >= 6 and len(rx.events(completed_only)) >= 2)
    time.sleep(1)  # anything more would be a second event
    got = rx.events(every)
    assert sorted((d.event, d.body["data"]["reason"] or "") for d in got) == [
        ("bypass.blocked", "BYPASS_BLOCKED"),
        ("transfer.completed", ""),
        ("transfer.completed", ""),
        ("transfer.failed", "BYPASS_BLOCKED"),
        ("transfer.failed", "INSUFFICIENT_BALANCE"),
        ("transfer.failed", "INSUFFICIENT_BALANCE"),
    ]
    assert [d.body["eventId"] for d in rx.events(completed_only)] == [
        d.body["eventId"] for d in got if d.event == "transfer.completed"
    ]
    assert rx.events(subs) == [] and rx.bad_signatures == 0
    for delivery in got:
        assert delivery.event == delivery.body["event"]
    by_tx = {d.body["data"]["txId"]: d.body for d in got if d.event == "transfer.completed"}
    one = by_tx[first["txId"]]
    assert one["eventId"].startswith("evt_") and one["createdAt"].endswith("Z")
    assert one["data"] | {"agent": None} == {
        "txId": first["txId"],
        "panelTransactionId": first["panelTransactionId"],
        "status": "completed",
        "reason": None,
        "type": "deposit",
        "amount": 10.5,
        "currency": "PHP",
        "agent": None,
        "playerUsername": own,
        "isBypass": False,
        "owningAgent": {"id": str(top.agent.id), "username": top.username},
        "bypassInfo": None,
        "rebate": None,
        "paymentMethod": None,
        "paymentReference": None,
        "idempotencyKey": "k-one",
    }
    assert one["data"]["agent"] == {"id": str(top.agent.id), "username": top.username}
    two = by_tx[bypass["txId"]]["data"]
    assert (two["amount"], two["isBypass"]) == (20, True)
    assert (two["bypassInfo"], two["rebate"]) == (bypass["bypassInfo"], bypass["rebate"])
    assert two["rebate"] == {"percent": 2.5, "amount": 0.5, "owedTo": sub.username}
    blocked = next(d.body["data"] for d in got if d.event == "bypass.blocked")
    assert (blocked["txId"], blocked["idempotencyKey"], blocked["amount"]) == (None, "k-blocked", 5)
    assert blocked["bypassInfo"] == {"count": 2, "tier": "blocked"}
    assert blocked["owningAgent"] == {"id": str(sub.agent.id), "username": sub.username}
    statuses = {row[1] for w in (every, completed_only) for row in attempts_of(ledger, loop, w)}
    assert statuses == {"delivered"}
    # Each attempt has its log line (no secret, no signature, no body).
    delivered = '"delivery_status": "delivered"'
    wait_until(lambda: srv.log_text().count(delivered) == 8, what="the attempts' log lines")


def test_a_receiver_down_for_a_while_gets_every_event(
    serve: Callable[..., Server],
    receivers: Callable[..., Receiver],
    desk_on: Callable[..., Desk],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    srv = serve()
    top = desk_on(srv, 10000)
    player = top.register_player()
    rx = receivers(free_port(), start=False)  # nothing listens yet: connection refused
    webhook = register(top, rx, ["transfer.completed"])
    answers = [assert_envelope(transfer(top, player, "deposit", n), 200) for n in (1, 2, 3)]

    def failures(kind: str) -> set[int]:
        rows = attempts_of(ledger, loop, webhook)
        return {row[0] for row in rows if row[5] and row[5].startswith(kind)}

    wait_until(lambda: len(failures("ConnectError")) == 3, what="refused attempts")
    rx.mode = "fail"
    rx.start()
    wait_until(lambda: len(failures("HTTP 500")) == 3, what="500 attempts")
    rx.mode = "ok"
    wait_until(lambda: len(rx.events(webhook)) == 3, what="every event")
    assert sorted(d.body["data"]["txId"] for d in rx.events(webhook)) == sorted(
        a["txId"] for a in answers
    )
    assert rx.bad_signatures == 0
    wait_until(lambda: {r[1] for r in attempts_of(ledger, loop, webhook)} == {"delivered"})
    rows = attempts_of(ledger, loop, webhook)
    for delivery in {row[0] for row in rows}:
        tried = [row for row in rows if row[0] == delivery]
        assert [row[3] for row in tried] == list(range(1, tried[0][2] + 1))  # every attempt
        assert all(row[6] is not None for row in tried)  # each with its duration
        assert tried[-1][4:6] == (200, None)
        assert all(row[5] for row in tried[:-1])  # the failures say why


def test_a_server_killed_mid_delivery_loses_no_event(
    serve: Callable[..., Server],
    receivers: Callable[..., Receiver],
    desk_on: Callable[..., Desk],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    srv = serve(WEBHOOK_TIMEOUT_S="5", WEBHOOK_LEASE_S="6")
    top = desk_on(srv, 10000)
    player = top.register_player()
    rx = receivers()
    rx.mode = "hang"
    webhook = register(top, rx, ["transfer.completed"])
    first = assert_envelope(transfer(top, player, "deposit", 1), 200)
    assert rx.hanging.wait(30)
    # The receiver hangs on the first event: a transfer still completes.
    second = assert_envelope(transfer(top, player, "deposit", 2, secrets.token_hex(6)), 200)
    assert srv.process is not None
    srv.process.kill()
    srv.process.wait(10)
    rx.mode = "ok"
    rx.release.set()
    srv.start()  # the same port, a new process: the killed claims come due when leases end
    wait_until(lambda: len(rx.events(webhook)) == 2, what="both events after the restart")
    assert {d.body["data"]["txId"] for d in rx.events(webhook)} == {first["txId"], second["txId"]}
    rows = attempts_of(ledger, loop, webhook)
    killed = rows[0]  # the first event's first attempt: no result, then sent again
    assert killed[3:6] == (1, None, "no result: the lease ended first")
    assert rx.bad_signatures == 0


def test_a_delivery_is_given_up_after_the_attempt_limit(
    db_url: str,
    serve: Callable[..., Server],
    receivers: Callable[..., Receiver],
    desk_on: Callable[..., Desk],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    srv = serve(WEBHOOK_ATTEMPTS_MAX="3")
    top = desk_on(srv, 10000)
    player = top.register_player()
    rx = receivers(free_port(), start=False)
    webhook = register(top, rx, ["transfer.completed"])
    assert_envelope(transfer(top, player, "deposit", 1), 200)
    wait_until(lambda: {r[1] for r in attempts_of(ledger, loop, webhook)} == {"dead"})
    time.sleep(1)
    rows = attempts_of(ledger, loop, webhook)
    assert [(row[2], row[3]) for row in rows] == [(3, 1), (3, 2), (3, 3)]
    assert all(row[5].startswith("ConnectError") for row in rows)
    shown = wallet(db_url, "webhooks", "deliveries", "--agent", top.username, "--status", "dead")
    assert shown.returncode == 0, shown.stderr
    line = shown.stdout.strip()
    assert f"webhook: {webhook} agent: {top.username} status: dead attempts: 3" in line
    assert "last: - ConnectError" in line and "\n" not in line
    bad = wallet(db_url, "webhooks", "deliveries", "--status", "lost")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_signature_and_retry_schedule() -> None:
    body = b'{"event":"transfer.completed"}'
    expected = hmac.new(b"whsec_k", body, hashlib.sha256).hexdigest()
    assert signature("whsec_k", body) == expected
    settings = Settings(webhook_backoff_s=5, webhook_backoff_max_s=3600)
    for attempt, full in [(1, 5), (2, 10), (3, 20), (10, 2560), (11, 3600), (100, 3600)]:
        delays = [retry_delay_s(attempt, settings) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays), (attempt, min(delays), max(delays))
        assert max(delays) - min(delays) > 0  # jittered
    with pytest.raises(ValueError, match="WEBHOOK_LEASE_S"):
        Settings(webhook_timeout_s=10, webhook_lease_s=10)


def test_a_hanging_receiver_times_out_and_gets_the_event_later(
    serve: Callable[..., Server],
    receivers: Callable[..., Receiver],
    desk_on: Callable[..., Desk],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    srv = serve(WEBHOOK_TIMEOUT_S="0.5", WEBHOOK_LEASE_S="5")
    top = desk_on(srv, 10000)
    player = top.register_player()
    rx = receivers()
    rx.mode = "hang"
    webhook = register(top, rx, ["transfer.completed"])
    done = assert_envelope(transfer(top, player, "deposit", 1), 200)

    def timeouts() -> int:
        return sum(
            1 for r in attempts_of(ledger, loop, webhook) if (r[5] or "").startswith("Timeout")
        )

    wait_until(lambda: timeouts() >= 2, what="timed-out attempts")
    rx.mode = "ok"
    wait_until(lambda: len(rx.events(webhook)) == 1, what="the event")
    assert rx.events(webhook)[0].body["data"]["txId"] == done["txId"]
    rx.release.set()
