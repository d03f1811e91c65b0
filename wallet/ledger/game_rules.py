"""The seamless-wallet rules: what a studio's call may do to a player's money, as pure functions.

`judge(call, book)` takes a call (calls.py) and the batch's view of the ledger (game_book.py,
read under the players' locks) and returns the verdict: the answer and, when the call moves
money or leaves a tombstone, the transaction to write with its legs. No I/O; the store
(game_store.py) reads the book and writes the verdicts.

The order of the checks, each a refusal that moves nothing and is not stored (a retry is judged
afresh): the player (no_player) -> the idempotency key (a repeat answers the original: replay,
or conflict when the request differs) -> the currency and the amount's scale -> a blocked
player's debits -> an id reversed before it came (ref_tombstones) -> the round (for studios whose
rules speak of rounds) -> the money.

Rules that differ between studios are flags of the call (calls.Rule):
  round_single_bet  a debit on a round that has a bet is refused (round_exists), and a debit on
                    a cancelled round too (round_cancelled)
  round_needs_bet   a credit needs the round's bet, not cancelled, not closed, same game
  reverse_by_round  a reverse undoes the round's bet; an unseen round leaves a tombstone
  reverse_by_ref    a reverse undoes the transaction ref_id (one of ref_operations); its key is
                    (caller, 'reverse', ref_id), so a second one finds it. A ref that names
                    another player's transaction is not_found, and nothing is stored
  ref_tombstones    a debit/credit whose external id was reversed before it came is refused

A reverse is authoritative: what it takes beyond the main balance goes to the player's debt
account (<= 0), which later credits repay first. A shop's player follows its shop's mode:
  river    bets take from main, then win; wins go to win; the studio sees main + win (+ debt).
           A bet that leaves the player's money below the shop's threshold brings the held
           Bounce Back (bounce_back) into main.
  default  bets take from main; each bet counts down the wagering requirement (wager_req, a memo
           against the system account 'wager_req'); the bet that ends it releases the held Wager
           Bonus (bonus) into main. The studio sees main (+ debt).
A reverse gives back to (or takes from) the pool each part came from: main with its debt, or
River's win; its other legs (house, bonus, wagering memo, bounce back) are negated exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from wallet.ledger.calls import REVERSE_OPERATION, GameCall, Kind, Rule
from wallet.ledger.game_book import Book, Leg, NewTransaction, Stored, Verdict, Wallet
from wallet.ledger.outcomes import LedgerAnswer, Outcome

_DEBITS = (Kind.DEBIT, Kind.DEBIT_CREDIT)
_ROUND_RULES = frozenset({Rule.ROUND_SINGLE_BET, Rule.ROUND_NEEDS_BET, Rule.REVERSE_BY_ROUND})
_BET_KINDS = ("debit", "debit_credit")
_CANCEL_KINDS = ("reverse", "tombstone")
_CREDIT_KINDS = ("credit", "debit_credit")


def seen_balance(balances: dict[str, int], river: bool) -> int:
    """The balance a studio sees: main and debt (a debt shows as a negative balance), and for a
    player of a River shop its win account too."""
    seen = balances["main"] + balances.get("debt", 0)
    return seen + balances.get("win", 0) if river else seen


def debt_repaid(paid_minor: int, debt_minor: int) -> int:
    """Of money paid to a player, what repays its debt (<= 0): credits repay the debt first."""
    return min(max(paid_minor, 0), -min(debt_minor, 0))


def judge(call: GameCall, book: Book) -> Verdict:
    """The verdict on one call, against the book as the batch's earlier calls left it."""
    wallet = book.wallets.get((call.operator_id, call.username))
    if wallet is None:
        return Verdict(LedgerAnswer(Outcome.NO_PLAYER, None, None, None, None, None, None, None))
    seen = seen_balance(wallet.balances, wallet.river)
    here = LedgerAnswer(
        Outcome.NEW, None, None, seen, seen, wallet.currency, wallet.exponent, book.now
    )
    prior = book.by_key.get((call.caller, call.operation, call.external_id))
    if prior is not None:
        return Verdict(_repeat(here, prior, call.request_hash))
    refusal, debit, credit = _fits(call, wallet, book)
    if refusal is not None:
        return Verdict(replace(here, outcome=refusal))
    target = _target(call, wallet, book)
    if isinstance(target, Outcome):
        return Verdict(replace(here, outcome=target))
    if isinstance(target, Stored):  # the round was cancelled already: that cancel's answer
        return Verdict(_replay_of(here, target))
    return _post(call, wallet, book, here, (debit, credit, target))


