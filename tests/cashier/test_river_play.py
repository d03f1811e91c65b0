"""One player, every channel: a River player made by a cashier plays both studios' rounds and
withdraws all; every figure equals an independent replay of the script in this test.

The replay (RiverModel) is written from shared/protocols/cashier.md, not from our SQL: bets take
"balance" then "balance_Win", wins go to "balance_Win", a held Bounce Back comes into "balance"
when a bet leaves the player below the shop's threshold, a rollback gives each part back where
it came from, and a withdrawal takes only "balance_Win" and forfeits the Bounce Back.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from loadtest.studios import ambslot, igamingace
from tests.cashier.conftest import Desk

BOUNCE_BACK_BP = 1000  # the shop's default: 10%
THRESHOLD_MINOR = 100  # the shop's default: 1.00


@dataclass
class RiverModel:
    main: int = 0
    win: int = 0
    held: int = 0  # the Bounce Back
    withdrawn: int = 0
    shop: int = 0  # what the shop's float gained (negative: gave)

    def deposit(self, amount: int, bounce_back: bool) -> None:
        bonus = amount * BOUNCE_BACK_BP // 10_000 if bounce_back else 0
        self.main += amount
        self.held += bonus
        self.shop -= amount + bonus

    def bet(self, amount: int) -> tuple[int, int, int]:
        """The parts taken from main and win, and the Bounce Back released."""
        assert amount <= self.main + self.win
        from_main = min(amount, self.main)
        from_win = amount - from_main
        self.main -= from_main
        self.win -= from_win
        released = 0
        if self.held and self.main + self.win < THRESHOLD_MINOR:
            released, self.held = self.held, 0
            self.main += released
        return from_main, from_win, released

    def undo_bet(self, parts: tuple[int, int, int]) -> None:
        from_main, from_win, released = parts
        self.main += from_main - released
        self.win += from_win
        self.held += released

    def withdraw_all(self) -> int:
        amount, self.win = self.win, 0
        self.withdrawn += amount
        self.shop += amount + self.held
        self.held = 0
        return amount

    @property
    def seen(self) -> int:
        return self.main + self.win


def minor(value: Any) -> int:
    return int(Decimal(str(value)) * 100)


def test_a_river_player_plays_both_studios_and_withdraws_all(
    open_desk: Callable[..., Desk],
) -> None:
    desk = open_desk("river", float_minor=1_000_000)
    model = RiverModel()
    player = desk.create_player(balance=100, apply_bounceback=True, platform="River")
    model.deposit(10_000, bounce_back=True)
    user = player["username"]
    http = desk.client

    def amb(operation: str, round_id: str, amount_minor: int, **extra: Any) -> dict[str, Any]:
        fields = ambslot.callback_fields(
            operation, user, round_id, currency="USD", amount_minor=amount_minor, **extra
        )
        answer: dict[str, Any] = ambslot.post(http, operation, fields).json()
        assert answer["status"]["code"] == 0, answer
        return answer

    def ace(endpoint: str, **fields: Any) -> dict[str, Any]:
        answer: dict[str, Any] = igamingace.post(
            http, endpoint, igamingace.callback_fields(endpoint, user, **fields)
        ).json()
        assert answer["code"] == 0, answer
        return answer

    # AMBSlot: a bet of 30.00 from main, then its payout of 50.00 into win.
    round_id = secrets.token_hex(6)
    model.bet(3_000)
    assert minor(amb("bet", round_id, 3_000)["data"]["wallet"]["balance"]) == model.seen
    model.win += 5_000
    answer = amb("payout", round_id, 5_000, turnover=3_000, isEndRound=True)
    assert minor(answer["data"]["wallet"]["balance"]) == model.seen
    # iGamingAce: a bet of 80.00 (all of main, then win), a win of 20.00 into win.
    model.bet(8_000)
    assert minor(ace("Withdraw", amount_minor=8_000)["balance"]) == model.seen
    model.win += 2_000
    assert minor(ace("Deposit", amount_minor=2_000)["balance"]) == model.seen
    # A BetWin whose bet leaves 0.50 (below the threshold): the Bounce Back comes into main.
    bet_win = igamingace.callback_fields(
        user_id=user, endpoint="BetWin", bet_minor=5_950, win_minor=0
    )
    parts = model.bet(5_950)
    assert parts[2] == 1_000
    first = igamingace.post(http, "BetWin", bet_win).json()
    assert (first["code"], minor(first["balance"])) == (0, model.seen)
    # Its rollback gives the bet back to win and takes the released Bounce Back back.
    model.undo_bet(parts)
    rollback = ace("RollbackTransaction", ref_id=str(bet_win["transactionID"]))
    assert minor(rollback["balance"]) == model.seen

    shown = desk.call("GET", f"/cashier/players/{user}").json()["data"]
    assert (minor(shown["balance"]), minor(shown["balance_Win"])) == (model.main, model.win)
    assert minor(shown["bounce_back"]) == model.held

    taken = model.withdraw_all()
    out = desk.call("PUT", f"/cashier/players/{user}/balance/out", json={"all": True})
    assert out.status_code == 200, out.text
    shown = desk.call("GET", f"/cashier/players/{user}").json()["data"]
    figures = {name: minor(shown[name]) for name in ("balance", "balance_Win", "bounce_back")}
    assert figures == {"balance": model.main, "balance_Win": 0, "bounce_back": 0}
    assert minor(shown["withdrawal"]) == model.withdrawn == taken
    me = desk.call("GET", "/cashier/me").json()["data"]["cashier"]
    assert minor(me["shop_balance"]) == 1_000_000 + model.shop
