"""The smart transfer: ownership, bypass tiers across the window, rebates owed as ledger
liabilities, the answer's shape, history with its filters, rebate and bypass settings."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.agents.conftest import Desk
from tests.agents.test_auth import assert_envelope
from tests.support import LoopThread, Server
from wallet.ledger.database import LedgerDB

ST_ID = re.compile(r"ST-\d{8}-\d{6}")


def tree(open_desk: Callable[..., Desk]) -> tuple[Desk, Desk, str]:
    """The document's example: an agent with 115, its sub-agent doctrinedark's player Lykmyk."""
    top = open_desk(11500)
    sub = open_desk(0, parent=top.agent)
    return top, sub, sub.register_player()


def test_a_bypass_deposit_answers_the_documents_shape(open_desk: Callable[..., Desk]) -> None:
    top, sub, player = tree(open_desk)
    top.ok("/rebate", {"action": "set", "subAgentUsername": sub.username, "rebatePercent": 2})
    data = top.ok(
        "/transfer",
        {"playerUsername": player, "type": "deposit", "amount": 100, "paymentMethod": "gcash",
         "paymentReference": "GC-12345"},
        headers={"X-Idempotency-Key": secrets.token_hex(8)},
    )  # fmt: skip
    assert ST_ID.fullmatch(data.pop("txId"))
    assert data.pop("panelTransactionId").isdigit()
    assert data.pop("createdAt")
    assert data == {
        "type": "deposit",
        "playerUsername": player,
        "amount": 100,
        "isBypass": True,
        "owningAgent": {"id": str(sub.agent.id), "username": sub.username},
        "rebate": {"percent": 2, "amount": 2, "owedTo": sub.username},
        "bypassInfo": {"count": 1, "tier": "free", "surchargePercent": 0, "surchargeAmount": 0},
        "paymentMethod": "gcash",
        "paymentReference": "GC-12345",
        "comment": None,
        "agentBalanceBefore": 115,
        "agentBalanceAfter": 15,
        "playerBalanceBefore": 0,
        "playerBalanceAfter": 100,
    }
    settlement = top.ok("/rebate")
    assert settlement["rebates"] == [
        {"username": sub.username, "affiliateId": str(sub.agent.id), "rebatePercent": 2}
    ]
    assert settlement["settlement"] == [
        {"username": sub.username, "totalRebateOwed": 2, "transactionCount": 1}
    ]


def test_own_player_is_no_bypass_and_others_are_403(open_desk: Callable[..., Desk]) -> None:
    top, sub, player = tree(open_desk)
    top.ok("/agent/deposit", {"agentTarget": sub.username, "amount": 50})
    data = sub.ok("/transfer", {"playerUsername": player, "type": "deposit", "amount": 20})
    assert (data["isBypass"], data["rebate"], data["bypassInfo"]) == (False, None, None)
    assert data["owningAgent"] == {"id": str(sub.agent.id), "username": sub.username}
    out = sub.ok("/transfer", {"playerUsername": player, "type": "withdraw", "amount": 5.5})
    assert (out["playerBalanceAfter"], out["agentBalanceAfter"]) == (14.5, 35.5)
    stranger = open_desk(100_00)
    for desk, name in ((stranger, player), (sub, top.register_player())):
        answer = desk.call("/transfer", {"playerUsername": name, "type": "deposit", "amount": 1})
        assert_envelope(answer, 403, "FORBIDDEN")
    error = assert_envelope(
        sub.call("/transfer", {"playerUsername": player, "type": "deposit", "amount": 100}),
        422,
        "INSUFFICIENT_BALANCE",
    )
    assert error["message"] == "Need 100 but have 35.5"
    for bad in (
        {"type": "deposit", "amount": 1},
        {"playerUsername": player, "amount": 1},
        {"playerUsername": player, "type": "refund", "amount": 1},
        {"playerUsername": player, "type": "deposit", "amount": -1},
        {"playerUsername": player, "type": "deposit", "amount": 1.001},
        {"playerUsername": player, "type": "deposit", "amount": 1, "paymentMethod": "cash"},
        {"playerUsername": player, "type": "deposit", "amount": 1, "paymentReference": 5},
    ):
        assert_envelope(sub.call("/transfer", bad), 400, "BAD_REQUEST")
    assert sub.balance()["balance"] == 35.5


def test_bypass_tiers_free_surcharge_blocked_and_the_window(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    top, sub, player = tree(open_desk)
    policy = {"action": "set", "maxFreeBypassesPerWindow": 2, "windowHours": 1,
              "surchargePercent": 1.5, "blockAfter": 4, "notifyOwningAgent": True}  # fmt: skip
    set_answer = top.ok("/bypass", policy)
    assert set_answer == {k: v for k, v in policy.items() if k != "action"}
    assert top.ok("/bypass") == set_answer
    body = {"playerUsername": player, "type": "deposit", "amount": 10}
    infos = [top.ok("/transfer", body)["bypassInfo"] for _ in range(4)]
    assert [(i["count"], i["tier"]) for i in infos] == [
        (1, "free"), (2, "free"), (3, "surcharge"), (4, "surcharge")
    ]  # fmt: skip
    assert (infos[2]["surchargePercent"], infos[2]["surchargeAmount"]) == (1.5, 0.15)
    blocked = assert_envelope(top.call("/transfer", body), 422, "BYPASS_BLOCKED")
    assert sub.username in blocked["message"]
    assert top.balance()["balance"] == 75
    # The owner was told once, on the first bypass of the window.
    notes = loop.run(
        ledger.all(
            "SELECT title_key FROM agent_notifications WHERE agent_id = %s"
            " AND title_key LIKE 'bypass.%%' ORDER BY id",
            (sub.agent.id,),
        )
    )  # (and of each move, transfer.alert: tests/agents/test_notifications.py)
    assert notes == [("bypass.first",), ("bypass.blocked",)]
    # Past the window (the records moved back in time, as an hour passing would), free again.
    loop.run(
        ledger.all(
            "UPDATE smart_transfers SET created_at = created_at - interval '61 minutes'"
            " WHERE owner_agent_id = %s",
            (sub.agent.id,),
        )
    )
    again = top.ok("/transfer", body)["bypassInfo"]
    assert (again["count"], again["tier"]) == (1, "free")
    assert len(loop.run(ledger.all(
        "SELECT 1 FROM agent_notifications WHERE agent_id = %s AND title_key = 'bypass.first'",
        (sub.agent.id,),
    ))) == 2  # fmt: skip
    # A bypass withdraw is counted too; it accrues no rebate.
    out = top.ok("/transfer", {**body, "type": "withdraw"})
    assert (out["isBypass"], out["rebate"], out["bypassInfo"]["count"]) == (True, None, 2)


def test_rebate_owed_is_the_sum_over_transfers(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    top, sub, player = tree(open_desk)
    other_sub = open_desk(0, parent=top.agent)
    other_player = other_sub.register_player()
    top.ok("/bypass", {"action": "set", "maxFreeBypassesPerWindow": 100, "blockAfter": 100})
    top.ok("/rebate", {"action": "set", "subAgentUsername": sub.username, "rebatePercent": 2.5})
    top.ok("/rebate", {"action": "set", "subAgentUsername": other_sub.username,
                       "rebatePercent": 0.33})  # fmt: skip
    amounts = [10, 3.33, 0.39, 7.01, 1]
    rebates = [top.ok("/transfer", {"playerUsername": player, "type": "deposit", "amount": a})[
        "rebate"
    ] for a in amounts]  # fmt: skip
    expected_minor = [a_minor * 250 // 10_000 for a_minor in (1000, 333, 39, 701, 100)]
    owed = [r["amount"] if r else 0 for r in rebates]
    assert owed == [m / 100 for m in expected_minor]
    top.ok("/transfer", {"playerUsername": other_player, "type": "deposit", "amount": 50})
    settlement = {s["username"]: s for s in top.ok("/rebate")["settlement"]}
    assert settlement[sub.username]["totalRebateOwed"] == sum(expected_minor) / 100
    assert settlement[sub.username]["transactionCount"] == sum(1 for m in expected_minor if m)
    assert settlement[other_sub.username]["totalRebateOwed"] == 0.16
    # In the ledger: the top agent's liability against the sub-agent's due, equal and opposite.
    rows = loop.run(
        ledger.all(
            "SELECT owner_id, purpose, balance_minor FROM accounts WHERE owner_type = 'agent'"
            " AND ((owner_id = %s AND purpose = %s) OR (owner_id = %s AND purpose = %s))",
            (
                top.agent.id,
                f"rebate_owed:{sub.agent.id}",
                sub.agent.id,
                f"rebate_due:{top.agent.id}",
            ),
        )
    )
    assert sorted((int(o), p, int(b)) for o, p, b in rows) == [
        (top.agent.id, f"rebate_owed:{sub.agent.id}", -sum(expected_minor)),
        (sub.agent.id, f"rebate_due:{top.agent.id}", sum(expected_minor)),
    ]
    for bad in ({"action": "set", "subAgentUsername": sub.username, "rebatePercent": 100.01},
                {"action": "set", "subAgentUsername": sub.username, "rebatePercent": 1.234},
                {"action": "set", "subAgentUsername": sub.username},
                {"action": "set", "subAgentUsername": top.username, "rebatePercent": 1},
                {"action": "delete"}):  # fmt: skip
        assert assert_envelope(top.call("/rebate", bad), 403 if bad.get("subAgentUsername") == (
            top.username) else 400, "FORBIDDEN" if bad.get("subAgentUsername") == top.username
            else "BAD_REQUEST")  # fmt: skip


def test_history_filters_and_pages(open_desk: Callable[..., Desk]) -> None:
    top, sub, player = tree(open_desk)
    mine = top.register_player()
    top.ok("/transfer", {"playerUsername": player, "type": "deposit", "amount": 10})
    top.ok("/transfer", {"playerUsername": mine, "type": "deposit", "amount": 20,
                         "paymentMethod": "bank"})  # fmt: skip
    top.ok("/transfer", {"playerUsername": mine, "type": "withdraw", "amount": 5})
    every = top.ok("/transfer/history")
    assert (every["count"], every["total"]) == (3, 3)
    assert [t["amount"] for t in every["transfers"]] == [5, 20, 10]  # newest first
    assert all(ST_ID.fullmatch(t["txId"]) for t in every["transfers"])

    def amounts(**where: Any) -> list[Any]:
        return [t["amount"] for t in top.ok("/transfer/history", where)["transfers"]]

    assert amounts(playerUsername=mine) == [5, 20]
    assert amounts(type="deposit") == [20, 10]
    assert amounts(bypassOnly=True) == [10]
    assert amounts(owningAgent=sub.username) == [10]
    assert amounts(dateFrom="2000-01-01", dateTo="2999/12/31") == [5, 20, 10]
    assert amounts(dateTo="2000-01-01") == []
    assert amounts(start=1, limit=1) == [20]
    assert sub.ok("/transfer/history")["total"] == 0
    for bad in ({"type": "x"}, {"dateFrom": "yesterday"}, {"bypassOnly": "yes"}, {"limit": 0}):
        assert_envelope(top.call("/transfer/history", bad), 400, "BAD_REQUEST")


def test_smart_transfer_idempotency_and_concurrency(
    open_desk: Callable[..., Desk], agent_server: Server
) -> None:
    top, _, player = tree(open_desk)
    key = secrets.token_hex(8)
    body = {"playerUsername": player, "type": "deposit", "amount": 10, "paymentMethod": "gcash"}

    def send(_: int) -> Any:
        with httpx.Client(base_url=agent_server.base_url, timeout=30) as client:
            return client.post(
                "/api/transfer",
                json=body,
                headers={"Authorization": f"Bearer {top.token}", "X-Idempotency-Key": key},
            ).json()

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(send, range(30)))
    assert all(a["success"] for a in answers), [a for a in answers if not a["success"]]
    assert sum(1 for a in answers if not a.get("_idempotent")) == 1
    assert len({a["data"]["txId"] for a in answers}) == 1
    assert top.balance()["balance"] == 105
    conflict = top.call("/transfer", {**body, "amount": 11}, headers={"X-Idempotency-Key": key})
    assert_envelope(conflict, 409, "IDEMPOTENCY_CONFLICT")
    # One key names one move whichever endpoint it comes to.
    raw = {"playerUsername": player, "amount": 10}
    assert_envelope(top.call("/deposit", raw, headers={"X-Idempotency-Key": key}), 409,
                    "IDEMPOTENCY_CONFLICT")  # fmt: skip
    other_key = secrets.token_hex(8)
    top.ok("/deposit", raw, headers={"X-Idempotency-Key": other_key})
    assert_envelope(top.call("/transfer", body, headers={"X-Idempotency-Key": other_key}), 409,
                    "IDEMPOTENCY_CONFLICT")  # fmt: skip
    assert top.balance()["balance"] == 95
    # 20 bypasses at once under a policy of 3 free and 5 in all: exactly 5 pass.
    top.ok("/bypass", {"action": "set", "maxFreeBypassesPerWindow": 3, "blockAfter": 5})

    def bypass(_: int) -> int:
        with httpx.Client(base_url=agent_server.base_url, timeout=30) as client:
            return client.post(
                "/api/transfer",
                json={**body, "amount": 1},
                headers={"Authorization": f"Bearer {top.token}"},
            ).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(bypass, range(20)))
    assert sorted(codes) == [200] * 4 + [422] * 16  # the first one above counted already
    assert top.balance()["balance"] == 91