def _repeat(here: LedgerAnswer, prior: Stored, request_hash: bytes) -> LedgerAnswer:
    """A repeat of a key: the original's answer when it asks the same, else a conflict (which
    reports the balance as it is now)."""
    if prior.request_hash != request_hash:
        return replace(here, outcome=Outcome.CONFLICT, tx_id=prior.id, tx_kind=prior.kind)
    return _replay_of(here, prior)


def _replay_of(here: LedgerAnswer, prior: Stored) -> LedgerAnswer:
    return replace(
        here,
        outcome=Outcome.REPLAY,
        tx_id=prior.id,
        tx_kind=prior.kind,
        balance_before_minor=prior.balance_before_minor,
        balance_after_minor=prior.balance_after_minor,
        tx_at=prior.created_at,
    )


def _fits(call: GameCall, wallet: Wallet, book: Book) -> tuple[Outcome | None, int, int]:
    """What the request says must fit the player: (refusal or None, debit, credit) with the
    amounts in the player's minor units."""
    if call.currency is not None and call.currency != wallet.currency:
        return Outcome.CURRENCY_MISMATCH, 0, 0
    debit, credit = call.debit_minor, call.credit_minor
    if call.amount_exponent > wallet.exponent:
        scale = 10 ** (call.amount_exponent - wallet.exponent)
        if debit % scale or credit % scale:
            return Outcome.BAD_AMOUNT, 0, 0
        debit, credit = debit // scale, credit // scale
    elif call.amount_exponent < wallet.exponent:
        scale = 10 ** (wallet.exponent - call.amount_exponent)
        debit, credit = debit * scale, credit * scale
    if call.kind in _DEBITS and wallet.status != "active":
        return Outcome.BLOCKED, 0, 0
    if _reversed_before(call, book):
        return Outcome.TOMBSTONED, 0, 0
    return None, debit, credit


def _reversed_before(call: GameCall, book: Book) -> bool:
    """ref_tombstones: a rollback of this id came first (and left a tombstone)."""
    if Rule.REF_TOMBSTONES not in call.rules or call.kind is Kind.REVERSE:
        return False
    return (call.caller, REVERSE_OPERATION, call.external_id) in book.by_key


@dataclass(frozen=True, slots=True)
class Reversal:
    """What a reverse undoes: a transaction, or nothing seen yet (a tombstone)."""

    target_id: int | None


def _target(call: GameCall, wallet: Wallet, book: Book) -> Outcome | Stored | Reversal | None:
    """The round's and the reverse's rules: a refusal, a cancel already made (answered as its
    replay), what a reverse undoes, or None for a call that passes."""
    rules = call.rules
    if call.kind is Kind.REVERSE and Rule.REVERSE_BY_REF in rules:
        return _by_ref(call, wallet, book)
    if call.round_id is None or not (rules & _ROUND_RULES):
        return None
    entries = book.rounds.get((wallet.main_id, call.caller, call.round_id), [])
    bets = [e for e in entries if e.kind in _BET_KINDS]
    cancels = [e for e in entries if e.kind in _CANCEL_KINDS]
    bet = min(bets, key=_id) if bets else None
    cancel = min(cancels, key=_id) if cancels else None
    if call.kind in _DEBITS and Rule.ROUND_SINGLE_BET in rules:
        if cancel is not None:
            return Outcome.ROUND_CANCELLED
        return Outcome.ROUND_EXISTS if bet is not None else None
    if call.kind is Kind.CREDIT and Rule.ROUND_NEEDS_BET in rules:
        return _credit_refusal(call, bet, cancel, any(e.closes_round for e in entries))
    if call.kind is Kind.REVERSE and Rule.REVERSE_BY_ROUND in rules:
        if cancel is not None:
            return cancel
        return _by_round(call, bet, any(e.kind in _CREDIT_KINDS for e in entries))
    return None


