"""AMBSlot through the real server: each rule and code of shared/protocols/ambslot.md.

Every test checks the code, the balances in the answer, and the ledger afterwards.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from loadtest.studios.ambslot import Num, callback_fields, post
from tests.support import LoopThread, Server
from wallet.directory.players import Player, find_player, set_status
from wallet.ledger.database import LedgerDB

LAST_UPDATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
OPENING_MINOR = 10_000  # 100.00 THB


def answer_of(response: httpx.Response) -> dict[str, Any]:
    """The answer, checked for the contract's envelope; numbers as exact Decimals."""
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer: dict[str, Any] = response.json(parse_float=Decimal)
    assert set(answer) == {"status", "data"}
    return answer


def code_of(response: httpx.Response) -> int:
    return int(answer_of(response)["status"]["code"])


def minor(value: Any) -> int:
    return int(Decimal(value).scaleb(2))


def balance_minor(ledger: LedgerDB, loop: LoopThread, username: str) -> int:
    player = loop.run(find_player(ledger, 1, username))
    assert player is not None
    return player.balance_minor


def rid() -> str:
    return secrets.token_hex(8)


def call(
    http: httpx.Client, operation: str, player: Player, round_id: str, **kw: Any
) -> httpx.Response:
    return post(http, operation, callback_fields(operation, player.username, round_id, **kw))


def assert_moved(answer: dict[str, Any], before_minor: int, after_minor: int) -> None:
    """A success that moved money: before/after of that movement, wallet = after, a refId."""
    assert answer["status"] == {"code": 0, "message": "Success"}
    data = answer["data"]
    assert set(data) == {"username", "wallet", "balance", "refId"}
    assert minor(data["balance"]["before"]) == before_minor
    assert minor(data["balance"]["after"]) == after_minor
    assert minor(data["wallet"]["balance"]) == after_minor
    assert LAST_UPDATE.fullmatch(data["wallet"]["lastUpdate"])
    assert isinstance(data["refId"], str) and data["refId"]


def assert_refused(answer: dict[str, Any], code: int, message: str, balance: int | None) -> None:
    """An error: the code, and the player's real balance when it is known, else data null."""
    assert answer["status"] == {"code": code, "message": message}
    if balance is None:
        assert answer["data"] is None
        return
    assert set(answer["data"]) == {"username", "wallet"}
    assert minor(answer["data"]["wallet"]["balance"]) == balance


@pytest.fixture
def player(make_player: Callable[..., Player]) -> Player:
    return make_player(balance_minor=OPENING_MINOR)


# --- /balance ---------------------------------------------------------------------------------


def test_balance_answers_username_and_wallet_with_the_currency_decimals(
    http: httpx.Client, ledger: LedgerDB, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=10_050)
    response = post(http, "balance", {"username": player.username, "agentId": "ambdemo"})
    answer = answer_of(response)
    assert answer["status"] == {"code": 0, "message": "Success"}
    assert set(answer["data"]) == {"username", "wallet"}
    assert answer["data"]["username"] == player.username
    assert LAST_UPDATE.fullmatch(answer["data"]["wallet"]["lastUpdate"])
    assert b'"balance":100.50,' in response.content  # a JSON number with both decimals


def test_balance_of_a_currency_without_decimals_has_none(
    http: httpx.Client, ledger: LedgerDB, make_player: Callable[..., Player]
) -> None:
    player = make_player(currency="KRW", balance_minor=5_000)
    response = post(http, "balance", {"username": player.username, "agentId": "ambdemo"})
    assert code_of(response) == 0
    assert b'"balance":5000,' in response.content


def test_balance_of_an_unknown_player_is_908(http: httpx.Client) -> None:
    response = post(http, "balance", {"username": "nobody_" + rid(), "agentId": "ambdemo"})
    assert_refused(answer_of(response), 908, "Invalid username or token", None)


def test_balance_with_an_agent_id_not_ours_is_998(http: httpx.Client, player: Player) -> None:
    response = post(http, "balance", {"username": player.username, "agentId": "someoneelse"})
    assert_refused(answer_of(response), 998, "Invalid agent id", None)


