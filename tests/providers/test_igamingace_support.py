"""Helpers of the iGamingAce tests (no tests here): calls, answers, ledger rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from loadtest.studios.igamingace import callback_fields, post
from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB

MESSAGES = {
    0: "Success",
    1: "General error",
    2: "Wrong input parameters",
    3: "Invalid sign",
    4: "Invalid agent",
    5: "User not found",
    6: "Insufficient funds",
    8: "Transaction not found",
    9: "Already rolled back",
    11: "Duplicate transaction",
}


def answer_of(response: httpx.Response) -> dict[str, Any]:
    """The answer, checked for the contract's envelope; numbers as exact Decimals."""
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer: dict[str, Any] = response.json(parse_float=Decimal)
    assert set(answer) <= {"code", "message", "platformTransactionID", "balance"}, answer
    code = answer["code"]
    assert answer["message"] == MESSAGES[code] or (code, answer["message"]) == (
        5,
        "User is blocked",
    )
    # The id is set only for 0 and 11 (and never by GetBalance, which moves nothing).
    moved = not response.request.url.path.endswith("/GetBalance")
    with_id = moved and code in (0, 11)
    assert ("platformTransactionID" in answer) == with_id, answer
    if with_id:
        assert answer["platformTransactionID"].isdigit()
    if "balance" in answer:
        assert isinstance(answer["balance"], Decimal), answer  # a number, not a string
        assert answer["balance"].as_tuple().exponent == -2, answer  # two decimals
    return answer


def code_of(response: httpx.Response) -> int:
    return int(answer_of(response)["code"])


def minor(value: Any) -> int:
    return int(Decimal(value).scaleb(2))


def balance_minor(ledger: LedgerDB, loop: LoopThread, username: str) -> int:
    player = loop.run(find_player(ledger, 1, username))
    assert player is not None
    return player.balance_minor


def send(http: httpx.Client, endpoint: str, player: Player | str, **kw: Any) -> httpx.Response:
    """One signed call for the player (an object, or just its username)."""
    username = player if isinstance(player, str) else player.username
    return post(http, endpoint, callback_fields(endpoint, username, **kw))


def transactions(ledger: LedgerDB, loop: LoopThread, external_id: str) -> list[tuple[Any, ...]]:
    """(operation, kind, debit, credit, ref_external_id, reverses_id) of our rows under an id."""
    return loop.run(
        ledger.all(
            "SELECT operation, kind, debit_minor, credit_minor, ref_external_id, reverses_id"
            " FROM transactions WHERE caller = 'igamingace' AND external_id = %s ORDER BY id",
            (external_id,),
        )
    )
