"""Raw transfers: deposit and withdraw with players, REAL and CREDIT with sub-agents; the
subtree, insufficient funds, bad input (nothing moved), idempotency and concurrency."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.agents.conftest import Desk
from tests.agents.test_auth import assert_envelope
from tests.support import LoopThread
from wallet.ledger.database import LedgerDB


def agent_moves(ledger: LedgerDB, loop: LoopThread, agent_id: int) -> int:
    row = loop.run(ledger.one("SELECT count(*) FROM agent_moves WHERE agent_id = %s", (agent_id,)))
    assert row is not None
    return int(row[0])


def test_deposit_and_withdraw_with_a_player(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(11500)
    player = desk.register_player()
    data = desk.ok("/deposit", {"playerUsername": player, "amount": 100, "comment": "gcash"})
    assert data["type"] == "deposit" and data["playerUsername"] == player
    assert (data["amount"], data["comment"]) == (100, "gcash")
    assert (data["agentBalanceBefore"], data["agentBalanceAfter"]) == (115, 15)
    assert (data["playerBalanceBefore"], data["playerBalanceAfter"]) == (0, 100)
    out = desk.ok("/withdraw", {"playerUsername": player, "amount": 40.25})
    assert (out["agentBalanceAfter"], out["playerBalanceAfter"]) == (55.25, 59.75)
    found = desk.ok("/player/search", {"playerUsername": player})["players"]
    balance = desk.ok("/player/balance", {"playerId": found[0]["playerId"]})
    assert balance == {
        "playerId": found[0]["playerId"],
        "username": player,
        "balance": 59.75,
        "currency": "PHP",
    }
    assert desk.balance()["balance"] == 55.25


def test_insufficient_funds_are_422_with_the_documents_message(
    open_desk: Callable[..., Desk],
) -> None:
    desk = open_desk(1400)
    player = desk.register_player()
    error = assert_envelope(
        desk.call("/deposit", {"playerUsername": player, "amount": 100}),
        422,
        "INSUFFICIENT_BALANCE",
    )
    assert error["message"] == "Need 100 but have 14"
    desk.ok("/deposit", {"playerUsername": player, "amount": 4})
    error = assert_envelope(
        desk.call("/withdraw", {"playerUsername": player, "amount": 4.5}),
        422,
        "INSUFFICIENT_BALANCE",
    )
    assert error["message"] == "Need 4.5 but have 4"
    assert desk.balance()["balance"] == 10


def test_a_descendants_player_yes_another_tree_no(open_desk: Callable[..., Desk]) -> None:
    top = open_desk(100_00)
    middle = open_desk(0, parent=top.agent)
    bottom = open_desk(50_00, parent=middle.agent)
    stranger = open_desk(100_00)
    theirs = bottom.register_player()
    # The grand-parent reaches its grand-child's player; lists and search include it.
    top.ok("/deposit", {"playerUsername": theirs, "amount": 10})
    assert theirs in [p["username"] for p in top.ok("/players")["players"]]
    assert [
        p["username"] for p in top.ok("/player/search", {"playerUsername": theirs})["players"]
    ] == [theirs]
    # Another tree, or a parent's player seen from below: 403, nothing moved.
    mine = top.register_player()
    for desk, player in ((stranger, theirs), (bottom, mine), (middle, mine)):
        for path in ("/deposit", "/withdraw"):
            answer = desk.call(path, {"playerUsername": player, "amount": 1})
            assert_envelope(answer, 403, "FORBIDDEN")
    player_id = top.ok("/player/search", {"playerUsername": theirs})["players"][0]["playerId"]
    assert_envelope(stranger.call("/player/balance", {"playerId": player_id}), 403, "FORBIDDEN")
    assert stranger.ok("/player/search", {"playerUsername": theirs})["players"] == []
    assert theirs not in [p["username"] for p in stranger.ok("/players")["players"]]
    # Agents: a parent or a stranger is out of reach too.
    for desk, target in ((bottom, top), (stranger, middle), (middle, middle)):
        answer = desk.call("/agent/deposit", {"agentTarget": target.username, "amount": 1})
        assert_envelope(answer, 403, "FORBIDDEN")
    assert stranger.balance()["balance"] == 100 and bottom.balance()["balance"] == 50
    assert top.balance()["balance"] == 90


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/deposit", {"amount": 1}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": "PLAYER"}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": "PLAYER", "amount": "10"}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": "PLAYER", "amount": True}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": "PLAYER", "amount": -5}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": "PLAYER", "amount": 0}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": "PLAYER", "amount": 1.001}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": "PLAYER", "amount": 10**30}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": ["PLAYER"], "amount": 1}, 400, "BAD_REQUEST"),
        ("/deposit", {"playerUsername": "PLAYER", "amount": 1, "comment": 7}, 400, "BAD_REQUEST"),
        ("/withdraw", {"playerUsername": "no_such_player_x", "amount": 1}, 404, "NOT_FOUND"),
        ("/deposit", {"playerUsername": "no_such_player_x", "amount": 1}, 404, "NOT_FOUND"),
        (
            "/agent/deposit",
            {"agentTarget": "SUB", "amount": 1, "moneyType": "GOLD"},
            400,
            "BAD_REQUEST",
        ),
        (
            "/agent/deposit",
            {"agentTarget": "SUB", "amount": 1, "moneyType": "real"},
            400,
            "BAD_REQUEST",
        ),
        ("/agent/deposit", {"agentTarget": "SUB", "amount": 1, "moneyType": 1}, 400, "BAD_REQUEST"),
        ("/agent/withdraw", {"agentTarget": "SUB", "amount": 1.005}, 400, "BAD_REQUEST"),
        ("/agent/deposit", {"amount": 1}, 400, "BAD_REQUEST"),
        ("/agent/deposit", {"agentTarget": "no_such_agent_x", "amount": 1}, 404, "NOT_FOUND"),
        ("/player/balance", {"playerId": "abc"}, 400, "BAD_REQUEST"),
        ("/player/balance", {"playerId": 1.5}, 400, "BAD_REQUEST"),
        ("/player/balance", {}, 400, "BAD_REQUEST"),
        ("/player/balance", {"playerId": "999999999999"}, 404, "NOT_FOUND"),
        ("/players", {"limit": 101}, 400, "BAD_REQUEST"),
        ("/players", {"start": -1}, 400, "BAD_REQUEST"),
        ("/players", {"limit": "10"}, 400, "BAD_REQUEST"),
    ],
)
def test_bad_input_is_refused_and_moves_nothing(
    open_desk: Callable[..., Desk],
    ledger: LedgerDB,
    loop: LoopThread,
    path: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    desk = open_desk(100_00)
    sub = open_desk(100_00, parent=desk.agent)
    player = desk.register_player()
    desk.ok("/deposit", {"playerUsername": player, "amount": 10})
    names = {"PLAYER": player, "SUB": sub.username}
    filled = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    assert_envelope(desk.call(path, filled), status, code)
    assert desk.balance()["balance"] == 90 and sub.balance()["balance"] == 100
    assert agent_moves(ledger, loop, desk.agent.id) == 1


def test_a_body_that_is_not_a_json_object_is_400(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(100_00)
    player = desk.register_player()
    auth = {"Authorization": f"Bearer {desk.token}"}
    amounts = [b"1e3", b"NaN", b"Infinity", b"-0", b"1.", b"01"]
    bodies = [b'{"playerUsername": "%s", "amount": %s}' % (player.encode(), a) for a in amounts]
    for content in (b"[1]", b"{", b'"x"', b"{" * 100_000, b"x" * 70_000, *bodies):
        answer = desk.client.post("/api/deposit", content=content, headers=auth)
        assert_envelope(answer, 400, "BAD_REQUEST")
    assert desk.balance()["balance"] == 100


def test_real_and_credit_with_a_sub_agent(open_desk: Callable[..., Desk]) -> None:
    parent = open_desk(1000_00)
    sub = open_desk(0, parent=parent.agent)
    real = parent.ok("/agent/deposit", {"agentTarget": sub.username, "amount": 100})
    assert (real["moneyType"], real["targetBalanceBefore"], real["targetBalanceAfter"]) == (
        "REAL",
        0,
        100,
    )
    credit = parent.ok(
        "/agent/deposit", {"agentTarget": sub.username, "amount": 200, "moneyType": "CREDIT"}
    )
    assert (credit["targetCreditLineBefore"], credit["targetCreditLineAfter"]) == (0, 200)
    assert parent.balance()["totalAvailable"] == 700
    assert sub.balance() | {"affiliateId": "", "username": ""} == {
        "affiliateId": "",
        "username": "",
        "balance": 100,
        "credit": 200,
        "creditLine": 200,
        "totalAvailable": 300,
        "bonus": 0,
        "frozenBalance": 0,
        "currency": "PHP",
        "decimals": 2,  # beside the document's fields
    }
    # The sub-agent spends its balance, then its credit, never beyond.
    player = sub.register_player()
    sub.ok("/deposit", {"playerUsername": player, "amount": 250})
    figures = sub.balance()
    assert (figures["balance"], figures["credit"], figures["totalAvailable"]) == (0, 50, 50)
    error = assert_envelope(
        sub.call("/deposit", {"playerUsername": player, "amount": 50.01}),
        422,
        "INSUFFICIENT_BALANCE",
    )
    assert error["message"] == "Need 50.01 but have 50"
    # Used credit cannot be taken back, nor REAL balance the sub-agent does not have.
    take_credit = {"agentTarget": sub.username, "amount": 60, "moneyType": "CREDIT"}
    error = assert_envelope(
        parent.call("/agent/withdraw", take_credit), 422, "INSUFFICIENT_BALANCE"
    )
    assert error["message"] == "Need 60 but have 50"
    error = assert_envelope(
        parent.call("/agent/withdraw", {"agentTarget": sub.username, "amount": 1}),
        422,
        "INSUFFICIENT_BALANCE",
    )
    assert error["message"] == "Need 1 but have 0"
    back = parent.ok("/agent/withdraw", {**take_credit, "amount": 50})
    assert (back["targetCreditLineBefore"], back["targetCreditLineAfter"]) == (200, 150)
    assert sub.balance()["totalAvailable"] == 0
    # The player pays back; REAL comes back to the sub-agent, then up to the parent.
    sub.ok("/withdraw", {"playerUsername": player, "amount": 250})
    assert (sub.balance()["balance"], sub.balance()["credit"]) == (100, 150)
    parent.ok("/agent/withdraw", {"agentTarget": sub.username, "amount": 100})
    parent.ok("/agent/withdraw", {**take_credit, "amount": 150})
    assert parent.balance()["balance"] == 1000
    assert sub.balance()["totalAvailable"] == 0


def test_idempotency_replays_and_conflicts(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(100_00)
    player = desk.register_player()
    key = f"k-{secrets.token_hex(8)}"
    body = {"playerUsername": player, "amount": 10, "comment": "x"}
    first = desk.call("/deposit", body, headers={"X-Idempotency-Key": key})
    assert_envelope(first, 200)
    # Same key, same request (10.00 is 10; the key in the body instead of the header).
    again = desk.call("/deposit", {**body, "amount": 10.00, "idempotencyKey": key})
    assert again.json()["_idempotent"] is True
    original = first.json()["data"]
    assert again.json()["data"] == {**original, "_idempotent": True}
    for other in (
        {**body, "amount": 11},
        {**body, "comment": "y"},
    ):
        answer = desk.call("/deposit", other, headers={"X-Idempotency-Key": key})
        assert_envelope(answer, 409, "IDEMPOTENCY_CONFLICT")
    answer = desk.call("/withdraw", body, headers={"X-Idempotency-Key": key})
    assert_envelope(answer, 409, "IDEMPOTENCY_CONFLICT")
    mismatch = desk.call(
        "/deposit", {**body, "idempotencyKey": "other"}, headers={"X-Idempotency-Key": key}
    )
    assert_envelope(mismatch, 400, "BAD_REQUEST")
    assert desk.balance()["balance"] == 90
    # Keys are the agent's own: another agent's same key is another move.
    other = open_desk(100_00)
    other_player = other.register_player()
    other.ok(
        "/deposit", {**body, "playerUsername": other_player}, headers={"X-Idempotency-Key": key}
    )
    assert other.balance()["balance"] == 90


def test_30_concurrent_transfers_with_one_key_move_money_once(
    open_desk: Callable[..., Desk], agent_server: Any
) -> None:
    desk = open_desk(1000_00)
    player = desk.register_player()
    sub = open_desk(0, parent=desk.agent)
    for path, body in (
        ("/deposit", {"playerUsername": player, "amount": 7}),
        ("/agent/deposit", {"agentTarget": sub.username, "amount": 9, "moneyType": "CREDIT"}),
    ):
        key = f"k-{secrets.token_hex(8)}"

        def send(_: int, path: str = path, body: dict[str, Any] = body, key: str = key) -> Any:
            with httpx.Client(base_url=agent_server.base_url, timeout=30) as client:
                return client.post(
                    f"/api{path}",
                    json=body,
                    headers={"Authorization": f"Bearer {desk.token}", "X-Idempotency-Key": key},
                ).json()

        with ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(send, range(30)))
        assert all(a["success"] for a in answers), answers
        assert sum(1 for a in answers if not a.get("_idempotent")) == 1
        ids = {a["data"]["transactionId"] for a in answers}
        assert len(ids) == 1
    assert desk.balance()["balance"] == 1000 - 7 - 9
    assert sub.balance()["creditLine"] == 9


def test_a_credit_line_holds_under_20_concurrent_transfers(
    open_desk: Callable[..., Desk], agent_server: Any
) -> None:
    parent = open_desk(1000_00)
    sub = open_desk(0, parent=parent.agent)
    parent.ok("/agent/deposit", {"agentTarget": sub.username, "amount": 95, "moneyType": "CREDIT"})
    players = [sub.register_player() for _ in range(4)]

    def send(i: int) -> int:
        with httpx.Client(base_url=agent_server.base_url, timeout=30) as client:
            return client.post(
                "/api/deposit",
                json={"playerUsername": players[i % 4], "amount": 10},
                headers={"Authorization": f"Bearer {sub.token}"},
            ).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(send, range(20)))
    assert sorted(codes) == [200] * 9 + [422] * 11
    figures = sub.balance()
    assert (figures["balance"], figures["credit"], figures["creditLine"]) == (0, 5, 95)
    assert figures["totalAvailable"] == 5


def test_a_players_debt_is_repaid_first_and_never_withdrawn(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    """A debt (what an authoritative rollback took beyond zero; the studios see main + debt):
    deposits repay it first, as the hot path's credits do, and no withdraw takes it out."""
    from wallet.ledger.idempotency import request_hash
    from wallet.ledger.postings import post, system_account

    desk = open_desk(100_00)
    player = desk.register_player()
    row = loop.run(
        ledger.one(
            "SELECT d.id FROM accounts d JOIN players p ON p.id = d.owner_id"
            " WHERE d.owner_type = 'player' AND d.purpose = 'debt' AND p.username = %s",
            (player,),
        )
    )
    assert row is not None
    house = loop.run(system_account(ledger, "game:test", "PHP"))
    made = loop.run(
        post(
            ledger,
            caller="test",
            operation="rollback_beyond_zero",
            external_id=secrets.token_hex(8),
            request_hash=request_hash({"player": player}),
            legs=[(int(row[0]), -4000), (house, 4000)],
            key_account=int(row[0]),
        )
    )
    assert made.outcome == "new"
    player_id = desk.ok("/player/search", {"playerUsername": player})["players"][0]["playerId"]
    assert desk.ok("/player/balance", {"playerId": player_id})["balance"] == -40
    error = assert_envelope(
        desk.call("/withdraw", {"playerUsername": player, "amount": 1}),
        422,
        "INSUFFICIENT_BALANCE",
    )
    assert error["message"] == "Need 1 but have 0"
    key = {"X-Idempotency-Key": secrets.token_hex(8)}
    first = desk.ok("/deposit", {"playerUsername": player, "amount": 30}, headers=key)
    assert (first["playerBalanceBefore"], first["playerBalanceAfter"]) == (-40, -10)
    smart = desk.ok("/transfer", {"playerUsername": player, "type": "deposit", "amount": 25})
    assert (smart["playerBalanceBefore"], smart["playerBalanceAfter"]) == (-10, 15)
    again = desk.call("/deposit", {"playerUsername": player, "amount": 30}, headers=key).json()
    assert again["data"] == {**first, "_idempotent": True}
    out = desk.ok("/withdraw", {"playerUsername": player, "amount": 15})
    assert (out["playerBalanceBefore"], out["playerBalanceAfter"]) == (15, 0)
    short = desk.call("/transfer", {"playerUsername": player, "type": "withdraw", "amount": 0.01})
    assert_envelope(short, 422, "INSUFFICIENT_BALANCE")
    assert desk.ok("/player/balance", {"playerId": player_id})["balance"] == 0
    assert desk.balance()["balance"] == 60
    debt = loop.run(ledger.one("SELECT balance_minor FROM accounts WHERE id = %s", (row[0],)))
    assert debt == (0,)
