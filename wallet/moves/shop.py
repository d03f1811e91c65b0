"""A cashier's money moves: deposit, withdraw, reverse. Each is one ledger transaction
(ledger_transfer) between the shop's float and the player's accounts, all legs at once.

- Deposit: shop -> main. Default shop with `wager`: a Wager Bonus of the shop's basis points
  of the deposit (rounded down) shop -> bonus, and its wagering requirement (bonus x the shop's
  multiplier) as a memo, system 'wager_req' -> the player's wager_req. River shop with
  `apply_bounceback`: a Bounce Back of the shop's basis points shop -> bounce_back.
- Withdraw: Default from main; River from win only, and any held Bounce Back is forfeited to
  the shop in the same transaction. `all` takes the whole source balance. Never money the
  player owes: a debt (an authoritative rollback beyond zero) counts against what the studios
  see, and a deposit repays it first, as the hot path's credits do. (Both read the debt just
  before the move; a rollback landing in between is judged by the next move.)
- Reverse: the player's latest deposit, negated leg by leg (reverses = its id), at most once
  (ledger_transfer's already_reversed check, the unique reverses_id as the backstop). A leg that
  would take an account below zero (the player no longer holds the deposit, its bonus, its
  requirement or its Bounce Back) refuses the whole reverse.

Every move is posted by cashier_transfer (ledger_transfer, and the move's author in
cashier_moves in the same database transaction) and keyed on the player's main account.
ledger_transfer locks it, the lock under which the studios' hot path changes a shop player's
accounts, so a move and a bet never interleave; and the index transactions_cashier finds the
player's moves by it. Idempotency: (caller 'cashier', the operation, an external id scoped by
the shop) with a hash of the request; a repeat of the same request gets the original's
transaction, another request a conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from wallet.directory.shop_players import NewShopPlayer, ShopPlayer, create_shop_player
from wallet.directory.shops import Shop
from wallet.ledger.database import LedgerDB, Queries, named_call
from wallet.ledger.game_rules import debt_repaid
from wallet.ledger.idempotency import ScopedKey, request_hash
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.ledger.postings import system_account

CALLER = "cashier"
OPERATIONS = ("deposit", "withdraw", "reverse")
BP_DIVISOR = 10_000  # basis points in a whole
WAGER_REQ_PURPOSE = "wager_req"
RETRIES_MAX = 3  # a withdrawal judged on balances a bet changed meanwhile is judged again
MEMO_MINOR_MAX = 2**62  # a requirement above this would not fit the ledger's bigint sums

Legs = list[tuple[int, int]]


class Move(StrEnum):
    DONE = "done"  # moved just now
    REPLAY = "replay"  # the same request under the same key: the original's transaction
    CONFLICT = "conflict"  # the key was used for another request: nothing moved
    SHOP_SHORT = "shop_short"  # the shop does not hold the deposit (and its bonus)
    PLAYER_SHORT = "player_short"  # the withdrawal's source does not hold the amount
    NOTHING = "nothing"  # withdraw all of an empty source
    TOO_LARGE = "too_large"  # the deposit's requirement would overflow
    NO_DEPOSIT = "no_deposit"  # nothing to reverse
    ALREADY_REVERSED = "already_reversed"
    NOT_HELD = "not_held"  # the player no longer holds what the deposit gave


@dataclass(frozen=True, slots=True)
class MoveResult:
    move: Move
    tx_id: int | None  # the transaction whose figures are the answer (DONE, REPLAY)


class MoveRefused(Exception):
    """A move that did not happen, raised inside a unit of work: the whole unit is undone."""

    def __init__(self, move: Move) -> None:
        super().__init__(move.value)
        self.move = move


@dataclass(frozen=True, slots=True)
class Opening:
    """A new player's first deposit."""

    amount_minor: int
    wager: bool
    bounce_back: bool


# ---- legs (pure) ----


def opening_key(shop: Shop, player_id: int, request: Mapping[str, object]) -> ScopedKey:
    """The key of the deposit that creates a player with a balance: one per player."""
    return ScopedKey(f"{shop.id}:opening:{player_id}", request_hash(dict(request)))


def _merged(legs: Legs) -> Legs:
    """One leg per account (amounts added up), zero legs dropped, in first-seen order."""
    total: dict[int, int] = {}
    for account, amount in legs:
        total[account] = total.get(account, 0) + amount
    return [(account, amount) for account, amount in total.items() if amount]


