"""Deposits, withdrawals and reverses in the ledger: the shop's float pays and gets back every
amount, bonuses and Bounce Backs land in their own accounts, a shop cannot hand out more than it
holds, and a River player's studio winnings are what it withdraws. The audit runs after each."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from decimal import Decimal

import httpx

from loadtest.studios import ambslot, igamingace
from tests.cashier.conftest import Desk
from tests.support import LoopThread, Server
from wallet.ledger.database import LedgerDB


def _balances(ledger: LedgerDB, loop: LoopThread, player_id: int) -> dict[str, int]:
    rows = loop.run(
        ledger.all(
            "SELECT purpose, balance_minor FROM accounts"
            " WHERE owner_type = 'player' AND owner_id = %s",
            (player_id,),
        )
    )
    return {str(purpose): int(balance) for purpose, balance in rows}


def _shop_float(desk: Desk) -> Decimal:
    """The shop's balance as /cashier/me shows it, read exactly."""
    body = json.loads(desk.call("GET", "/cashier/me").text, parse_float=Decimal)
    return Decimal(body["data"]["cashier"]["shop_balance"])


def test_default_wager_bonus_and_its_reverse(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(mode="default", float_minor=100_000)
    made = desk.create_player(username=f"wb_{desk.shop.id:06d}", password="secret123")
    answer = desk.deposit(made["id"], "123.45", wager=True, apply_bounceback=True)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    # 10% of 123.45 is 12.345: rounded down to 12.34; its requirement 5 x 12.34.
    assert (data["balance"], data["wager_bonus"], data["bounce_back"]) == (123.45, 12.34, 0)
    balances = _balances(ledger, loop, made["id"])
    assert (balances["main"], balances["bonus"], balances["wager_req"]) == (12_345, 1_234, 6_170)
    assert _shop_float(desk) == Decimal("864.21")  # 1000 - 123.45 - 12.34
    shown = desk.call("GET", f"/cashier/players/{made['id']}").json()["data"]
    assert shown["wager_bonus_amount"] == 61.7
    reverse = desk.call("POST", f"/cashier/players/{made['id']}/reverse")
    assert reverse.status_code == 200 and reverse.json()["data"]["balance"] == 0
    assert set(_balances(ledger, loop, made["id"]).values()) == {0}
    assert _shop_float(desk) == 1000


def test_river_bounce_back_is_forfeited_at_a_withdrawal(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread, cashier_server: Server
) -> None:
    desk = open_desk(mode="river", float_minor=100_000)
    made = desk.create_player(balance=50, apply_bounceback=True)
    assert _balances(ledger, loop, made["id"])["bounce_back"] == 500
    # Win 20.00 in an AMBSlot round (USD player), so balance_Win holds something.
    with httpx.Client(base_url=cashier_server.base_url, timeout=10) as studio:
        round_id = secrets.token_hex(6)
        for operation, amount in (("bet", 500), ("payout", 2_000)):
            fields = ambslot.callback_fields(
                operation, made["username"], round_id, currency="USD", amount_minor=amount
            )
            assert ambslot.post(studio, operation, fields).json()["status"]["code"] == 0
    assert _balances(ledger, loop, made["id"])["win"] == 2_000
    out = desk.call("PUT", f"/cashier/players/{made['id']}/balance/out", json={"sum": 5})
    assert out.status_code == 200, out.text
    data = out.json()["data"]
    assert (data["balance"], data["balance_Win"], data["withdrawal"], data["bounce_back"]) == (
        45,
        15,
        5,
        0,
    )
    too_much = desk.call("PUT", f"/cashier/players/{made['id']}/balance/out", json={"sum": 16})
    assert too_much.status_code == 400
    assert too_much.json() == {"fail": True, "message": "Insufficient funds in balance_Win."}


def test_a_river_player_plays_both_studios_and_withdraws_all(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread, cashier_server: Server
) -> None:
    """The figures after rounds of both studios equal a replay of River's rules in the test."""
    desk = open_desk(mode="river", float_minor=1_000_000)
    made = desk.create_player(balance=100)
    user = made["username"]
    main, win = 10_000, 0

    def bet(amount: int) -> None:
        nonlocal main, win
        from_main = min(main, amount)
        main, win = main - from_main, win - (amount - from_main)

    rounds = [(700, 0), (1_500, 4_000), (300, 0), (9_000, 12_500), (2_000, 0)]
    with httpx.Client(base_url=cashier_server.base_url, timeout=10) as studio:
        for bet_minor, win_minor in rounds:
            round_id = secrets.token_hex(6)
            fields = ambslot.callback_fields(
                "bet", user, round_id, currency="USD", amount_minor=bet_minor
            )
            assert ambslot.post(studio, "bet", fields).json()["status"]["code"] == 0
            bet(bet_minor)
            fields = ambslot.callback_fields(
                "payout", user, round_id, currency="USD", amount_minor=win_minor
            )
            assert ambslot.post(studio, "payout", fields).json()["status"]["code"] == 0
            win += win_minor
        for bet_minor, win_minor in [(1_000, 2_500), (800, 0)]:
            fields = igamingace.callback_fields(
                "BetWin", user, bet_minor=bet_minor, win_minor=win_minor
            )
            assert igamingace.post(studio, "BetWin", fields).json()["code"] == 0
            bet(bet_minor)
            win += win_minor
    shown = desk.call("GET", f"/cashier/players/{user}").json()["data"]
    assert (shown["balance"], shown["balance_Win"]) == (main / 100, win / 100)
    out = desk.call("PUT", f"/cashier/players/{user}/balance/out", json={"all": True})
    assert out.status_code == 200, out.text
    data = out.json()["data"]
    assert (data["balance"], data["balance_Win"], data["withdrawal"]) == (main / 100, 0, win / 100)
    assert _shop_float(desk) == Decimal(1_000_000 - 10_000 + win) / 100


def test_a_shop_cannot_deposit_more_than_it_holds(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(mode="default", float_minor=2_000)
    made = desk.create_player(username=f"sh_{desk.shop.id:06d}", password="secret123", balance=15)
    refused = desk.deposit(made["id"], 5.01)
    assert refused.status_code == 400
    assert refused.json() == {
        "fail": True,
        "message": "Insufficient shop balance for this deposit.",
    }
    with_bonus = desk.deposit(made["id"], 5, wager=True)  # 5 + a 0.50 bonus: 5.50 > 5.00
    assert with_bonus.status_code == 400
    assert desk.deposit(made["id"], 5).status_code == 200
    assert _shop_float(desk) == 0
    assert _balances(ledger, loop, made["id"])["main"] == 2_000
    create = desk.call(
        "POST",
        "/cashier/players",
        json={"username": f"sh2_{desk.shop.id:06d}", "password": "secret123", "balance": 5},
    )
    assert create.status_code == 400
    assert create.json()["message"] == "Insufficient shop balance for this deposit."
    count = loop.run(ledger.one("SELECT count(*) FROM players WHERE shop_id = %s", (desk.shop.id,)))
    assert count == (1,)


def test_reverse_needs_the_deposit_still_held(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(mode="default")
    made = desk.create_player(username=f"nh_{desk.shop.id:06d}", password="secret123")
    none = desk.call("POST", f"/cashier/players/{made['id']}/reverse")
    assert none.status_code == 400
    assert none.json() == {"fail": True, "message": "There is no deposit to reverse."}
    assert desk.deposit(made["id"], 10).status_code == 200
    out = desk.call("PUT", f"/cashier/players/{made['id']}/balance/out", json={"sum": 1})
    assert out.status_code == 200
    refused = desk.call("POST", f"/cashier/players/{made['id']}/reverse")
    assert refused.status_code == 400
    assert refused.json() == {
        "fail": True,
        "message": "The player no longer holds the deposit; it cannot be reversed.",
    }
    assert _balances(ledger, loop, made["id"])["main"] == 900


def test_a_debt_is_repaid_by_a_deposit_and_never_withdrawn(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    """A studio's rollback of a win already bet away leaves a debt (the studios see main +
    debt). The cashier cannot withdraw money the player owes, and a deposit repays it first."""
    desk = open_desk("default", float_minor=100_000)
    user = desk.create_player(username=f"p{secrets.token_hex(4)}", password="secret123")["username"]
    assert desk.deposit(user, 10).status_code == 200

    def ace(endpoint: str, **fields: object) -> dict[str, object]:
        sent = igamingace.callback_fields(endpoint, user, **fields)  # type: ignore[arg-type]
        answer: dict[str, object] = igamingace.post(desk.client, endpoint, sent).json()
        assert answer["code"] == 0, answer
        return {**answer, "sent": sent}

    win = ace("Deposit", amount_minor=5_000)  # main 60.00
    ace("Withdraw", amount_minor=6_000)  # main 0
    assert ace("RollbackTransaction", ref_id=str(win["sent"]["transactionID"]))["balance"] == -50  # type: ignore[index]
    out = desk.call("PUT", f"/cashier/players/{user}/balance/out", json={"all": True})
    assert out.status_code == 400 and "nothing to withdraw" in out.json()["message"]
    out = desk.call("PUT", f"/cashier/players/{user}/balance/out", json={"sum": 1})
    assert out.status_code == 400
    assert desk.deposit(user, 80).status_code == 200  # 50.00 repays the debt, 30.00 to main
    shown = desk.call("GET", f"/cashier/players/{user}").json()["data"]
    assert shown["balance"] == 30
    debt = loop.run(
        ledger.one(
            "SELECT a.balance_minor FROM accounts a JOIN players p ON p.id = a.owner_id"
            " WHERE a.owner_type = 'player' AND a.purpose = 'debt' AND p.username = %s",
            (user,),
        )
    )
    assert debt == (0,)
    out = desk.call("PUT", f"/cashier/players/{user}/balance/out", json={"all": True})
    assert out.status_code == 200, out.text
    assert desk.call("GET", f"/cashier/players/{user}").json()["data"]["balance"] == 0
