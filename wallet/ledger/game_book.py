"""What a batch of game calls knows of the ledger: the locked players' wallets and the stored
transactions its calls may meet, as read under the locks (game_store.py), plus what the batch's
earlier calls wrote. The rules (game_rules.py) judge each call against it; `record` adds a
verdict's transaction, so a later call of the same batch sees it as if it had been committed.

Plain data, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from wallet.ledger.outcomes import LedgerAnswer

# A player's accounts on the hot path, by purpose (schema/sql/0006_shops.sql says what each is).
PURPOSES = ("main", "debt", "win", "bonus", "wager_req", "bounce_back")

Key = tuple[str, str, str]  # (caller, operation, external_id): the idempotency key
RoundKey = tuple[int, str, str]  # (player's main account, caller, round id)
Leg = tuple[int, int]  # (account id, signed amount_minor)


@dataclass(slots=True)
class Wallet:
    """A locked player and its balances (changed by the batch's verdicts as they are recorded).
    A studio-only player has main and debt; a shop's player has every purpose."""

    player_id: int
    status: str
    currency: str
    exponent: int
    mode: str | None  # None: no shop; else the shop's mode, 'river' or 'default'
    threshold_minor: int  # River: the bounce back comes below this
    account_ids: dict[str, int]  # purpose -> account id
    balances: dict[str, int]  # purpose -> balance_minor, as the batch's verdicts leave it
    opening: dict[str, int] = field(default_factory=dict)  # purpose -> balance_minor as read

    def __post_init__(self) -> None:
        self.opening = dict(self.balances)

    @property
    def main_id(self) -> int:
        return self.account_ids["main"]

    @property
    def river(self) -> bool:
        return self.mode == "river"


@dataclass(frozen=True, slots=True)
class Stored:
    """A transaction row as the rules need it: for replays, rounds and reverses."""

    id: int
    kind: str
    request_hash: bytes
    account_id: int | None
    round_id: str | None
    game_id: str | None
    closes_round: bool
    balance_before_minor: int | None
    balance_after_minor: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewTransaction:
    """What a verdict writes: the transaction row and its legs (summing to zero)."""

    id: int
    key: Key
    request_hash: bytes
    kind: str
    account_id: int
    round_id: str | None
    game_id: str | None
    ref_external_id: str | None
    reverses_id: int | None
    closes_round: bool
    debit_minor: int
    credit_minor: int
    balance_before_minor: int
    balance_after_minor: int
    legs: tuple[Leg, ...]
    balances_after: Mapping[str, int]  # the wallet's balances once it is written

    def __post_init__(self) -> None:
        if sum(amount for _, amount in self.legs) != 0:  # never assert: this is money
            raise ValueError(f"the legs of transaction {self.id} do not sum to zero")


@dataclass(frozen=True, slots=True)
class Verdict:
    answer: LedgerAnswer
    new: NewTransaction | None = None


@dataclass(slots=True)
class Book:
    """The batch's view of the ledger. Filled by the store, then by `record`."""

    now: datetime
    wallets: dict[tuple[int, str], Wallet]  # (operator id, username) -> wallet
    by_key: dict[Key, Stored]
    rounds: dict[RoundKey, list[Stored]]
    reversed_ids: set[int]  # transactions already reversed
    postings: dict[int, list[Leg]]  # legs of the transactions a reverse may undo
    system_accounts: Mapping[tuple[str, str], int]  # (purpose, currency) -> hot account id
    new_ids: Iterator[int]  # transaction ids reserved for the batch, in order
    written: list[NewTransaction] = field(default_factory=list)

    def record(self, new: NewTransaction, wallet: Wallet, caller: str) -> None:
        """The batch's later calls see this transaction as committed."""
        stored = Stored(
            id=new.id,
            kind=new.kind,
            request_hash=new.request_hash,
            account_id=new.account_id,
            round_id=new.round_id,
            game_id=new.game_id,
            closes_round=new.closes_round,
            balance_before_minor=new.balance_before_minor,
            balance_after_minor=new.balance_after_minor,
            created_at=self.now,
        )
        self.by_key[new.key] = stored
        if new.round_id is not None:
            self.rounds.setdefault((new.account_id, caller, new.round_id), []).append(stored)
        if new.reverses_id is not None:
            self.reversed_ids.add(new.reverses_id)
        self.postings[new.id] = list(new.legs)
        wallet.balances.update(new.balances_after)
        self.written.append(new)
