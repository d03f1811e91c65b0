"""Notifications: one for each event kind, written with the event (a refused or replayed move
writes none, a blocked bypass writes its own once), their variables, pages and read marking."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from tests.agents.conftest import Desk
from tests.agents.test_auth import assert_envelope
from tests.support import LoopThread
from wallet.agents.notifications import NotificationsData
from wallet.ledger.database import LedgerDB


def notes(desk: Desk, **body: Any) -> list[dict[str, Any]]:
    data = desk.ok("/notifications", {"limit": 100, **body})
    NotificationsData.model_validate(data)
    rows: list[dict[str, Any]] = data["notifications"]
    return rows


def keyed(desk: Desk, path: str, body: dict[str, Any], key: str, status: int = 200) -> Any:
    answer = desk.call(path, body, headers={"X-Idempotency-Key": key})
    return assert_envelope(answer, status, None if status == 200 else "BYPASS_BLOCKED")


def tree(open_desk: Callable[..., Desk]) -> tuple[Desk, Desk, str]:
    """top (1000.00) -> sub, and sub's player."""
    top = open_desk(100_000)
    sub = open_desk(parent=top.agent)
    return top, sub, sub.register_player()


def by_top(top: Desk) -> dict[str, str]:
    return {"byAgentId": str(top.agent.id), "byAgentUsername": top.username}


def test_a_raw_move_for_a_sub_agents_player_alerts_its_owner(
    open_desk: Callable[..., Desk],
) -> None:
    top, sub, player = tree(open_desk)
    key = secrets.token_hex(8)
    moved = keyed(top, "/deposit", {"playerUsername": player, "amount": 12.34}, key)
    [alert] = notes(sub)
    assert alert["titleKey"] == "transfer.alert" and alert["read"] is False
    assert alert["variables"] == {
        **by_top(top),
        "playerId": moved["playerId"],
        "playerUsername": player,
        "type": "deposit",
        "amountMinor": 1234,
        "amount": "12.34",
        "currency": "PHP",
        "via": "deposit",
        "transactionId": moved["transactionId"],
        "txId": moved["transactionId"],
    }
    # A replay moves nothing and tells nobody again; a refused move tells nobody.
    again = keyed(top, "/deposit", {"playerUsername": player, "amount": 12.34}, key)
    assert again["_idempotent"] is True
    too_much = top.call("/withdraw", {"playerUsername": player, "amount": 13})
    assert_envelope(too_much, 422, "INSUFFICIENT_BALANCE")
    out = top.ok("/withdraw", {"playerUsername": player, "amount": 2})
    rows = notes(sub)
    assert [r["titleKey"] for r in rows] == ["transfer.alert", "transfer.alert"]
    assert rows[0]["variables"]["type"] == "withdraw"
    assert rows[0]["variables"]["amount"] == "2.00"
    assert rows[0]["variables"]["txId"] == out["transactionId"]
    # The owner's own moves alert nobody; the mover is not told of its own move.
    top.ok("/agent/deposit", {"agentTarget": sub.username, "amount": 50})
    sub.ok("/deposit", {"playerUsername": player, "amount": 5})
    assert [r["titleKey"] for r in notes(sub)].count("transfer.alert") == 2
    assert notes(top) == []


def test_a_smart_bypass_alerts_and_notices_the_owner_once(
    open_desk: Callable[..., Desk],
) -> None:
    top, sub, player = tree(open_desk)
    key = secrets.token_hex(8)
    body = {"playerUsername": player, "type": "deposit", "amount": 100}
    moved = keyed(top, "/transfer", body, key)
    rows = notes(sub)
    assert [r["titleKey"] for r in rows] == ["bypass.first", "transfer.alert"]
    common = {
        **by_top(top),
        "playerId": rows[0]["variables"]["playerId"],
        "playerUsername": player,
        "type": "deposit",
        "amountMinor": 10000,
        "amount": "100.00",
        "currency": "PHP",
        "via": "transfer",
        "transactionId": moved["panelTransactionId"],
        "txId": moved["txId"],
    }
    assert rows[1]["variables"] == common
    assert rows[0]["variables"] == {**common, "bypassCount": 1, "windowHours": 24}
    assert keyed(top, "/transfer", body, key)["_idempotent"] is True
    assert len(notes(sub)) == 2
    # The second bypass of the window: an alert, no second notice.
    top.ok("/transfer", {**body, "type": "withdraw", "amount": 1})
    assert [r["titleKey"] for r in notes(sub)] == [
        "transfer.alert", "bypass.first", "transfer.alert"
    ]  # fmt: skip