def _id(entry: Stored) -> int:
    return entry.id


def _credit_refusal(
    call: GameCall, bet: Stored | None, cancel: Stored | None, closed: bool
) -> Outcome | None:
    if bet is None:
        return Outcome.ROUND_MISSING
    if cancel is not None:
        return Outcome.ROUND_CANCELLED
    if closed:
        return Outcome.ROUND_CLOSED
    return Outcome.GAME_MISMATCH if call.game_id != bet.game_id else None


def _by_round(call: GameCall, bet: Stored | None, credited: bool) -> Outcome | Reversal:
    if bet is None:
        return Reversal(None)
    if credited:
        return Outcome.ROUND_CREDITED
    if call.game_id != bet.game_id:
        return Outcome.GAME_MISMATCH
    return Reversal(bet.id)


def _by_ref(call: GameCall, wallet: Wallet, book: Book) -> Outcome | Reversal:
    assert call.ref_id is not None, "a reverse by reference names its reference"
    found = [
        stored
        for operation in call.ref_operations
        if (stored := book.by_key.get((call.caller, operation, call.ref_id))) is not None
    ]
    if not found:
        return Reversal(None)
    target = min(found, key=_id)
    if target.account_id != wallet.main_id:
        # Another player's transaction: not found for this one, and nothing is stored, so the
        # key stays free for the rollback that names the right player.
        return Outcome.NOT_FOUND
    if target.id in book.reversed_ids:
        return Outcome.ALREADY_REVERSED
    return Reversal(target.id)


def _post(
    call: GameCall,
    wallet: Wallet,
    book: Book,
    here: LedgerAnswer,
    plan: tuple[int, int, Reversal | None],
) -> Verdict:
    """The legs of a call that passed every check, and the transaction that writes them."""
    debit, credit, reversal = plan
    purse = Purse(wallet)
    target_id = reversal.target_id if reversal is not None else None
    if reversal is None:
        kind = call.kind.value
        purse.play(book.system_accounts[(f"game:{call.caller}", wallet.currency)], debit, credit)
    elif target_id is None:
        kind = "tombstone"
    else:
        kind = "reverse"
        debit, credit = purse.undo(book.postings.get(target_id, []))
    if purse.debit_main(purse.take_main, allow_debt=reversal is not None) is False:
        return Verdict(replace(here, outcome=Outcome.INSUFFICIENT))
    if wallet.mode is not None and kind in _BET_KINDS:
        purse.shop_bet(book.system_accounts[("wager_req", wallet.currency)], wallet)
    purse.credit()
    after = seen_balance(purse.balances, wallet.river)
    new = NewTransaction(
        id=next(book.new_ids),
        key=(call.caller, call.operation, call.external_id),
        request_hash=call.request_hash,
        kind=kind,
        account_id=wallet.main_id,
        round_id=call.round_id,
        game_id=call.game_id,
        ref_external_id=call.ref_id,
        reverses_id=target_id,
        closes_round=call.close_round,
        debit_minor=debit + purse.win_debit,
        credit_minor=credit + purse.win_credit,
        balance_before_minor=seen_balance(wallet.balances, wallet.river),
        balance_after_minor=after,
        legs=tuple(purse.legs),
        balances_after=purse.balances,
    )
    outcome = Outcome.NEW
    if kind == "tombstone":
        outcome = Outcome.NOT_FOUND if Rule.REVERSE_BY_REF in call.rules else Outcome.TOMBSTONE
    answer = replace(here, outcome=outcome, tx_id=new.id, tx_kind=kind, balance_after_minor=after)
    return Verdict(answer, new)