def deposit_legs(
    shop: Shop,
    player: ShopPlayer,
    amount_minor: int,
    *,
    wager: bool,
    bounce_back: bool,
    wager_req_system: int,
) -> Legs:
    assert amount_minor > 0
    accounts = player.accounts
    legs: Legs = [(shop.float_account_id, -amount_minor), (accounts["main"], amount_minor)]
    if shop.mode == "default" and wager:
        bonus = amount_minor * shop.wager_bonus_bp // BP_DIVISOR
        requirement = bonus * shop.wager_multiplier
        legs += [(shop.float_account_id, -bonus), (accounts["bonus"], bonus)]
        legs += [(wager_req_system, -requirement), (accounts["wager_req"], requirement)]
    if shop.mode == "river" and bounce_back:
        held = amount_minor * shop.bounce_back_bp // BP_DIVISOR
        legs += [(shop.float_account_id, -held), (accounts["bounce_back"], held)]
    return _merged(legs)


def shop_cost(shop: Shop, amount_minor: int, *, wager: bool, bounce_back: bool) -> int:
    """What a deposit takes from the shop's float: the amount, and its bonus or Bounce Back."""
    cost = amount_minor
    if shop.mode == "default" and wager:
        cost += amount_minor * shop.wager_bonus_bp // BP_DIVISOR
    if shop.mode == "river" and bounce_back:
        cost += amount_minor * shop.bounce_back_bp // BP_DIVISOR
    return cost


def withdraw_legs(
    shop: Shop, player: ShopPlayer, amount_minor: int, balances: Mapping[str, int]
) -> Legs:
    """Take amount_minor from the mode's source; River forfeits the held Bounce Back."""
    assert amount_minor > 0
    source = "win" if shop.mode == "river" else "main"
    legs: Legs = [(player.accounts[source], -amount_minor), (shop.float_account_id, amount_minor)]
    held = balances.get("bounce_back", 0) if shop.mode == "river" else 0
    if held > 0:
        legs += [(player.accounts["bounce_back"], -held), (shop.float_account_id, held)]
    return _merged(legs)


def withdraw_source(shop: Shop) -> str:
    return "win" if shop.mode == "river" else "main"


def withdrawable(shop: Shop, balances: Mapping[str, int]) -> int:
    """What a withdrawal may take: the mode's source, but never money the player owes. A debt
    (what an authoritative rollback took beyond zero) counts against everything the studios
    see: main (and River's win)."""
    seen = balances["main"] + balances.get("debt", 0)
    if shop.mode == "river":
        seen += balances["win"]
    return max(0, min(balances[withdraw_source(shop)], seen))


def repaying_debt(player: ShopPlayer, legs: Legs, debt_minor: int) -> Legs:
    """A deposit's legs with what goes to main repaying the player's debt first, as every
    credit of the studios' hot path does (the rule: game_rules.debt_repaid)."""
    main = player.accounts["main"]
    repay = debt_repaid(sum(amount for account, amount in legs if account == main), debt_minor)
    if repay == 0:
        return legs
    rerouted = [
        (account, amount - repay if account == main else amount) for account, amount in legs
    ]
    return _merged([*rerouted, (player.accounts["debt"], repay)])


# ---- moves ----


async def prior_move(db: Queries, operation: str, key: ScopedKey) -> MoveResult | None:
    """What an earlier request under this key decides: a replay, a conflict (another request,
    or the same key on another operation), or None when the key is new."""
    rows = await db.all(
        "SELECT id, operation, request_hash FROM transactions"
        " WHERE caller = %s AND operation = ANY (%s) AND external_id = %s",
        (CALLER, list(OPERATIONS), key.external_id),
    )
    if not rows:
        return None
    tx_id, prior_operation, prior_hash = rows[0]
    if len(rows) == 1 and prior_operation == operation and bytes(prior_hash) == key.request_hash:
        return MoveResult(Move.REPLAY, int(tx_id))
    return MoveResult(Move.CONFLICT, None)


async def _post(
    db: Queries,
    operation: str,
    key: ScopedKey,
    player: ShopPlayer,
    legs: Legs,
    cashier_id: int,
    reverses: int | None = None,
) -> LedgerAnswer:
    """One ledger transfer (keyed on the player's main account) and, when it posted, its
    author's row in cashier_moves, in one statement."""
    assert legs and all(amount != 0 for _, amount in legs)
    args = {
        "cashier_id": cashier_id,
        "operation": operation,
        "external_id": key.external_id,
        "request_hash": key.request_hash,
        "accounts": [account for account, _ in legs],
        "amounts": [amount for _, amount in legs],
        "key_account": player.main_account_id,
        "reverses": reverses,
    }
    row = await db.one(f"SELECT * FROM {named_call('cashier_transfer', args)}", args)
    assert row is not None
    return LedgerAnswer.from_row(row)


def _settled(answer: LedgerAnswer, short: Move) -> MoveResult:
    """The result of a posted move by the ledger's outcome."""
    if answer.outcome == Outcome.NEW:
        return MoveResult(Move.DONE, answer.tx_id)
    if answer.outcome == Outcome.REPLAY:
        return MoveResult(Move.REPLAY, answer.tx_id)
    if answer.outcome == Outcome.CONFLICT:
        return MoveResult(Move.CONFLICT, None)
    if answer.outcome == Outcome.ALREADY_REVERSED:
        return MoveResult(Move.ALREADY_REVERSED, None)
    assert answer.outcome == Outcome.INSUFFICIENT, answer
    return MoveResult(short, None)


