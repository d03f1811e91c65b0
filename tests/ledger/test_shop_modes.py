"""A shop's player in the studio hot path: River and Default modes (wallet_game_call.sql).

River: bets take main then win, wins go to win, the studio sees main + win (+ debt), a held
Bounce Back comes into main when a bet leaves the player's money below the shop's threshold.
Default: bets count down the wagering requirement, and the bet that ends it releases the bonus
into main. A reverse undoes each part exactly where it came from. The audit runs after each test.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest

from tests.support import LoopThread
from wallet.directory.cashiers import create_cashier
from wallet.directory.shop_players import ShopPlayer, create_shop_player
from wallet.directory.shops import create_shop
from wallet.ledger.database import LedgerDB
from wallet.ledger.game import GameCall, Kind, Rule, game_call, player_balance
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.ledger.postings import post, system_account
from wallet.moves.shop import account_balances

THRESHOLD_MINOR = 100


async def _make(db: LedgerDB, mode: str, opening: dict[str, int]) -> ShopPlayer:
    """A shop of the mode (threshold: the shop's default) and a player of it, made as the
    cashier API makes them, with opening balances from equity (the memo from 'wager_req')."""
    tag = secrets.token_hex(5)
    shop = await create_shop(db, 1, f"shop{tag}", "THB", mode)
    assert shop.bounce_back_threshold_minor == THRESHOLD_MINOR
    cashier = await create_cashier(db, shop.id, f"c{tag}", "not-a-hash", "cashier")
    made = await create_shop_player(db, shop, cashier.id, f"s{tag}", None, "not-a-hash", "River")
    assert made is not None
    username, accounts = made.username, made.accounts
    for purpose, amount in opening.items():
        source_purpose = "wager_req" if purpose == "wager_req" else "equity"
        source = await system_account(db, source_purpose, "THB")
        answer = await post(
            db,
            caller="test",
            operation="opening",
            external_id=f"{username}:{purpose}",
            request_hash=b"\x00",
            legs=[(source, -amount), (accounts[purpose], amount)],
            key_account=accounts[purpose],
        )
        assert answer.outcome is Outcome.NEW
    return made


def _call(
    player: ShopPlayer, kind: Kind, debit: int = 0, credit: int = 0, ref: str = ""
) -> GameCall:
    ext = secrets.token_hex(8)
    reverse = kind is Kind.REVERSE
    return GameCall(
        caller="modes",
        operation="reverse" if reverse else kind.value,
        kind=kind,
        external_id=ref if reverse else ext,
        request_hash=request_hash({"k": kind.value, "d": debit, "c": credit, "r": ref}),
        operator_id=1,
        username=player.username,
        amount_exponent=2,
        debit_minor=debit,
        credit_minor=credit,
        ref_id=ref or None,
        ref_operations=("debit", "credit", "debit_credit"),
        rules=frozenset({Rule.REVERSE_BY_REF} if reverse else {Rule.REF_TOMBSTONES}),
    )


class Driver:
    def __init__(self, ledger: LedgerDB, loop: LoopThread, player: ShopPlayer) -> None:
        self.ledger, self.loop, self.player = ledger, loop, player

    def call(self, kind: Kind, debit: int = 0, credit: int = 0, ref: str = "") -> LedgerAnswer:
        return self.loop.run(game_call(self.ledger, _call(self.player, kind, debit, credit, ref)))

    def balances(self) -> dict[str, int]:
        return self.loop.run(account_balances(self.ledger, self.player))

    def seen(self) -> int:
        answer = self.loop.run(player_balance(self.ledger, 1, self.player.username))
        assert answer is not None and answer.balance_after_minor is not None
        return answer.balance_after_minor


MakeShopPlayer = Callable[..., Driver]


@pytest.fixture
def shop_player(ledger: LedgerDB, loop: LoopThread) -> MakeShopPlayer:
    def make(mode: str, **opening: int) -> Driver:
        return Driver(ledger, loop, loop.run(_make(ledger, mode, opening)))

    return make


def _bet(driver: Driver, amount: int) -> tuple[LedgerAnswer, str]:
    call = _call(driver.player, Kind.DEBIT, debit=amount)
    return driver.loop.run(game_call(driver.ledger, call)), call.external_id


def test_a_river_bet_takes_main_then_win_and_a_win_goes_to_win(shop_player: MakeShopPlayer) -> None:
    river = shop_player("river", main=1_000, win=500)
    answer, _ = _bet(river, 1_200)
    assert (answer.outcome, answer.balance_before_minor, answer.balance_after_minor) == (
        Outcome.NEW,
        1_500,
        300,
    )
    assert (river.balances()["main"], river.balances()["win"]) == (0, 300)
    won = river.call(Kind.CREDIT, credit=700)
    assert won.balance_after_minor == 1_000 and river.balances()["win"] == 1_000
    assert river.balances()["main"] == 0
    assert river.seen() == 1_000


def test_a_river_bet_beyond_main_and_win_moves_nothing(shop_player: MakeShopPlayer) -> None:
    river = shop_player("river", main=300, win=200)
    answer, _ = _bet(river, 501)
    assert answer.outcome is Outcome.INSUFFICIENT
    assert (river.balances()["main"], river.balances()["win"]) == (300, 200)


def test_reversing_a_river_bet_gives_each_part_back_where_it_came_from(
    shop_player: MakeShopPlayer,
) -> None:
    river = shop_player("river", main=1_000, win=500)
    _, ext = _bet(river, 1_200)
    undone = river.call(Kind.REVERSE, ref=ext)
    assert undone.outcome is Outcome.NEW and undone.balance_after_minor == 1_500
    balances = river.balances()
    assert (balances["main"], balances["win"], balances["debt"]) == (1_000, 500, 0)


def test_reversing_a_spent_river_win_leaves_debt_that_the_next_win_repays(
    shop_player: MakeShopPlayer,
) -> None:
    river = shop_player("river", main=1_000)
    win = _call(river.player, Kind.CREDIT, credit=800)
    assert river.loop.run(game_call(river.ledger, win)).outcome is Outcome.NEW
    _bet(river, 1_500)  # main 1000 then 500 of the win's 800
    assert (river.balances()["main"], river.balances()["win"]) == (0, 300)
    undone = river.call(Kind.REVERSE, ref=win.external_id)
    assert undone.balance_after_minor == -500
    balances = river.balances()
    assert (balances["win"], balances["debt"]) == (0, -500)
    again = river.call(Kind.CREDIT, credit=700)
    assert again.balance_after_minor == 200
    balances = river.balances()
    assert (balances["win"], balances["debt"], balances["main"]) == (200, 0, 0)


def test_a_river_bet_below_the_threshold_brings_the_bounce_back_into_main(
    shop_player: MakeShopPlayer,
) -> None:
    river = shop_player("river", main=1_000, bounce_back=250)
    answer, _ = _bet(river, 950)  # 50 left, below the threshold of 100
    assert answer.balance_after_minor == 300
    balances = river.balances()
    assert (balances["main"], balances["bounce_back"]) == (300, 0)
    again, _ = _bet(river, 250)
    assert again.balance_after_minor == 50 and river.balances()["bounce_back"] == 0


def test_a_river_bet_above_the_threshold_keeps_the_bounce_back_held(
    shop_player: MakeShopPlayer,
) -> None:
    river = shop_player("river", main=1_000, bounce_back=250)
    answer, _ = _bet(river, 900)  # 100 left: not below the threshold
    assert answer.balance_after_minor == 100
    assert river.balances()["bounce_back"] == 250


def test_default_bets_count_down_the_requirement_and_the_last_one_releases_the_bonus(
    shop_player: MakeShopPlayer,
) -> None:
    default = shop_player("default", main=10_000, bonus=1_000, wager_req=5_000)
    for _ in range(2):
        _bet(default, 2_000)
    balances = default.balances()
    assert (balances["wager_req"], balances["bonus"], balances["main"]) == (1_000, 1_000, 6_000)
    assert default.seen() == 6_000  # the held bonus is not the studio's to see
    answer, ext = _bet(default, 2_000)
    assert answer.balance_after_minor == 5_000  # 6,000 - 2,000 + the 1,000 bonus
    balances = default.balances()
    assert (balances["wager_req"], balances["bonus"], balances["main"]) == (0, 0, 5_000)
    undone = default.call(Kind.REVERSE, ref=ext)  # the requirement and the bonus come back
    assert undone.balance_after_minor == 6_000
    balances = default.balances()
    assert (balances["wager_req"], balances["bonus"], balances["main"]) == (1_000, 1_000, 6_000)


def test_default_wins_go_to_main_and_do_not_count(shop_player: MakeShopPlayer) -> None:
    default = shop_player("default", main=1_000, bonus=100, wager_req=500)
    won = default.call(Kind.CREDIT, credit=400)
    assert won.balance_after_minor == 1_400
    assert default.balances()["wager_req"] == 500 and default.balances()["win"] == 0
