"""Issue #21: the support look-ups when a shop asks "what happened?". A cashier's deposit under
its Idempotency-Key, sent twice: `wallet txn show cashier KEY --shop SHOP` finds it by the key
the shop sent (the ledger keeps it scoped by the shop), and the player's statement names the
cashier who made each move."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from tests.cashier.conftest import Desk
from tests.test_support_commands import wallet


def test_a_cashiers_deposit_found_by_the_shops_key(
    db_url: str, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk()
    player = desk.create_player(username=f"sl_{secrets.token_hex(4)}", password="pw-123456")
    key = f"dep-{secrets.token_hex(4)}"
    for _ in range(2):  # the deposit and its replay
        answer = desk.call("PUT", f"/cashier/players/{player['id']}/balance/add",
                           json={"sum": 25}, headers={"Idempotency-Key": key})  # fmt: skip
        assert answer.status_code == 200, answer.text

    told = wallet(db_url, "txn", "show", "cashier", key, "--shop", desk.shop.name)
    assert told.returncode == 0, told.stderr
    scoped = f"{desk.shop.id}:key:{key}"
    assert re.search(rf"^txn: \d+ caller: cashier operation: \S+ external_id: {scoped} ",
                     told.stdout, re.MULTILINE), told.stdout  # fmt: skip
    assert re.search(rf"^posting: \d+ account: \d+ shop {desk.shop.name} main amount: -25\.00 USD",
                     told.stdout, re.MULTILINE), told.stdout  # fmt: skip
    assert re.search(rf"^posting: \d+ account: \d+ player {player['username']} main"
                     r" amount: 25\.00 USD", told.stdout, re.MULTILINE), told.stdout  # fmt: skip
    bare = wallet(db_url, "txn", "show", "cashier", key)  # unscoped: not the ledger's key
    assert bare.returncode == 2 and "no transaction of cashier" in bare.stderr

    statement = wallet(db_url, "player", "statement", player["username"])
    deposit = [line for line in statement.stdout.splitlines() if scoped in line]
    assert len(deposit) == 1 and deposit[0].endswith(f"cashier: {desk.username}"), deposit