@pytest.mark.parametrize("agent", [{"agent": "ambdemo"}, {}, {"agentId": ""}])
def test_balance_without_an_agent_id_is_997(
    http: httpx.Client, player: Player, agent: dict[str, str]
) -> None:
    """A missing (or empty) required field is 997 before the agent is judged (ambslot.md)."""
    response = post(http, "balance", {"username": player.username, **agent})
    assert_refused(answer_of(response), 997, "Invalid request data", None)


def test_balance_of_a_blocked_player_still_shows_it(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    loop.run(set_status(ledger, 1, player.username, "blocked"))
    response = post(http, "balance", {"username": player.username, "agentId": "ambdemo"})
    assert code_of(response) == 0
    assert minor(answer_of(response)["data"]["wallet"]["balance"]) == OPENING_MINOR


# --- /bet -------------------------------------------------------------------------------------


def test_bet_debits_and_reports_the_balance_before_and_after(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    response = call(http, "bet", player, rid(), amount_minor=2_550)
    assert_moved(answer_of(response), OPENING_MINOR, 7_450)
    assert answer_of(response)["data"]["username"] == player.username
    assert b'"before":100.00,"after":74.50' in response.content
    assert balance_minor(ledger, loop, player.username) == 7_450


def test_bet_replay_answers_the_original_byte_for_byte_and_moves_nothing(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("bet", player.username, rid(), amount_minor=1_000)
    first = post(http, "bet", fields)
    call(http, "bet", player, rid(), amount_minor=500)  # the balance moves on in between
    again = post(http, "bet", fields)
    assert code_of(first) == 0
    assert again.content == first.content
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 1_500


@pytest.mark.parametrize("amount", [Num("25"), Num("25.0"), Num("25.00"), "25.00", "25"])
def test_the_same_amount_written_another_way_is_the_same_request(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, amount: str
) -> None:
    fields = callback_fields("bet", player.username, rid(), amount_minor=2_500)
    first = post(http, "bet", fields)
    again = post(http, "bet", {**fields, "amount": amount})
    assert code_of(first) == 0
    assert again.content == first.content
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 2_500


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Num("10.01")},
        {"roundId": "another"},
        {"isEndRound": True},
        {"game": "Another Name"},
        {"timestamp": "2019-12-11T19:57:28.999"},
    ],
)
def test_same_transaction_id_with_another_body_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, change: dict[str, Any]
) -> None:
    fields = callback_fields("bet", player.username, rid(), amount_minor=1_000)
    assert code_of(post(http, "bet", fields)) == 0
    response = post(http, "bet", {**fields, **change})
    assert_refused(answer_of(response), 997, "Invalid request data", OPENING_MINOR - 1_000)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 1_000