def test_a_blocked_bypass_notifies_the_owner_once_per_request(
    open_desk: Callable[..., Desk],
) -> None:
    top, sub, player = tree(open_desk)
    top.ok("/bypass", {"action": "set", "maxFreeBypassesPerWindow": 0, "blockAfter": 0})
    key = secrets.token_hex(8)
    body = {"playerUsername": player, "type": "deposit", "amount": 7.5}
    keyed(top, "/transfer", body, key, 422)
    [blocked] = notes(sub)
    assert blocked["titleKey"] == "bypass.blocked"
    assert blocked["variables"] == {
        **by_top(top),
        "playerId": blocked["variables"]["playerId"],
        "playerUsername": player,
        "type": "deposit",
        "amountMinor": 750,
        "amount": "7.50",
        "currency": "PHP",
        "via": "transfer",
        "bypassCount": 1,
        "blockAfter": 0,
        "windowHours": 24,
    }
    # The client retries with its key: still refused, no second notification.
    keyed(top, "/transfer", body, key, 422)
    assert len(notes(sub)) == 1
    # Another request (another key) is another refusal to know of.
    keyed(top, "/transfer", body, secrets.token_hex(8), 422)
    assert [r["titleKey"] for r in notes(sub)] == ["bypass.blocked", "bypass.blocked"]
    assert top.balance()["balance"] == 1000 and notes(top) == []


def test_a_parent_moving_money_to_or_from_a_sub_agent_tells_it(
    open_desk: Callable[..., Desk],
) -> None:
    top, sub, _ = tree(open_desk)
    key = secrets.token_hex(8)
    keyed(top, "/agent/deposit", {"agentTarget": sub.username, "amount": 100}, key)
    keyed(top, "/agent/deposit", {"agentTarget": sub.username, "amount": 100}, key)  # replay
    top.ok("/agent/deposit", {"agentTarget": sub.username, "amount": 50, "moneyType": "CREDIT"})
    out = top.ok("/agent/withdraw", {"agentTarget": sub.username, "amount": 30.25})
    too_much = top.call("/agent/withdraw", {"agentTarget": sub.username, "amount": 500})
    assert_envelope(too_much, 422, "INSUFFICIENT_BALANCE")
    rows = notes(sub)
    assert [(r["titleKey"], r["variables"]["moneyType"]) for r in rows] == [
        ("balance.debited", "REAL"),
        ("balance.credited", "CREDIT"),
        ("balance.credited", "REAL"),
    ]
    assert rows[2]["variables"] == {
        **by_top(top),
        "moneyType": "REAL",
        "amountMinor": 10000,
        "amount": "100.00",
        "currency": "PHP",
        "transactionId": rows[2]["variables"]["transactionId"],
        "balanceAfterMinor": 10000,
        "balanceAfter": "100.00",
        "creditLineAfterMinor": 0,
        "creditLineAfter": "0.00",
    }
    assert rows[1]["variables"]["creditLineAfter"] == "50.00"
    assert rows[1]["variables"]["balanceAfter"] == "100.00"
    debited = rows[0]["variables"]
    assert (debited["amount"], debited["balanceAfter"]) == ("30.25", "69.75")
    assert debited["transactionId"] == out["transactionId"]
    assert sub.balance()["balance"] == 69.75
    # Two levels down: the grandparent's move tells the grandchild.
    leaf = open_desk(parent=sub.agent)
    top.ok("/agent/deposit", {"agentTarget": leaf.username, "amount": 1})
    [credited] = notes(leaf)
    assert (credited["titleKey"], credited["variables"]["byAgentId"]) == (
        "balance.credited", str(top.agent.id)
    )  # fmt: skip


