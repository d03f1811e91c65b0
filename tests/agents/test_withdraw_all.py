"""POST /withdraw with `all: true` (beside the document, issue #20): the player's whole balance
comes back to the agent and the answer's `amount` says how much that was, so whoever pays the
player out knows what to hand over. A replay answers the same amount (whatever the balance is
now), and an empty balance or a body with both or neither of amount and all is refused, moving
nothing."""

from __future__ import annotations

from collections.abc import Callable

from tests.agents.conftest import Desk
from tests.agents.test_auth import assert_envelope
from tests.agents.test_money import agent_moves
from tests.support import LoopThread
from wallet.ledger.database import LedgerDB


def test_withdraw_all_answers_the_amount_it_took(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(50_000)
    player = desk.register_player()
    desk.ok("/deposit", {"playerUsername": player, "amount": 123.45})
    desk.ok("/withdraw", {"playerUsername": player, "amount": 20})
    key = {"X-Idempotency-Key": f"all-{player}"}
    out = desk.ok("/withdraw", {"playerUsername": player, "all": True}, headers=key)
    assert out["type"] == "withdraw" and out["amount"] == 103.45
    assert (out["playerBalanceBefore"], out["playerBalanceAfter"]) == (103.45, 0)
    assert (out["agentBalanceBefore"], out["agentBalanceAfter"]) == (396.55, 500)
    assert desk.balance()["balance"] == 500

    # The same request again: the original's answer (what it took then), nothing moved.
    moves = agent_moves(ledger, loop, desk.agent.id)
    again = desk.call("/withdraw", {"playerUsername": player, "all": True}, headers=key)
    assert again.status_code == 200 and again.json()["_idempotent"] is True
    assert again.json()["data"]["amount"] == 103.45
    assert agent_moves(ledger, loop, desk.agent.id) == moves
    # The key with another body is a conflict, before any balance is read.
    assert_envelope(
        desk.call("/withdraw", {"playerUsername": player, "amount": 1}, headers=key),
        409,
        "IDEMPOTENCY_CONFLICT",
    )

    # Nothing left: refused; both or neither of amount and all: refused. Nothing moved.
    error = assert_envelope(
        desk.call("/withdraw", {"playerUsername": player, "all": True}), 422, "INSUFFICIENT_BALANCE"
    )
    assert error["message"] == "Nothing to withdraw: the balance is 0"
    for body in ({"amount": 1, "all": True}, {}, {"all": False}):
        assert_envelope(
            desk.call("/withdraw", {"playerUsername": player, **body}), 400, "BAD_REQUEST"
        )
    assert agent_moves(ledger, loop, desk.agent.id) == moves
    assert desk.balance()["balance"] == 500