async def deposit(
    db: Queries,
    shop: Shop,
    player: ShopPlayer,
    key: ScopedKey,
    amount_minor: int,
    *,
    wager: bool,
    bounce_back: bool,
    cashier_id: int,
) -> MoveResult:
    prior = await prior_move(db, "deposit", key)
    if prior is not None:
        return prior
    wager_req_system = await system_account(db, WAGER_REQ_PURPOSE, shop.currency)
    legs = deposit_legs(
        shop,
        player,
        amount_minor,
        wager=wager,
        bounce_back=bounce_back,
        wager_req_system=wager_req_system,
    )
    if any(abs(amount) > MEMO_MINOR_MAX for _, amount in legs):
        return MoveResult(Move.TOO_LARGE, None)
    debt = (await account_balances(db, player)).get("debt", 0)
    legs = repaying_debt(player, legs, debt)
    answer = await _post(db, "deposit", key, player, legs, cashier_id)
    return _settled(answer, Move.SHOP_SHORT)


async def withdraw(
    db: Queries,
    shop: Shop,
    player: ShopPlayer,
    key: ScopedKey,
    amount_minor: int | None,
    *,
    cashier_id: int,
) -> MoveResult:
    """amount_minor None: all of the source. Judged on the balances read just before; if a bet
    changed them meanwhile (the ledger refused), judged again on the new ones."""
    prior = await prior_move(db, "withdraw", key)
    if prior is not None:
        return prior
    for _ in range(RETRIES_MAX):
        balances = await account_balances(db, player)
        available = withdrawable(shop, balances)
        amount = available if amount_minor is None else amount_minor
        if amount <= 0:
            return MoveResult(Move.NOTHING, None)
        if amount > available:
            return MoveResult(Move.PLAYER_SHORT, None)
        legs = withdraw_legs(shop, player, amount, balances)
        answer = await _post(db, "withdraw", key, player, legs, cashier_id)
        result = _settled(answer, Move.PLAYER_SHORT)
        if result.move != Move.PLAYER_SHORT or await account_balances(db, player) == balances:
            return result
    return MoveResult(Move.PLAYER_SHORT, None)


async def reverse(
    db: Queries, player: ShopPlayer, key: ScopedKey, *, cashier_id: int
) -> MoveResult:
    prior = await prior_move(db, "reverse", key)
    if prior is not None:
        return prior
    latest = await db.one(
        "SELECT t.id, EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = t.id)"
        "  FROM transactions t"
        " WHERE t.account_id = %s AND t.caller = %s AND t.operation = 'deposit'"
        " ORDER BY t.id DESC LIMIT 1",
        (player.main_account_id, CALLER),
    )
    if latest is None:
        return MoveResult(Move.NO_DEPOSIT, None)
    deposit_id, reversed_already = int(latest[0]), bool(latest[1])
    if reversed_already:
        return MoveResult(Move.ALREADY_REVERSED, None)
    rows = await db.all(
        "SELECT account_id, amount_minor FROM postings WHERE transaction_id = %s ORDER BY id",
        (deposit_id,),
    )
    legs = [(int(account), -int(amount)) for account, amount in rows]
    answer = await _post(db, "reverse", key, player, legs, cashier_id, reverses=deposit_id)
    return _settled(answer, Move.NOT_HELD)


async def account_balances(db: Queries, player: ShopPlayer) -> dict[str, int]:
    rows = await db.all(
        "SELECT purpose, balance_minor FROM accounts WHERE id = ANY (%s)",
        (list(player.accounts.values()),),
    )
    return {str(purpose): int(balance) for purpose, balance in rows}


async def create_funded_player(
    db: LedgerDB, shop: Shop, new: NewShopPlayer, opening: Opening | None
) -> tuple[ShopPlayer, int | None] | None:
    """A new player of the shop and its opening deposit, in one unit of work: the player with
    the deposit's transaction id (None without an opening), or None when the username or the
    first_name is taken. A deposit the shop cannot make raises MoveRefused: no player either."""
    async with db.transaction() as tx:
        player = await create_shop_player(
            tx, shop, new.cashier_id, new.username, new.first_name, new.password_hash,
            new.platform,
        )  # fmt: skip
        if player is None or opening is None:
            return None if player is None else (player, None)
        request = {"player": player.id, "sum": opening.amount_minor, "wager": opening.wager}
        key = opening_key(shop, player.id, {**request, "bounce": opening.bounce_back})
        result = await deposit(
            tx, shop, player, key, opening.amount_minor,
            wager=opening.wager, bounce_back=opening.bounce_back, cashier_id=new.cashier_id,
        )  # fmt: skip
        if result.move != Move.DONE:
            raise MoveRefused(result.move)
        return player, result.tx_id
