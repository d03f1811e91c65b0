"""iGamingAce through the real server: each rule and result code of
shared/protocols/igamingace.md ("Our rules", "Result codes", "Data Sign").

Every test checks the code, the balance in the answer, and the ledger afterwards.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from loadtest.studios.igamingace import callback_fields, post, signed
from tests.providers.test_igamingace_support import (
    answer_of,
    balance_minor,
    code_of,
    minor,
    send,
    transactions,
)
from tests.support import LoopThread, Server
from wallet.directory.players import Player, set_status
from wallet.ledger.database import LedgerDB

OPENING_MINOR = 10_000  # 100.00 THB
SECRET = "1234567890"
# What each endpoint needs besides the user, for tests that go over several endpoints.
AMOUNTS: dict[str, dict[str, Any]] = {  # Any: callback_fields' keywords have several types
    "GetBalance": {},
    "Withdraw": {"amount_minor": 100},
    "Deposit": {"amount_minor": 500},
    "BetWin": {"bet_minor": 100, "win_minor": 900},
    "RollbackTransaction": {"ref_id": "x"},
}


@pytest.fixture
def player(make_player: Callable[..., Player]) -> Player:
    return make_player(balance_minor=OPENING_MINOR)


def ghost() -> str:
    return "nobody" + secrets.token_hex(6)


def assert_answer(response: httpx.Response, code: int, balance: int | None) -> dict[str, object]:
    answer = answer_of(response)
    assert answer["code"] == code, answer
    if balance is None:
        assert "balance" not in answer, answer
    else:
        assert minor(answer["balance"]) == balance, answer
    return answer


# --- GetBalance ---------------------------------------------------------------------------------


def test_get_balance_answers_the_balance_with_two_decimals(
    http: httpx.Client, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=10_050)
    response = send(http, "GetBalance", player)
    assert response.content == b'{"code":0,"message":"Success","balance":100.50}'


def test_get_balance_of_a_currency_without_decimals_still_has_two(
    http: httpx.Client, make_player: Callable[..., Player]
) -> None:
    player = make_player(currency="KRW", balance_minor=5_000)
    assert send(http, "GetBalance", player).content.endswith(b'"balance":5000.00}')


def test_get_balance_of_an_unknown_user_is_5(http: httpx.Client) -> None:
    response = send(http, "GetBalance", ghost())
    assert response.content == b'{"code":5,"message":"User not found"}'


def test_get_balance_of_a_blocked_player_still_shows_it(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    loop.run(set_status(ledger, 1, player.username, "blocked"))
    assert_answer(send(http, "GetBalance", player), 0, OPENING_MINOR)


# --- the contract's test vector -----------------------------------------------------------------


def test_the_contracts_test_vector_withdraw_is_served(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    """The only test that creates Player01 (usernames are shared across the test database)."""
    make_player(username="Player01", balance_minor=OPENING_MINOR)
    body = (
        b'{"agentID":"Partner01","userID":"Player01","amount":12.30,'
        b'"transactionID":"474e1a293c2f4e7ab122c52d68423fcb",'
        b'"roundID":"ab9c15f2efdd46278e4a56b303127234","gameID":1566,"freeSpinID":null,'
        b'"isBonusBuy":0,"sign":"475D834ACC3AB61D7DF4EA42751C6275387BC1787A098D2D0E091698D9BF2043"}'
    )
    answer = assert_answer(post(http, "Withdraw", body), 0, OPENING_MINOR - 1_230)
    assert balance_minor(ledger, loop, "Player01") == OPENING_MINOR - 1_230
    # The same with the amount written 12.3: signed as 12.30, so the same call, a duplicate.
    again = assert_answer(post(http, "Withdraw", body.replace(b"12.30", b"12.3")), 11, 8_770)
    assert again["platformTransactionID"] == answer["platformTransactionID"]


# --- Withdraw -----------------------------------------------------------------------------------


def test_withdraw_debits_and_answers_the_balance_after(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("Withdraw", player.username, amount_minor=2_550)
    answer = assert_answer(post(http, "Withdraw", fields), 0, 7_450)
    assert balance_minor(ledger, loop, player.username) == 7_450
    rows = transactions(ledger, loop, str(fields["transactionID"]))
    assert rows == [("Withdraw", "debit", 2_550, 0, None, None)]
    tx_id = loop.run(
        ledger.one("SELECT id FROM transactions WHERE external_id = %s", (fields["transactionID"],))
    )
    assert tx_id is not None and answer["platformTransactionID"] == str(tx_id[0])


def test_withdraw_beyond_the_balance_is_6_with_the_balance_and_moves_nothing(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("Withdraw", player.username, amount_minor=OPENING_MINOR + 1)
    assert_answer(post(http, "Withdraw", fields), 6, OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR
    assert transactions(ledger, loop, str(fields["transactionID"])) == []
    # Refusals are not stored: the same call, once the money is there, is judged afresh.
    assert_answer(send(http, "Deposit", player, amount_minor=1), 0, OPENING_MINOR + 1)
    assert_answer(post(http, "Withdraw", fields), 0, 0)


def test_withdraw_of_the_whole_balance_and_of_zero_are_served(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    assert_answer(send(http, "Withdraw", player, amount_minor=OPENING_MINOR), 0, 0)
    assert_answer(send(http, "Withdraw", player, amount_minor=0), 0, 0)
    assert balance_minor(ledger, loop, player.username) == 0


def test_withdraw_of_an_unknown_user_is_5_without_balance(http: httpx.Client) -> None:
    response = send(http, "Withdraw", ghost(), amount_minor=100)
    assert response.content == b'{"code":5,"message":"User not found"}'


def test_withdraw_of_a_blocked_player_is_5_user_is_blocked(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    loop.run(set_status(ledger, 1, player.username, "blocked"))
    response = send(http, "Withdraw", player, amount_minor=100)
    assert response.content == b'{"code":5,"message":"User is blocked","balance":100.00}'
    assert_answer(send(http, "BetWin", player, bet_minor=100, win_minor=500), 5, OPENING_MINOR)
    # A win and a rollback are still served: a win is never lost.
    assert_answer(send(http, "Deposit", player, amount_minor=100), 0, OPENING_MINOR + 100)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR + 100


def test_a_duplicate_withdraw_is_11_with_the_original_id_and_balance(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("Withdraw", player.username, amount_minor=1_000)
    first = assert_answer(post(http, "Withdraw", fields), 0, 9_000)
    assert_answer(send(http, "Withdraw", player, amount_minor=500), 0, 8_500)
    for _ in range(3):
        again = assert_answer(post(http, "Withdraw", fields), 11, 9_000)  # right after the original
        assert again["platformTransactionID"] == first["platformTransactionID"]
    assert balance_minor(ledger, loop, player.username) == 8_500
    assert len(transactions(ledger, loop, str(fields["transactionID"]))) == 1


# Each way a repeat may differ from its original: the field(s) the log names, and the change.
CHANGES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "amount": (["debit"], {"amount": "20.00"}),
    "roundID": (["roundID"], {"roundID": "another-round"}),
    "gameID": (["gameID"], {"gameID": 1999}),
    "all three": (["roundID", "gameID", "debit"], {"amount": 1, "roundID": "r", "gameID": 7}),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_repeat_that_differs_is_still_11_with_the_original_and_moves_nothing(
    http: httpx.Client,
    server: Server,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    change: str,
) -> None:
    """Any duplicate transactionID is 11 with the original's id and the balance right after it
    (igamingace.md, "Our rules"): a 2 would let the studio believe the debited bet failed."""
    differs, fields_changed = CHANGES[change]
    fields = callback_fields("Withdraw", player.username, amount_minor=1_000)
    first = assert_answer(post(http, "Withdraw", fields), 0, 9_000)
    assert_answer(send(http, "Withdraw", player, amount_minor=500), 0, 8_500)
    repeat = signed("Withdraw", {**fields, **fields_changed}, SECRET)
    again = assert_answer(post(http, "Withdraw", repeat), 11, 9_000)
    assert again["platformTransactionID"] == first["platformTransactionID"]
    assert balance_minor(ledger, loop, player.username) == 8_500
    assert len(transactions(ledger, loop, str(fields["transactionID"]))) == 1
    lines = [json.loads(line) for line in server.settled_log().splitlines() if line[:1] == "{"]
    repeats = [
        line
        for line in lines
        if line.get("external_id") == fields["transactionID"] and line.get("code") == 11
    ]
    assert [line["repeat_differs"] for line in repeats] == [differs]


@pytest.mark.parametrize("endpoint", ["Deposit", "BetWin"])
def test_repeats_of_a_deposit_or_betwin_that_differ_are_11(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, endpoint: str
) -> None:
    fields = callback_fields(endpoint, player.username, **AMOUNTS[endpoint])
    after = OPENING_MINOR + (500 if endpoint == "Deposit" else 800)
    first = assert_answer(post(http, endpoint, fields), 0, after)
    changes: list[dict[str, Any]] = [{"roundID": "another"}, {"gameID": 2}]
    changes.append({"amount": "1.00"} if endpoint == "Deposit" else {"winAmount": "0.00"})
    if endpoint == "Deposit":
        changes.append({"refTransactionID": "some-bet"})
    for change in changes:
        again = assert_answer(
            post(http, endpoint, signed(endpoint, {**fields, **change}, SECRET)), 11, after
        )
        assert again["platformTransactionID"] == first["platformTransactionID"]
    assert balance_minor(ledger, loop, player.username) == after


def test_a_repeat_naming_another_or_an_unknown_user_is_11_and_moves_nothing(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    make_player: Callable[..., Player],
) -> None:
    other = make_player(balance_minor=OPENING_MINOR)
    fields = callback_fields("Withdraw", player.username, amount_minor=1_000)
    first = assert_answer(post(http, "Withdraw", fields), 0, 9_000)
    for user in (other.username, ghost()):
        repeat = signed("Withdraw", {**fields, "userID": user}, SECRET)
        again = assert_answer(post(http, "Withdraw", repeat), 11, 9_000)
        assert again["platformTransactionID"] == first["platformTransactionID"]
    assert balance_minor(ledger, loop, player.username) == 9_000
    assert balance_minor(ledger, loop, other.username) == OPENING_MINOR


def test_idempotency_is_per_operation(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    """A Deposit may carry the transactionID of a Withdraw: another operation, another call."""
    bet = callback_fields("Withdraw", player.username, amount_minor=1_000)
    assert_answer(post(http, "Withdraw", bet), 0, 9_000)
    same_id: dict[str, Any] = {"transactionID": bet["transactionID"], "roundID": bet["roundID"]}
    win = callback_fields("Deposit", player.username, amount_minor=300, **same_id)
    assert_answer(post(http, "Deposit", win), 0, 9_300)
    assert balance_minor(ledger, loop, player.username) == 9_300


def test_an_amount_the_players_currency_cannot_hold_is_2(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(currency="KRW", balance_minor=5_000)
    assert_answer(send(http, "Withdraw", player, amount_minor=1_230), 2, 500_000)
    assert_answer(send(http, "Withdraw", player, amount_minor=1_200), 0, 498_800)  # 12 KRW
    assert balance_minor(ledger, loop, player.username) == 4_988


# --- Deposit ------------------------------------------------------------------------------------


def test_deposit_credits_and_keeps_the_bet_as_its_link(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    bet = callback_fields("Withdraw", player.username, amount_minor=1_000)
    assert_answer(post(http, "Withdraw", bet), 0, 9_000)
    win = callback_fields(
        "Deposit",
        player.username,
        amount_minor=2_505,
        ref_id=str(bet["transactionID"]),
        round_id=str(bet["roundID"]),
    )
    assert_answer(post(http, "Deposit", win), 0, 11_505)
    rows = transactions(ledger, loop, str(win["transactionID"]))
    assert rows == [("Deposit", "credit", 0, 2_505, bet["transactionID"], None)]


@pytest.mark.parametrize("ref", [None, "", "never-seen-bet"])
def test_deposit_credits_whatever_its_link(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, ref: str | None
) -> None:
    assert_answer(send(http, "Deposit", player, amount_minor=700, ref_id=ref), 0, 10_700)
    assert balance_minor(ledger, loop, player.username) == 10_700


def test_deposit_without_a_ref_field_at_all_credits(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("Deposit", player.username, amount_minor=700)
    del fields["refTransactionID"]
    assert_answer(post(http, "Deposit", fields), 0, 10_700)


def test_deposit_after_its_bet_was_rolled_back_still_credits(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    bet = callback_fields("Withdraw", player.username, amount_minor=1_000)
    assert_answer(post(http, "Withdraw", bet), 0, 9_000)
    ref = str(bet["transactionID"])
    assert_answer(send(http, "RollbackTransaction", player, ref_id=ref), 0, OPENING_MINOR)
    assert_answer(send(http, "Deposit", player, amount_minor=500, ref_id=ref), 0, 10_500)
    assert balance_minor(ledger, loop, player.username) == 10_500


def test_a_duplicate_deposit_is_11_and_credits_once(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("Deposit", player.username, amount_minor=100, ref_id="b1")
    first = assert_answer(post(http, "Deposit", fields), 0, 10_100)
    again = assert_answer(post(http, "Deposit", fields), 11, 10_100)
    assert again["platformTransactionID"] == first["platformTransactionID"]
    assert balance_minor(ledger, loop, player.username) == 10_100


def test_deposit_of_an_unknown_user_is_5(http: httpx.Client) -> None:
    assert_answer(send(http, "Deposit", ghost(), amount_minor=100), 5, None)


# --- BetWin -------------------------------------------------------------------------------------


def test_betwin_debits_the_bet_and_credits_the_win_in_one_transaction(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("BetWin", player.username, bet_minor=1_000, win_minor=2_500)
    assert_answer(post(http, "BetWin", fields), 0, 11_500)
    rows = transactions(ledger, loop, str(fields["transactionID"]))
    assert rows == [("BetWin", "debit_credit", 1_000, 2_500, None, None)]
    assert_answer(post(http, "BetWin", fields), 11, 11_500)
    assert balance_minor(ledger, loop, player.username) == 11_500


def test_betwin_whose_bet_the_balance_does_not_cover_is_6_whatever_the_win(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("BetWin", player.username, bet_minor=10_001, win_minor=50_000)
    assert_answer(post(http, "BetWin", fields), 6, OPENING_MINOR)
    assert transactions(ledger, loop, str(fields["transactionID"])) == []
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_betwin_of_an_unknown_user_is_5(http: httpx.Client) -> None:
    assert_answer(send(http, "BetWin", ghost(), bet_minor=1, win_minor=2), 5, None)


# --- RollbackTransaction ------------------------------------------------------------------------


def rollback(http: httpx.Client, player: Player, ref: object) -> httpx.Response:
    return send(http, "RollbackTransaction", player, ref_id=str(ref))


def test_rollback_of_a_withdraw_refunds_it(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    bet = callback_fields("Withdraw", player.username, amount_minor=2_000)
    first = assert_answer(post(http, "Withdraw", bet), 0, 8_000)
    done = assert_answer(rollback(http, player, bet["transactionID"]), 0, OPENING_MINOR)
    assert done["platformTransactionID"] != first["platformTransactionID"]
    rows = transactions(ledger, loop, str(bet["transactionID"]))
    assert [(r[0], r[1], r[5]) for r in rows] == [
        ("Withdraw", "debit", None),
        ("reverse", "reverse", int(str(first["platformTransactionID"]))),
    ]
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_a_second_rollback_is_9_and_moves_nothing(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    bet = callback_fields("Withdraw", player.username, amount_minor=2_000)
    assert_answer(post(http, "Withdraw", bet), 0, 8_000)
    assert_answer(rollback(http, player, bet["transactionID"]), 0, OPENING_MINOR)
    assert_answer(send(http, "Withdraw", player, amount_minor=300), 0, 9_700)
    # 9 shows the balance as it is now, not as the first rollback left it.
    assert_answer(rollback(http, player, bet["transactionID"]), 9, 9_700)
    assert balance_minor(ledger, loop, player.username) == 9_700


def test_a_duplicate_after_a_rollback_is_still_11(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    """The original did happen: its repeat answers what it answered, and moves nothing."""
    bet = callback_fields("Withdraw", player.username, amount_minor=2_000)
    first = assert_answer(post(http, "Withdraw", bet), 0, 8_000)
    assert_answer(rollback(http, player, bet["transactionID"]), 0, OPENING_MINOR)
    again = assert_answer(post(http, "Withdraw", bet), 11, 8_000)
    assert again["platformTransactionID"] == first["platformTransactionID"]
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_rollback_before_the_original_leaves_a_tombstone_8_then_the_original_is_9(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    bet = callback_fields("Withdraw", player.username, amount_minor=2_000)
    ref = str(bet["transactionID"])
    assert_answer(rollback(http, player, ref), 8, OPENING_MINOR)
    assert transactions(ledger, loop, ref) == [("reverse", "tombstone", 0, 0, ref, None)]
    for _ in range(2):  # the original, and its retry
        assert_answer(post(http, "Withdraw", bet), 9, OPENING_MINOR)
    assert_answer(rollback(http, player, ref), 8, OPENING_MINOR)  # the rollback's retry
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR
    assert len(transactions(ledger, loop, ref)) == 1


def test_a_rollback_naming_another_player_is_8_stores_nothing_and_the_owners_works(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    make_player: Callable[..., Player],
) -> None:
    """A studio's rollback that names the wrong user finds no transaction of that user: 8, and
    nothing is stored, so the rollback naming the owner still refunds the owner."""
    other = make_player(balance_minor=OPENING_MINOR)
    bet = callback_fields("Withdraw", player.username, amount_minor=2_000)
    ref = str(bet["transactionID"])
    assert_answer(post(http, "Withdraw", bet), 0, 8_000)
    for _ in range(2):  # and its retry: still nothing stored
        assert_answer(rollback(http, other, ref), 8, OPENING_MINOR)
    assert [r[:2] for r in transactions(ledger, loop, ref)] == [("Withdraw", "debit")]
    assert_answer(rollback(http, player, ref), 0, OPENING_MINOR)
    assert_answer(rollback(http, other, ref), 9, OPENING_MINOR)  # the key is now taken
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR
    assert balance_minor(ledger, loop, other.username) == OPENING_MINOR


def test_a_rollback_of_an_unseen_id_naming_another_player_still_refuses_the_original(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    make_player: Callable[..., Player],
) -> None:
    """Transaction ids are the studio's and global: once rolled back, the late original is
    refused whichever player it names. A refusal moves no money: the safe side."""
    other = make_player(balance_minor=OPENING_MINOR)
    bet = callback_fields("Withdraw", player.username, amount_minor=2_000)
    assert_answer(rollback(http, other, bet["transactionID"]), 8, OPENING_MINOR)
    assert_answer(post(http, "Withdraw", bet), 9, OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR
    assert balance_minor(ledger, loop, other.username) == OPENING_MINOR


@pytest.mark.parametrize("endpoint", ["Deposit", "BetWin"])
def test_a_deposit_or_betwin_rolled_back_before_it_came_is_9(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, endpoint: str
) -> None:
    fields = callback_fields(endpoint, player.username, **AMOUNTS[endpoint])
    assert_answer(rollback(http, player, fields["transactionID"]), 8, OPENING_MINOR)
    assert_answer(post(http, endpoint, fields), 9, OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_rollback_of_a_deposit_takes_the_win_back_even_below_zero(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    """The studio's rollback is authoritative; the debt blocks bets until wins repay it."""
    win = callback_fields("Deposit", player.username, amount_minor=5_000)
    assert_answer(post(http, "Deposit", win), 0, 15_000)
    assert_answer(send(http, "Withdraw", player, amount_minor=12_000), 0, 3_000)
    assert_answer(rollback(http, player, win["transactionID"]), 0, -2_000)
    assert balance_minor(ledger, loop, player.username) == -2_000
    assert send(http, "GetBalance", player).content.endswith(b'"balance":-20.00}')
    assert_answer(send(http, "Withdraw", player, amount_minor=1), 6, -2_000)
    assert_answer(send(http, "BetWin", player, bet_minor=1, win_minor=100), 6, -2_000)
    # A win repays the debt first, then the balance is positive again and bets are served.
    assert_answer(send(http, "Deposit", player, amount_minor=2_500), 0, 500)
    assert_answer(send(http, "Withdraw", player, amount_minor=500), 0, 0)
    assert balance_minor(ledger, loop, player.username) == 0


