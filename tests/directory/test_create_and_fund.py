"""Every create-and-fund is one unit of work: a crash injected before each of its statements
(the connection's transaction then never commits, as when the server dies there) leaves
nothing of it behind, neither the rows of who was created nor any money; run to its end, it is
all there. A crash is an exception out of the unit of work's Nth statement."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support import LoopThread
from wallet.directory.agents import create_agent
from wallet.directory.cashiers import create_cashier
from wallet.directory.players import create_player
from wallet.directory.shop_players import NewShopPlayer
from wallet.directory.shops import create_shop, shop_balance
from wallet.ledger.database import LedgerDB, Params, Tx
from wallet.moves.shop import MoveRefused, Opening, create_funded_player

STEPS_MAX = 40


class Crash(Exception):
    pass


@contextmanager
def crash_before(step: int) -> Iterator[None]:
    """Every unit of work's statement number `step` (from 1) raises Crash instead of running."""
    original = Tx.all
    seen = 0

    async def all_or_crash(self: Tx, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        nonlocal seen
        seen += 1
        if seen == step:
            raise Crash(step)
        return await original(self, sql, params)

    Tx.all = all_or_crash  # type: ignore[method-assign]
    try:
        yield
    finally:
        Tx.all = original  # type: ignore[method-assign]


def traces(ledger: LedgerDB, loop: LoopThread, name: str) -> tuple[int, ...]:
    """Rows that carry `name` anywhere, and the count of all postings."""
    row = loop.run(
        ledger.one(
            "SELECT (SELECT count(*) FROM players WHERE username = %(n)s),"
            " (SELECT count(*) FROM shops WHERE name = %(n)s),"
            " (SELECT count(*) FROM agents WHERE username = %(n)s),"
            " (SELECT count(*) FROM postings)",
            {"n": name},
        )
    )
    assert row is not None
    return tuple(int(value) for value in row)


def crash_each_step(
    ledger: LedgerDB, loop: LoopThread, name: str, make: Callable[[], Awaitable[object]]
) -> object:
    """Run make() with a crash before each statement in turn, until it runs through; after
    each crash nothing of it exists. Answers what the run through made."""
    before = traces(ledger, loop, name)
    for step in range(1, STEPS_MAX):
        with crash_before(step):
            try:
                made = loop.run(make())
            except Crash:
                assert traces(ledger, loop, name) == before, f"half done at step {step}"
                continue
        assert step > 2, "a multi-statement operation"
        return made
    raise AssertionError(f"still crashing after {STEPS_MAX} statements")


def test_a_player_and_its_opening_balance(ledger: LedgerDB, loop: LoopThread) -> None:
    name = f"uow{secrets.token_hex(5)}"
    player = crash_each_step(
        ledger, loop, name, lambda: create_player(ledger, 1, name, "THB", 12_345)
    )
    assert getattr(player, "balance_minor") == 12_345


def test_a_shop_and_its_float(ledger: LedgerDB, loop: LoopThread) -> None:
    name = f"uow{secrets.token_hex(5)}"
    shop = crash_each_step(
        ledger, loop, name, lambda: create_shop(ledger, 1, name, "USD", "river", 50_000)
    )
    assert loop.run(shop_balance(ledger, shop)) == 50_000  # type: ignore[arg-type]


def test_an_agent_and_its_opening_balance(ledger: LedgerDB, loop: LoopThread) -> None:
    name = f"uow{secrets.token_hex(5)}"
    agent = crash_each_step(
        ledger, loop, name, lambda: create_agent(ledger, 1, name, "x", "PHP", opening_minor=700)
    )
    assert getattr(agent, "username") == name


@pytest.mark.parametrize("mode", ["default", "river"])
def test_a_cashiers_player_and_its_first_deposit(
    ledger: LedgerDB, loop: LoopThread, mode: str
) -> None:
    tag = secrets.token_hex(5)
    shop = loop.run(create_shop(ledger, 1, f"uows{tag}", "USD", mode, 100_00))
    cashier = loop.run(create_cashier(ledger, shop.id, f"uowc{tag}", "not-a-hash", "cashier"))
    name = f"uowp{tag}"
    new = NewShopPlayer(cashier.id, name, None, "not-a-hash", "River")
    opening = Opening(10_00, wager=True, bounce_back=True)
    made = crash_each_step(
        ledger, loop, name, lambda: create_funded_player(ledger, shop, new, opening)
    )
    assert made is not None
    bonus = 1_00  # the shop's default 10% (Wager Bonus or Bounce Back, by the mode)
    assert loop.run(shop_balance(ledger, shop)) == 100_00 - 10_00 - bonus


def test_a_first_deposit_the_shop_cannot_pay_leaves_no_player(
    ledger: LedgerDB, loop: LoopThread
) -> None:
    tag = secrets.token_hex(5)
    shop = loop.run(create_shop(ledger, 1, f"uows{tag}", "USD", "default", 5_00))
    cashier = loop.run(create_cashier(ledger, shop.id, f"uowc{tag}", "not-a-hash", "cashier"))
    name = f"uowp{tag}"
    before = traces(ledger, loop, name)
    new = NewShopPlayer(cashier.id, name, None, "not-a-hash", "River")
    with pytest.raises(MoveRefused) as refused:
        loop.run(create_funded_player(ledger, shop, new, Opening(10_00, False, False)))
    assert refused.value.move.value == "shop_short"
    assert traces(ledger, loop, name) == before
    assert loop.run(shop_balance(ledger, shop)) == 5_00