class Purse:
    """One wallet's balances while a verdict is worked out, and the legs it writes: what goes
    out first, then what comes in (which repays the debt first)."""

    __slots__ = (
        "balances",
        "ids",
        "legs",
        "river",
        "take_main",
        "to_main",
        "to_win",
        "win_credit",
        "win_debit",
    )

    def __init__(self, wallet: Wallet) -> None:
        self.balances = dict(wallet.balances)
        self.ids = wallet.account_ids
        self.river = wallet.river
        self.legs: list[Leg] = []
        self.take_main = 0  # what leaves main (then River's win, then debt)
        self.to_main = 0  # what comes into main (after the debt is repaid)
        self.to_win = 0  # what comes into River's win (likewise)
        self.win_debit = 0  # a reverse's take from River's win
        self.win_credit = 0  # a reverse's give-back to River's win

    def move(self, purpose: str, amount_minor: int) -> None:
        self.legs.append((self.ids[purpose], amount_minor))
        self.balances[purpose] += amount_minor

    def play(self, house_id: int, debit: int, credit: int) -> None:
        """A bet and/or a win against the studio's house account."""
        if debit > 0:
            self.legs.append((house_id, debit))
            self.take_main = debit
        if credit > 0:
            self.legs.append((house_id, -credit))
            if self.river:
                self.to_win = credit
            else:
                self.to_main = credit

    def undo(self, postings: list[Leg]) -> tuple[int, int]:
        """A reverse: each part back through the pool it came from; (debit, credit) of main."""
        main_ids = (self.ids["main"], self.ids.get("debt"))
        win_id = self.ids.get("win")
        take = sum(amount for account, amount in postings if account in main_ids)
        take_win = sum(amount for account, amount in postings if account == win_id)
        self.legs += [(a, -amount) for a, amount in postings if a not in main_ids and a != win_id]
        self.take_main = max(take, 0)
        self.to_main = max(-take, 0)
        self.win_debit = max(take_win, 0)
        self.to_win = self.win_credit = max(-take_win, 0)
        if self.win_debit > 0:  # what a win put into River's win account: win, then debt
            from_win = min(self.win_debit, max(self.balances.get("win", 0), 0))
            if from_win > 0:
                self.move("win", -from_win)
            if self.win_debit > from_win:
                self.move("debt", from_win - self.win_debit)
        return self.take_main, self.to_main

    def debit_main(self, amount: int, allow_debt: bool) -> bool:
        """Take from main, then (a River bet) win; beyond them only a reverse may go, into debt.
        False: not enough money, and nothing taken."""
        if amount <= 0:
            return True
        main, win = self.balances["main"], self.balances.get("win", 0)
        if main < amount and not allow_debt and (not self.river or main + win < amount):
            return False
        from_main = min(amount, max(main, 0))
        if from_main > 0:
            self.move("main", -from_main)
        rest = amount - from_main
        if rest > 0 and self.river and not allow_debt:
            from_win = min(rest, max(win, 0))  # > 0: main + win covers the amount
            self.move("win", -from_win)
            rest -= from_win
        if rest > 0:
            self.move("debt", -rest)
        return True

    def shop_bet(self, wager_memo_id: int, wallet: Wallet) -> None:
        """A shop player's bet: it counts down the wagering requirement (the bet that ends it
        releases the bonus), and a River bet that leaves the player below the shop's threshold
        brings the held Bounce Back into main."""
        balances = self.balances
        requirement = balances.get("wager_req", 0)
        if self.take_main > 0 and requirement > 0:
            counted = min(self.take_main, requirement)
            self.move("wager_req", -counted)
            self.legs.append((wager_memo_id, counted))
            bonus = balances.get("bonus", 0)
            if balances["wager_req"] == 0 and bonus > 0:
                self.move("bonus", -bonus)
                self.to_main += bonus
        bounce_back = balances.get("bounce_back", 0)
        money = balances["main"] + balances.get("win", 0) + balances.get("debt", 0)
        below = money + self.to_main + self.to_win < wallet.threshold_minor
        if self.river and bounce_back > 0 and below:
            self.move("bounce_back", -bounce_back)
            self.to_main += bounce_back

    def credit(self) -> None:
        """What comes in repays the debt first (main's share first), then lands in its account."""
        incoming = self.to_main + self.to_win
        if incoming <= 0:
            return
        repay = debt_repaid(incoming, self.balances.get("debt", 0))
        if repay > 0:
            self.move("debt", repay)
        to_main = self.to_main - min(repay, self.to_main)
        if to_main > 0:
            self.move("main", to_main)
        to_win = self.to_win - max(repay - self.to_main, 0)
        if to_win > 0:
            self.move("win", to_win)
