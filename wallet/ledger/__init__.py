"""The double-entry ledger: the only code that writes money. Knows nothing of HTTP."""

from wallet.ledger.database import LedgerDB
from wallet.ledger.game import GameCall, Kind, Rule, game_call, player_balance
from wallet.ledger.outcomes import LedgerAnswer, LedgerUnavailable, Outcome

__all__ = [
    "GameCall",
    "Kind",
    "LedgerAnswer",
    "LedgerDB",
    "LedgerUnavailable",
    "Outcome",
    "Rule",
    "game_call",
    "player_balance",
]
