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
from wallet.ledger.database import LedgerDB, Queries
from wallet.ledger.game_store import BALANCE_BY_ID_SQL, BALANCE_BY_NAME_SQL, balance_answer
from wallet.ledger.outcomes import LedgerAnswer

__all__ = [
    "REVERSE_OPERATION",
    "GameCall",
    "Kind",
    "Rule",
    "game_call",
    "player_balance",
    "player_balance_of",
]


_batchers: weakref.WeakKeyDictionary[LedgerDB, GameBatcher] = weakref.WeakKeyDictionary()


async def game_call(db: LedgerDB, call: GameCall) -> LedgerAnswer:
    """The call's outcome; concurrent calls of this process share statements (batching.py)."""
    batcher = _batchers.get(db)
    if batcher is None:
        batcher = _batchers[db] = GameBatcher(db, pipelines=db.pipelines)
    return await batcher.submit(call)


async def player_balance(db: Queries, operator_id: int, username: str) -> LedgerAnswer | None:
    """What a studio sees of an active or blocked player (game_rules.seen_balance); None for an
    unknown one."""
    return balance_answer(await db.all(BALANCE_BY_NAME_SQL, (operator_id, username)))


async def player_balance_of(db: Queries, player_id: int) -> LedgerAnswer | None:
    """player_balance, for a player known by its id."""
    return balance_answer(await db.all(BALANCE_BY_ID_SQL, (player_id,)))