def test_a_changed_rebate_tells_the_sub_agent(open_desk: Callable[..., Desk]) -> None:
    top, sub, _ = tree(open_desk)
    body = {"action": "set", "subAgentUsername": sub.username, "rebatePercent": 2.5}
    top.ok("/rebate", body)
    [first] = notes(sub)
    assert first["titleKey"] == "rebate.changed"
    assert first["variables"] == {**by_top(top), "rebateBp": 250, "rebatePercent": "2.50"}
    top.ok("/rebate", body)  # the same rate again: nothing changed, nothing to tell
    top.ok("/rebate", {**body, "rebatePercent": 3})
    rows = notes(sub)
    assert len(rows) == 2
    assert rows[0]["variables"] == {
        **by_top(top),
        "rebateBp": 300,
        "rebatePercent": "3.00",
        "previousBp": 250,
        "previousPercent": "2.50",
    }
    assert_envelope(top.call("/rebate", {**body, "rebatePercent": 101}), 400, "BAD_REQUEST")
    assert len(notes(sub)) == 2


def test_pages_newest_first_and_read_marking(open_desk: Callable[..., Desk]) -> None:
    top, sub, _ = tree(open_desk)
    for amount in (1, 2, 3, 4, 5):
        top.ok("/agent/deposit", {"agentTarget": sub.username, "amount": amount})
    data = sub.ok("/notifications", {"limit": 2})
    assert (data["count"], data["total"], data["unread"]) == (2, 5, 5)
    amounts = [r["variables"]["amount"] for r in data["notifications"]]
    assert amounts == ["5.00", "4.00"]
    assert int(data["notifications"][0]["id"]) > int(data["notifications"][1]["id"])
    # Listing alone marks nothing; markRead marks the page answered (shown as it was).
    assert sub.ok("/notifications", {"limit": 2})["unread"] == 5
    marked = sub.ok("/notifications", {"start": 1, "limit": 2, "markRead": True})
    assert [r["read"] for r in marked["notifications"]] == [False, False]
    assert marked["unread"] == 3
    everything = notes(sub)
    assert [r["read"] for r in everything] == [False, True, True, False, False]
    unread = sub.ok("/notifications", {"unreadOnly": True})
    assert (unread["count"], unread["total"], unread["unread"]) == (3, 3, 3)
    assert [r["variables"]["amount"] for r in unread["notifications"]] == ["5.00", "2.00", "1.00"]
    assert sub.ok("/message/unread")["unreadNotifications"] == 3
    rest = sub.ok("/notifications", {"unreadOnly": True, "markRead": True, "limit": 100})
    assert (rest["count"], rest["unread"]) == (3, 0)
    assert sub.ok("/notifications", {"unreadOnly": True})["notifications"] == []
    assert sub.ok("/notifications", {"start": 10})["notifications"] == []
    assert sub.ok("/message/unread")["unreadNotifications"] == 0


def test_a_notification_is_written_in_its_moves_transaction(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    """now() is the database transaction's start: equal times mean one transaction."""
    top, sub, player = tree(open_desk)
    raw = top.ok("/deposit", {"playerUsername": player, "amount": 3})
    smart = top.ok("/transfer", {"playerUsername": player, "type": "deposit", "amount": 4})
    moved = top.ok("/agent/deposit", {"agentTarget": sub.username, "amount": 5})
    for tx_id in (raw["transactionId"], smart["panelTransactionId"], moved["transactionId"]):
        rows = loop.run(
            ledger.all(
                "SELECT n.title_key, n.created_at = t.created_at FROM agent_notifications n"
                " JOIN transactions t ON t.id = %s"
                " WHERE n.agent_id = %s AND n.variables ->> 'transactionId' = %s",
                (int(tx_id), sub.agent.id, tx_id),
            )
        )
        assert rows and all(same for _, same in rows), rows
