"""Seamless-wallet calls: a studio's bet, win, bet-and-win or reverse, judged by the rules of
game_rules.py and written with the other calls of its batch (batching.py, game_store.py).

The rules that differ between studios are flags of the call (calls.py); the adapters in
wallet/providers choose them. This module re-exports the names of calls.py, which the providers
import from here.
"""

from __future__ import annotations

import weakref

from wallet.ledger.batching import GameBatcher
from wallet.ledger.calls import REVERSE_OPERATION, GameCall, Kind, Rule
from wallet.ledger.database import LedgerDB
from wallet.ledger.outcomes import LedgerAnswer

__all__ = [
    "REVERSE_OPERATION",
    "GameCall",
    "Kind",
    "Rule",
    "game_call",
    "player_balance",
]


_BALANCE_SQL = "SELECT * FROM wallet_player_balance(%s, %s)"


_batchers: weakref.WeakKeyDictionary[LedgerDB, GameBatcher] = weakref.WeakKeyDictionary()


async def game_call(db: LedgerDB, call: GameCall) -> LedgerAnswer:
    """The call's outcome; concurrent calls of this process share statements (batching.py)."""
    batcher = _batchers.get(db)
    if batcher is None:
        batcher = _batchers[db] = GameBatcher(db, pipelines=db.pipelines)
    return await batcher.submit(call)


async def player_balance(db: LedgerDB, operator_id: int, username: str) -> LedgerAnswer | None:
    """Main plus debt of an active or blocked player; None for an unknown one."""
    row = await db.one(_BALANCE_SQL, (operator_id, username))
    if row is None or row[0] is None:
        return None
    return LedgerAnswer.from_row(row)