def test_a_field_of_the_contract_that_this_callback_does_not_use_is_ignored(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    extra = {"turnover": Num("25"), "winlose": Num("-25"), "agentId": "whatever"}
    response = call(http, "bet", player, rid(), amount_minor=2_500, **extra)
    assert_moved(answer_of(response), OPENING_MINOR, OPENING_MINOR - 2_500)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 2_500


def test_bet_larger_than_the_balance_is_800_and_moves_nothing(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    response = call(http, "bet", player, rid(), amount_minor=OPENING_MINOR + 1)
    assert_refused(answer_of(response), 800, "Balance insufficient", OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_bet_of_the_whole_balance_is_taken(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    response = call(http, "bet", player, rid(), amount_minor=OPENING_MINOR)
    assert_moved(answer_of(response), OPENING_MINOR, 0)
    assert b'"after":0.00' in response.content
    assert balance_minor(ledger, loop, player.username) == 0


def test_a_second_bet_on_a_round_is_900_and_moves_nothing(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=1_000)) == 0
    response = call(http, "bet", player, round_id, amount_minor=1_000)
    assert_refused(answer_of(response), 900, "Duplicate round id", OPENING_MINOR - 1_000)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 1_000


def test_bet_of_an_unknown_player_is_908(http: httpx.Client) -> None:
    fields = callback_fields("bet", "nobody_" + rid(), rid(), amount_minor=100)
    assert_refused(answer_of(post(http, "bet", fields)), 908, "Invalid username or token", None)


@pytest.mark.parametrize("currency", ["USD", "KRW", "XXX", "thb"])
def test_bet_in_a_currency_other_than_the_wallets_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, currency: str
) -> None:
    response = call(http, "bet", player, rid(), amount_minor=100, currency=currency)
    known = currency in ("USD", "KRW")  # the ledger saw it and knows the player
    balance = OPENING_MINOR if known else None
    assert_refused(answer_of(response), 997, "Invalid request data", balance)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_bet_of_a_blocked_player_is_607_and_moves_nothing(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    loop.run(set_status(ledger, 1, player.username, "blocked"))
    response = call(http, "bet", player, rid(), amount_minor=100)
    assert_refused(answer_of(response), 607, "Bet failed", OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


@pytest.mark.parametrize("operation", ["bet", "payout", "settle", "cancel"])
@pytest.mark.parametrize(
    ("agent", "code"), [("agentId", 998), ("someoneelse", 998), ("", 997), (None, 997)]
)
def test_a_call_with_an_agent_not_ours_is_998_and_moves_nothing(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    operation: str,
    agent: str | None,
    code: int,
) -> None:
    """Another agent is 998; a missing or empty one is a missing field, 997 (ambslot.md)."""
    fields = callback_fields(operation, player.username, rid(), amount_minor=100, bet_minor=100)
    if agent is None:
        del fields["agent"]
    else:
        fields["agent"] = agent
    message = "Invalid agent id" if code == 998 else "Invalid request data"
    assert_refused(answer_of(post(http, operation, fields)), code, message, None)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


# --- /payout ----------------------------------------------------------------------------------


def test_payouts_credit_the_round_until_the_one_that_ends_it(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=2_500)) == 0
    first = call(http, "payout", player, round_id, amount_minor=1_000, isEndRound=False)
    assert_moved(answer_of(first), 7_500, 8_500)
    last = call(http, "payout", player, round_id, amount_minor=525, isEndRound=True)
    assert_moved(answer_of(last), 8_500, 9_025)
    late = call(http, "payout", player, round_id, amount_minor=100, isEndRound=True)
    assert_refused(answer_of(late), 997, "Invalid request data", 9_025)
    assert balance_minor(ledger, loop, player.username) == 9_025


def test_a_payout_of_zero_ends_a_lost_round(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=2_500)) == 0
    response = call(http, "payout", player, round_id, amount_minor=0)
    assert_moved(answer_of(response), 7_500, 7_500)
    assert balance_minor(ledger, loop, player.username) == 7_500


def test_payout_replay_answers_the_original_byte_for_byte(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=2_500)) == 0
    fields = callback_fields("payout", player.username, round_id, amount_minor=4_000)
    first = post(http, "payout", fields)
    again = post(http, "payout", fields)
    assert code_of(first) == 0
    assert again.content == first.content  # a replay after the round closed still answers 0
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR + 1_500


def test_payout_on_a_round_without_a_bet_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    response = call(http, "payout", player, rid(), amount_minor=5_000)
    assert_refused(answer_of(response), 997, "Invalid request data", OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_payout_on_another_players_round_is_997(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    make_player: Callable[..., Player],
) -> None:
    other = make_player(balance_minor=OPENING_MINOR)
    round_id = rid()
    assert code_of(call(http, "bet", other, round_id, amount_minor=1_000)) == 0
    response = call(http, "payout", player, round_id, amount_minor=5_000)
    assert_refused(answer_of(response), 997, "Invalid request data", OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_payout_on_a_cancelled_round_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=1_000)) == 0
    assert code_of(call(http, "cancel", player, round_id)) == 0
    response = call(http, "payout", player, round_id, amount_minor=5_000)
    assert_refused(answer_of(response), 997, "Invalid request data", OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_payout_with_a_game_id_other_than_the_bets_is_995(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=1_000)) == 0
    response = call(http, "payout", player, round_id, amount_minor=5_000, game_id="XX")
    assert_refused(answer_of(response), 995, "Invalid game id", OPENING_MINOR - 1_000)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 1_000


# --- /settle ----------------------------------------------------------------------------------


def test_settle_debits_the_bet_and_credits_the_win_in_one_step(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    response = call(http, "settle", player, rid(), amount_minor=6_000, bet_minor=2_500)
    assert_moved(answer_of(response), OPENING_MINOR, OPENING_MINOR + 3_500)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR + 3_500


def test_settle_with_a_bet_larger_than_the_balance_is_800_even_if_the_win_covers_it(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    kw = {"amount_minor": 50_000, "bet_minor": OPENING_MINOR + 1}
    response = call(http, "settle", player, rid(), **kw)
    assert_refused(answer_of(response), 800, "Balance insufficient", OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_settle_resent_after_a_timeout_answers_the_original(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("settle", player.username, rid(), amount_minor=0, bet_minor=2_000)
    first = post(http, "settle", fields)
    again = post(http, "settle", fields)
    assert_moved(answer_of(first), OPENING_MINOR, OPENING_MINOR - 2_000)
    assert again.content == first.content
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 2_000


def test_settle_on_a_round_that_has_a_bet_is_900(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=1_000)) == 0
    response = call(http, "settle", player, round_id, amount_minor=5_000, bet_minor=1_000)
    assert_refused(answer_of(response), 900, "Duplicate round id", OPENING_MINOR - 1_000)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 1_000


def test_settle_of_a_blocked_player_is_607(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    loop.run(set_status(ledger, 1, player.username, "blocked"))
    response = call(http, "settle", player, rid(), amount_minor=5_000, bet_minor=1_000)
    assert_refused(answer_of(response), 607, "Bet failed", OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_settle_with_a_win_of_zero_and_decimals_from_the_studios_doubles(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    response = call(http, "settle", player, rid(), amount_minor=1_250, bet_minor=1_205)
    assert_moved(answer_of(response), OPENING_MINOR, OPENING_MINOR + 45)
    assert b'"after":100.45' in response.content


# --- /cancel ----------------------------------------------------------------------------------


def test_cancel_refunds_exactly_what_the_bet_took_whatever_its_amount_says(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=2_500)) == 0
    response = call(http, "cancel", player, round_id, amount_minor=9_999)
    assert_moved(answer_of(response), 7_500, OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_cancel_without_amount_or_currency_refunds_the_bet(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=2_500)) == 0
    fields = callback_fields("cancel", player.username, round_id)
    del fields["currency"]
    assert_moved(answer_of(post(http, "cancel", fields)), 7_500, OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_a_repeated_cancel_answers_the_original(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=2_500)) == 0
    fields = callback_fields("cancel", player.username, round_id, amount_minor=2_500)
    first = post(http, "cancel", fields)
    again = post(http, "cancel", fields)
    under_another_id = call(http, "cancel", player, round_id, amount_minor=2_500)
    assert_moved(answer_of(first), 7_500, OPENING_MINOR)
    assert again.content == first.content
    assert under_another_id.content == first.content  # the round's cancel, not a second one
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_cancel_of_a_round_with_a_payout_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=2_500)) == 0
    kw = {"amount_minor": 1_000, "isEndRound": False}
    assert code_of(call(http, "payout", player, round_id, **kw)) == 0
    response = call(http, "cancel", player, round_id)
    assert_refused(answer_of(response), 997, "Invalid request data", 8_500)
    assert balance_minor(ledger, loop, player.username) == 8_500


def test_cancel_of_a_settled_round_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    kw = {"amount_minor": 0, "bet_minor": 1_000}
    assert code_of(call(http, "settle", player, round_id, **kw)) == 0
    response = call(http, "cancel", player, round_id)
    assert_refused(answer_of(response), 997, "Invalid request data", 9_000)
    assert balance_minor(ledger, loop, player.username) == 9_000


def test_cancel_with_a_game_id_other_than_the_bets_is_995(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    assert code_of(call(http, "bet", player, round_id, amount_minor=2_500)) == 0
    response = call(http, "cancel", player, round_id, game_id="XX")
    assert_refused(answer_of(response), 995, "Invalid game id", 7_500)
    assert balance_minor(ledger, loop, player.username) == 7_500


def test_cancel_of_an_unseen_round_answers_0_and_refuses_its_later_bet_with_607(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    round_id = rid()
    fields = callback_fields("cancel", player.username, round_id, amount_minor=2_500)
    cancel = post(http, "cancel", fields)
    assert_moved(answer_of(cancel), OPENING_MINOR, OPENING_MINOR)
    tombstones = loop.run(
        ledger.one(
            "SELECT count(*) FROM transactions WHERE caller = 'ambslot' AND round_id = %s"
            " AND kind = 'tombstone'",
            (round_id,),
        )
    )
    assert tombstones == (1,)
    bet = call(http, "bet", player, round_id, amount_minor=2_500)
    assert_refused(answer_of(bet), 607, "Bet failed", OPENING_MINOR)
    settle = call(http, "settle", player, round_id, amount_minor=0, bet_minor=2_500)
    assert_refused(answer_of(settle), 607, "Bet failed", OPENING_MINOR)
    assert post(http, "cancel", fields).content == cancel.content
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


# --- the studio's own example -----------------------------------------------------------------

# The seed's payout body (shared/seeds/ambslot-payout.txt), as the page prints it.
SEED_PAYOUT = b"""{
    "username": "member001",
    "agent": "agentId",
    "game": "Ghost House",
    "gameId": "GH",
    "roundId": "xxxxxxxxxx",
    "amount": 50,
    "turnover": 250,
    "currency": "THB",
    "transactionId": "5e84b48e-7393-4789-ad96-f1429e783068",
    "timestamp": "2019-12-11T19:57:28.431",
    "isEndRound": true,
    "featureBuy": true,
}"""


def test_the_studios_example_payout_after_a_bet_on_its_round(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(username="member001", balance_minor=OPENING_MINOR)
    # As printed, with its trailing comma, it is not JSON; with the page's agent it is not ours.
    assert code_of(post(http, "payout", SEED_PAYOUT)) == 997
    fixed = SEED_PAYOUT.replace(b"true,\n}", b"true\n}")
    assert code_of(post(http, "payout", fixed)) == 998
    ours = fixed.replace(b'"agentId"', b'"ambdemo"')
    bet = call(http, "bet", player, "xxxxxxxxxx", amount_minor=2_500)
    assert_moved(answer_of(bet), OPENING_MINOR, 7_500)
    response = post(http, "payout", ours)
    answer = answer_of(response)
    assert_moved(answer, 7_500, 12_500)
    assert answer["data"]["username"] == "member001"
    assert b'"before":75.00,"after":125.00' in response.content
    assert post(http, "payout", ours).content == response.content
    late = post(http, "payout", ours.replace(b"5e84b48e", b"6e84b48e"))  # the round has ended
    assert_refused(answer_of(late), 997, "Invalid request data", 12_500)
    assert balance_minor(ledger, loop, "member001") == 12_500


# --- the access log ---------------------------------------------------------------------------


def test_each_callback_logs_caller_operation_transaction_and_code(
    http: httpx.Client, server: Server, ledger: LedgerDB, player: Player
) -> None:
    fields = callback_fields("bet", player.username, rid(), amount_minor=100)
    assert code_of(post(http, "bet", fields)) == 0
    needle = f'"external_id": "{fields["transactionId"]}"'
    lines = [line for line in server.settled_log().splitlines() if needle in line]
    assert len(lines) == 1, lines
    assert '"caller": "ambslot"' in lines[0]
    assert '"operation": "bet"' in lines[0]
    assert '"code": 0' in lines[0]