def test_rollback_of_a_betwin_reverses_both_legs(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    for bet_minor, win_minor in [(1_000, 3_000), (2_000, 500)]:
        fields = callback_fields(
            "BetWin", player.username, bet_minor=bet_minor, win_minor=win_minor
        )
        after = OPENING_MINOR - bet_minor + win_minor
        assert_answer(post(http, "BetWin", fields), 0, after)
        assert_answer(rollback(http, player, fields["transactionID"]), 0, OPENING_MINOR)
        assert_answer(rollback(http, player, fields["transactionID"]), 9, OPENING_MINOR)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_rollback_of_an_unknown_user_is_5(http: httpx.Client) -> None:
    assert_answer(send(http, "RollbackTransaction", ghost(), ref_id="x"), 5, None)


def test_rollback_for_a_blocked_player_is_served(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    bet = callback_fields("Withdraw", player.username, amount_minor=2_000)
    assert_answer(post(http, "Withdraw", bet), 0, 8_000)
    loop.run(set_status(ledger, 1, player.username, "blocked"))
    assert_answer(rollback(http, player, bet["transactionID"]), 0, OPENING_MINOR)


# --- sign and agent, and the order of the checks ------------------------------------------------


def test_a_lowercase_sign_is_3(http: httpx.Client, ledger: LedgerDB, player: Player) -> None:
    fields = callback_fields("Withdraw", player.username, amount_minor=100)
    lower = {**fields, "sign": str(fields["sign"]).lower()}
    assert post(http, "Withdraw", lower).content == b'{"code":3,"message":"Invalid sign"}'


@pytest.mark.parametrize("endpoint", ["GetBalance", "Withdraw", "Deposit", "BetWin"])
def test_the_sign_of_another_body_is_3(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, endpoint: str
) -> None:
    kw = AMOUNTS[endpoint]
    fields = callback_fields(endpoint, player.username, **kw)
    other = callback_fields(endpoint, player.username + "x", **kw)
    assert code_of(post(http, endpoint, {**fields, "sign": other["sign"]})) == 3
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_every_signed_value_is_covered(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("BetWin", player.username, bet_minor=100, win_minor=100)
    for name, value in [
        ("agentID", "Partner01"),  # unchanged: the control
        ("betAmount", "1.01"),
        ("winAmount", "99.00"),
        ("transactionID", "t" + secrets.token_hex(4)),
        ("roundID", "r" + secrets.token_hex(4)),
    ]:
        expected = 0 if name == "agentID" else 3
        assert code_of(post(http, "BetWin", {**fields, name: value})) == expected, name
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_unsigned_fields_may_change_without_breaking_the_sign(
    http: httpx.Client, player: Player
) -> None:
    fields = callback_fields("Withdraw", player.username, amount_minor=100)
    changed = {**fields, "gameID": 77, "freeSpinID": "fs-1", "isBonusBuy": 1}
    assert_answer(post(http, "Withdraw", changed), 0, 9_900)


@pytest.mark.parametrize("sign", [None, "", 12, "0" * 64, "ZZ"])
def test_a_missing_or_malformed_sign_is_3(http: httpx.Client, player: Player, sign: object) -> None:
    fields = callback_fields("GetBalance", player.username)
    if sign is None:
        del fields["sign"]
    else:
        fields["sign"] = sign
    assert code_of(post(http, "GetBalance", fields)) == 3


@pytest.mark.parametrize("endpoint", ["GetBalance", "Withdraw", "RollbackTransaction"])
def test_another_agent_is_4(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, endpoint: str
) -> None:
    fields = callback_fields(endpoint, player.username, agent_id="Partner02", **AMOUNTS[endpoint])
    assert post(http, endpoint, fields).content == b'{"code":4,"message":"Invalid agent"}'
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_checks_come_in_the_contracts_order(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    """parse (2) -> agent (4) -> sign (3) -> amounts (2) -> player (5) -> ledger."""
    good = callback_fields("Withdraw", player.username, amount_minor=100)
    bad_sign = {"sign": "A" * 64}
    # A malformed field before the agent: 2 although the agent is wrong too.
    assert code_of(post(http, "Withdraw", {**good, "userID": "abc", "agentID": "x"})) == 2
    # The agent before the sign.
    assert code_of(post(http, "Withdraw", {**good, "agentID": "x", **bad_sign})) == 4
    # The sign before the amount: a negative amount with a wrong sign is 3, with its sign 2.
    assert code_of(post(http, "Withdraw", {**good, "amount": "-1.00", **bad_sign})) == 3
    negative = signed("Withdraw", {**good, "amount": "-1.00"}, SECRET)
    assert code_of(post(http, "Withdraw", negative)) == 2
    # The amount before the player: an unknown user with a bad amount is 2.
    unknown = callback_fields("Withdraw", ghost(), amount_minor=100, amount="1.001")
    assert code_of(post(http, "Withdraw", unknown)) == 2
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_a_success_answer_is_exactly_the_contracts_shape(
    http: httpx.Client, player: Player
) -> None:
    response = send(http, "Withdraw", player, amount_minor=1)
    answer = answer_of(response)
    assert list(answer) == ["code", "message", "platformTransactionID", "balance"]
    assert response.content == (
        b'{"code":0,"message":"Success","platformTransactionID":"'
        + str(answer["platformTransactionID"]).encode()
        + b'","balance":99.99}'
    )
