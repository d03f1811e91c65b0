"""The studio hot path against an independent model: hypothesis drives random sequences of both
studios' calls (AMBSlot bet, payout, settle, cancel; iGamingAce Withdraw, Deposit, BetWin,
Rollback), replays, conflicts, calls sent together in one batch and identical calls sent at once,
over a studio-only player and the players of a River and a Default shop.

The model below is written from the rules as the contracts state them (game_rules.py's
docstring), not from the code: each player's pools, each transaction's effect on them, and what
a reverse gives back. After every step every answer matches the model and every balance the
ledger's; after every sequence the audit holds.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.ledger.test_shop_modes import _make
from tests.support import LoopThread
from wallet.directory.players import create_player
from wallet.ledger.audit import audit
from wallet.ledger.batching import GameBatcher
from wallet.ledger.database import LedgerDB
from wallet.ledger.game import REVERSE_OPERATION, GameCall, Kind, Rule, game_call
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import LedgerAnswer, Outcome

AMB_RULES = frozenset({Rule.ROUND_SINGLE_BET, Rule.ROUND_NEEDS_BET, Rule.REVERSE_BY_ROUND})
IGA_REFS = ("Withdraw", "Deposit", "BetWin")
THRESHOLD_MINOR = 100
POOLS = ("main", "debt", "win", "bonus", "wager_req", "bounce_back")
# Mostly small amounts, so that balances cross the shop's threshold (100), requirements end at
# exact zeros and debts arise; now and then a large one.
amounts = st.integers(0, 150) | st.integers(0, 3_000)
EVERY_OUTCOME = {
    Outcome.NEW,
    Outcome.REPLAY,
    Outcome.CONFLICT,
    Outcome.INSUFFICIENT,
    Outcome.TOMBSTONE,
    Outcome.NOT_FOUND,
    Outcome.TOMBSTONED,
    Outcome.ROUND_EXISTS,
    Outcome.ROUND_MISSING,
    Outcome.ROUND_CANCELLED,
    Outcome.ROUND_CLOSED,
    Outcome.ROUND_CREDITED,
    Outcome.GAME_MISMATCH,
}


@dataclass
class Pools:
    """A player's money as the contracts describe it."""

    mode: str | None  # None: a studio-only player
    money: dict[str, int]

    def seen(self) -> int:
        m = self.money
        return m["main"] + m["debt"] + (m["win"] if self.mode == "river" else 0)

    def can_bet(self, amount: int) -> bool:
        m = self.money
        return amount <= m["main"] + (m["win"] if self.mode == "river" else 0)

    def take(self, amount: int, pool: str = "main", authoritative: bool = False) -> None:
        """A bet takes from main then (River) win; a reverse from its pool, the rest is debt."""
        m = self.money
        from_pool = min(amount, max(m[pool], 0))
        m[pool] -= from_pool
        rest = amount - from_pool
        if rest and self.mode == "river" and not authoritative:
            m["win"] -= rest
        elif rest:
            m["debt"] -= rest

    def pay(self, to_main: int, to_win: int) -> None:
        """Money in: the debt is repaid first (main's share first), the rest lands."""
        m = self.money
        owed = -m["debt"]
        main_repays = min(to_main, owed)
        win_repays = min(to_win, owed - main_repays)
        m["debt"] += main_repays + win_repays
        m["main"] += to_main - main_repays
        m["win"] += to_win - win_repays


@dataclass
class Record:
    """A stored transaction: its answer, and its effect on the player's pools."""

    player: str
    kind: str
    digest: bytes
    before: int
    after: int
    effect: dict[str, int]
    round_id: str | None = None
    game_id: str | None = None
    closes: bool = False
    reversed: bool = False


@dataclass
class Expected:
    outcome: Outcome
    before: int | None
    after: int | None
    kind: str | None = None


@dataclass
class Round:
    """An AMBSlot round of one player (another player's round of the same id is another)."""

    game: str
    bet_key: tuple[str, str, str] | None = None
    credited: bool = False
    closed: bool = False
    cancel_key: tuple[str, str, str] | None = None


@dataclass
class Model:
    players: dict[str, Pools] = field(default_factory=dict)
    records: dict[tuple[str, str, str], Record] = field(default_factory=dict)
    rounds: dict[tuple[str, str], Round] = field(default_factory=dict)  # (player, round id)

    def play(self, call: GameCall) -> Expected:
        """The answer to a call, and its effect recorded."""
        pools = self.players[call.username]
        key = (call.caller, call.operation, call.external_id)
        if key in self.records:
            stored = self.records[key]
            if stored.digest != call.request_hash:
                return Expected(Outcome.CONFLICT, pools.seen(), pools.seen(), stored.kind)
            return Expected(Outcome.REPLAY, stored.before, stored.after, stored.kind)
        refusal = self._refusal(call, pools)
        if refusal is not None:
            return refusal
        if call.kind is Kind.REVERSE:
            return self._reverse(call, pools, key)
        return self._move(call, pools, key)

    def _refusal(self, call: GameCall, pools: Pools) -> Expected | None:
        seen = pools.seen()
        refused = None
        tombstone = (call.caller, REVERSE_OPERATION, call.external_id)
        money_call = Rule.REF_TOMBSTONES in call.rules and call.kind is not Kind.REVERSE
        if money_call and tombstone in self.records:
            refused = Outcome.TOMBSTONED
        if call.caller == "ambslot" and call.kind is not Kind.REVERSE:
            refused = refused or self._round_refusal(call)
        if refused is None and call.kind in (Kind.DEBIT, Kind.DEBIT_CREDIT):
            refused = None if pools.can_bet(call.debit_minor) else Outcome.INSUFFICIENT
        return Expected(refused, seen, seen) if refused else None

    def _round_refusal(self, call: GameCall) -> Outcome | None:
        round_ = self.rounds.get((call.username, call.round_id or ""))
        if call.kind in (Kind.DEBIT, Kind.DEBIT_CREDIT):
            if round_ is not None and round_.cancel_key is not None:
                return Outcome.ROUND_CANCELLED
            return Outcome.ROUND_EXISTS if round_ and round_.bet_key else None
        if round_ is None or round_.bet_key is None:
            return Outcome.ROUND_MISSING
        if round_.cancel_key is not None:
            return Outcome.ROUND_CANCELLED
        if round_.closed:
            return Outcome.ROUND_CLOSED
        return Outcome.GAME_MISMATCH if call.game_id != round_.game else None

    def _move(self, call: GameCall, pools: Pools, key: tuple[str, str, str]) -> Expected:
        before, opening = pools.seen(), dict(pools.money)
        m = pools.money
        pools.take(call.debit_minor)
        to_main, to_win = (
            (0, call.credit_minor) if pools.mode == "river" else (call.credit_minor, 0)
        )
        if pools.mode is not None and call.kind is not Kind.CREDIT:
            counted = min(call.debit_minor, m["wager_req"])
            m["wager_req"] -= counted
            if counted and m["wager_req"] == 0:
                to_main, m["bonus"] = to_main + m["bonus"], 0
            money = m["main"] + m["win"] + m["debt"] + to_main + to_win
            if pools.mode == "river" and m["bounce_back"] and money < THRESHOLD_MINOR:
                to_main, m["bounce_back"] = to_main + m["bounce_back"], 0
        pools.pay(to_main, to_win)
        effect = {pool: m[pool] - opening[pool] for pool in POOLS}
        self.records[key] = Record(
            call.username, call.kind.value, call.request_hash, before, pools.seen(), effect
        )
        if call.caller == "ambslot":
            self._round_after(call, key)
        return Expected(Outcome.NEW, before, pools.seen(), call.kind.value)

    def _round_after(self, call: GameCall, key: tuple[str, str, str]) -> None:
        round_ = self._round_of(call)
        if call.kind is not Kind.CREDIT:
            round_.bet_key = key
        if call.kind is not Kind.DEBIT:
            round_.credited = True
        round_.closed = round_.closed or call.close_round

    def _reverse(self, call: GameCall, pools: Pools, key: tuple[str, str, str]) -> Expected:
        seen = pools.seen()
        target_key = self._target(call, pools)
        if isinstance(target_key, Expected):
            return target_key
        if target_key is None:  # nothing seen yet: a tombstone, stored, nothing moved
            self.records[key] = Record(
                call.username, "tombstone", call.request_hash, seen, seen, {}
            )
            if call.caller == "ambslot":
                self._round_of(call).cancel_key = key
            tombstone = Outcome.TOMBSTONE if call.caller == "ambslot" else Outcome.NOT_FOUND
            return Expected(tombstone, seen, seen, "tombstone")
        target = self.records[target_key]
        target.reversed = True
        undo(pools, target.effect)
        self.records[key] = Record(
            call.username, "reverse", call.request_hash, seen, pools.seen(), {}
        )
        if call.caller == "ambslot":
            self._round_of(call).cancel_key = key
        return Expected(Outcome.NEW, seen, pools.seen(), "reverse")

    def _round_of(self, call: GameCall) -> Round:
        assert call.round_id and call.game_id
        return self.rounds.setdefault((call.username, call.round_id), Round(call.game_id))

    def _target(self, call: GameCall, pools: Pools) -> tuple[str, str, str] | Expected | None:
        seen = pools.seen()
        if call.caller == "igamingace":
            found = [k for k in self.records if k[0] == "igamingace" and k[2] == call.ref_id]
            found = [k for k in found if k[1] in IGA_REFS]
            if not found:
                return None
            if self.records[found[0]].player != call.username:
                return Expected(Outcome.NOT_FOUND, seen, seen)
            return found[0]
        round_ = self.rounds.get((call.username, call.round_id or ""))
        if round_ is not None and round_.cancel_key is not None:
            stored = self.records[round_.cancel_key]
            return Expected(Outcome.REPLAY, stored.before, stored.after, stored.kind)
        if round_ is None or round_.bet_key is None:
            return None
        if round_.credited:
            return Expected(Outcome.ROUND_CREDITED, seen, seen)
        if call.game_id != round_.game:
            return Expected(Outcome.GAME_MISMATCH, seen, seen)
        return round_.bet_key


def undo(pools: Pools, effect: dict[str, int]) -> None:
    """A reverse: main with its debt, and River's win, give back or take back what the
    original moved there; the held pools are restored exactly."""
    m = pools.money
    for pool in ("bonus", "wager_req", "bounce_back"):
        m[pool] -= effect.get(pool, 0)
    to_main = effect.get("main", 0) + effect.get("debt", 0)
    to_win = effect.get("win", 0)
    if to_win > 0:
        pools.take(to_win, pool="win", authoritative=True)
    if to_main > 0:
        pools.take(to_main, authoritative=True)
    pools.pay(max(-to_main, 0), max(-to_win, 0))


def amb(
    kind: Kind, user: str, round_id: str, game: str, debit: int = 0, credit: int = 0, **extra: bool
) -> GameCall:
    operation = {
        Kind.DEBIT: "bet",
        Kind.CREDIT: "payout",
        Kind.DEBIT_CREDIT: "settle",
        Kind.REVERSE: "cancel",
    }[kind]
    ext = secrets.token_hex(6)
    body = {"op": operation, "u": user, "r": round_id, "g": game, "d": debit, "c": credit, **extra}
    return GameCall(
        caller="ambslot",
        operation=operation,
        kind=kind,
        external_id=ext,
        request_hash=request_hash(body),
        operator_id=1,
        username=user,
        amount_exponent=2,
        currency="THB",
        debit_minor=debit,
        credit_minor=credit,
        round_id=round_id,
        game_id=game,
        close_round=extra.get("end", False),
        rules=AMB_RULES,
    )


def iga(kind: Kind, user: str, debit: int = 0, credit: int = 0, ext: str = "") -> GameCall:
    operation = {Kind.DEBIT: "Withdraw", Kind.CREDIT: "Deposit", Kind.DEBIT_CREDIT: "BetWin"}[kind]
    ext = ext or secrets.token_hex(6)
    return GameCall(
        caller="igamingace",
        operation=operation,
        kind=kind,
        external_id=ext,
        request_hash=request_hash({"u": user, "d": debit, "c": credit}),
        operator_id=1,
        username=user,
        amount_exponent=2,
        debit_minor=debit,
        credit_minor=credit,
        round_id=secrets.token_hex(3),
        game_id="7",
        rules=frozenset({Rule.REF_TOMBSTONES}),
    )


def rollback(user: str, ref: str) -> GameCall:
    return GameCall(
        caller="igamingace",
        operation=REVERSE_OPERATION,
        kind=Kind.REVERSE,
        external_id=ref,
        request_hash=request_hash({"userID": user, "ref": ref}),
        operator_id=1,
        username=user,
        amount_exponent=2,
        ref_id=ref,
        ref_operations=IGA_REFS,
        rules=frozenset({Rule.REVERSE_BY_REF}),
    )


class HotPath(RuleBasedStateMachine):
    ledger: LedgerDB
    loop: LoopThread
    seen_outcomes: ClassVar[Counter[Outcome]] = Counter()  # over the whole run: coverage

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.sent: list[GameCall] = []
        self.users: list[str] = []

    @initialize(main=amounts, win=amounts, bonus=amounts, wager=amounts, bb=amounts)
    def players(self, main: int, win: int, bonus: int, wager: int, bb: int) -> None:
        plain = self.loop.run(
            create_player(self.ledger, 1, f"m{secrets.token_hex(5)}", "THB", main)
        )
        self._add(plain.username, None, {"main": main})
        for mode in ("river", "default"):
            opening = {"main": main, "win": win, "bonus": bonus, "wager_req": wager}
            opening["bounce_back"] = bb
            made = self.loop.run(_make(self.ledger, mode, {k: v for k, v in opening.items() if v}))
            self._add(made.username, mode, opening)

    def _add(self, user: str, mode: str | None, opening: dict[str, int]) -> None:
        self.users.append(user)
        self.model.players[user] = Pools(mode, {pool: opening.get(pool, 0) for pool in POOLS})

    def send(self, *calls: GameCall) -> None:
        """Calls one after the other, each checked against the model."""
        for call in calls:
            self.check(call, self.loop.run(game_call(self.ledger, call)))

    def check(self, call: GameCall, answer: LedgerAnswer) -> None:
        expected = self.model.play(call)
        got = Expected(
            answer.outcome, answer.balance_before_minor, answer.balance_after_minor, answer.tx_kind
        )
        if expected.kind is None:
            got.kind = None
        assert got == expected, (call, got, expected)
        HotPath.seen_outcomes[answer.outcome] += 1
        if answer.outcome in (Outcome.NEW, Outcome.TOMBSTONE, Outcome.NOT_FOUND):
            self.sent.append(call)

    @rule(who=st.integers(0, 2), bet=amounts, win=amounts, end=st.booleans())
    def amb_round(self, who: int, bet: int, win: int, end: bool) -> None:
        user, round_id = self.users[who], secrets.token_hex(5)
        self.send(amb(Kind.DEBIT, user, round_id, "g1", debit=bet))
        self.send(amb(Kind.DEBIT, user, round_id, "g1", debit=bet))  # the round has its bet
        self.send(amb(Kind.CREDIT, user, round_id, "g1", credit=win, end=end))
        self.send(amb(Kind.CREDIT, user, round_id, "g1", credit=win))  # closed, if it ended

    @rule(who=st.integers(1, 2), short=st.integers(0, 2))
    def bet_to_the_requirement(self, who: int, short: int) -> None:
        """A shop player's bet that leaves exactly `short` of the wagering requirement: the one
        that leaves none releases the bonus."""
        user = self.users[who]
        self.send(
            iga(Kind.DEBIT, user, max(self.model.players[user].money["wager_req"] - short, 0))
        )

    @rule(who=st.integers(0, 2), bet=amounts, win=amounts)
    def amb_settle(self, who: int, bet: int, win: int) -> None:
        self.send(amb(Kind.DEBIT_CREDIT, self.users[who], secrets.token_hex(5), "g1", bet, win))

    @rule(who=st.integers(0, 2), bet=amounts, other_game=st.booleans())
    def amb_bet_then_cancel(self, who: int, bet: int, other_game: bool) -> None:
        user, round_id = self.users[who], secrets.token_hex(5)
        self.send(amb(Kind.DEBIT, user, round_id, "g1", debit=bet))
        self.send(amb(Kind.REVERSE, user, round_id, "g2" if other_game else "g1"))

    @rule(who=st.integers(0, 2), pick=st.integers(0, 10_000))
    def amb_cancel_seen_round(self, who: int, pick: int) -> None:
        rounds = list(self.model.rounds)  # in play order: the same picks each run
        _, round_id = rounds[pick % len(rounds)] if rounds else ("", secrets.token_hex(5))
        game = self.model.rounds[rounds[pick % len(rounds)]].game if rounds else "g1"
        self.send(amb(Kind.REVERSE, self.users[who], round_id, game))

    @precondition(lambda self: bool(self.model.rounds))
    @rule(
        who=st.integers(0, 2),
        pick=st.integers(0, 10_000),
        amount=amounts,
        kind=st.sampled_from([Kind.CREDIT, Kind.DEBIT, Kind.DEBIT_CREDIT]),
        same_game=st.booleans(),
        end=st.booleans(),
    )
    def amb_on_seen_round(
        self, who: int, pick: int, amount: int, kind: Kind, same_game: bool, end: bool
    ) -> None:
        """A payout, bet or settle on a round already played (closed, cancelled, paid, another
        player's, another game): the round rules decide."""
        rounds = list(self.model.rounds)  # in play order: the same picks each run
        owner, round_id = rounds[pick % len(rounds)]
        user = owner if pick % 3 else self.users[who]
        game = self.model.rounds[(owner, round_id)].game if same_game else "g9"
        debit = amount if kind is not Kind.CREDIT else 0
        credit = amount if kind is not Kind.DEBIT else 0
        self.send(amb(kind, user, round_id, game, debit, credit, end=end))

    @rule(who=st.integers(0, 2), amount=st.integers(1, 3_000), win=amounts)
    def into_debt_and_back(self, who: int, amount: int, win: int) -> None:
        """A deposit spent, then rolled back: the rollback takes beyond zero (debt), which the
        next win repays first."""
        user = self.users[who]
        deposit = iga(Kind.CREDIT, user, credit=amount)
        self.send(deposit)
        money = self.model.players[user]
        spend = money.money["main"] + (money.money["win"] if money.mode == "river" else 0)
        self.send(iga(Kind.DEBIT, user, debit=spend), rollback(user, deposit.external_id))
        self.send(amb(Kind.DEBIT_CREDIT, user, secrets.token_hex(5), "g1", 0, win))

    @rule(who=st.integers(0, 2), bet=amounts, win=amounts, kind=st.sampled_from(list(Kind)[:3]))
    def iga_move(self, who: int, bet: int, win: int, kind: Kind) -> None:
        debit = bet if kind is not Kind.CREDIT else 0
        credit = win if kind is not Kind.DEBIT else 0
        self.send(iga(kind, self.users[who], debit, credit))

    @rule(who=st.integers(0, 2), pick=st.integers(0, 10_000), unseen=st.booleans())
    def iga_rollback(self, who: int, pick: int, unseen: bool) -> None:
        refs = [c.external_id for c in self.sent if c.caller == "igamingace" and c.ref_id is None]
        ref = secrets.token_hex(6) if unseen or not refs else refs[pick % len(refs)]
        self.send(rollback(self.users[who], ref))
        if unseen and pick % 2:  # the original, after its rollback: refused
            self.send(iga(Kind.DEBIT, self.users[who], 100, 0, ext=ref))

    @precondition(lambda self: bool(self.sent))
    @rule(pick=st.integers(0, 10_000), change=st.booleans())
    def repeat(self, pick: int, change: bool) -> None:
        call = self.sent[pick % len(self.sent)]
        if change:
            call = _changed(call)
        self.send(call)

    @rule(who=st.integers(0, 2), bets=st.lists(amounts, min_size=1, max_size=6))
    def batch_together(self, who: int, bets: list[int]) -> None:
        """One batch: calls of one player, a replay of its own first call, a conflict, a
        payout on a round bet in the same batch; each answers as if sent alone, in order."""
        user, round_id = self.users[who], secrets.token_hex(5)
        calls = [iga(Kind.DEBIT, user, debit=bet) for bet in bets]
        calls += [calls[0], _changed(calls[0])]
        calls += [amb(Kind.DEBIT, user, round_id, "g1", debit=bets[0])]
        calls += [amb(Kind.CREDIT, user, round_id, "g1", credit=bets[-1], end=True)]
        calls += [rollback(user, calls[1].external_id) if len(bets) > 1 else calls[0]]
        batcher = GameBatcher(self.ledger, pipelines=1)

        async def together() -> list[LedgerAnswer]:
            return list(await asyncio.gather(*(batcher.submit(c) for c in calls)))

        for call, answer in zip(calls, self.loop.run(together()), strict=True):
            self.check(call, answer)

    @rule(who=st.integers(0, 2), bet=amounts, copies=st.integers(2, 8))
    def identical_at_once(self, who: int, bet: int, copies: int) -> None:
        """The same call sent several times at once (the studio's retries): it moves once."""
        call = iga(Kind.DEBIT, self.users[who], debit=bet)

        async def at_once() -> list[LedgerAnswer]:
            return list(
                await asyncio.gather(*(game_call(self.ledger, call) for _ in range(copies)))
            )

        answers = self.loop.run(at_once())
        first = next((a for a in answers if a.outcome is not Outcome.REPLAY), answers[0])
        self.check(call, first)
        moved = first.outcome is Outcome.NEW
        replays = [a for a in answers if a is not first]
        if moved:
            assert all(a.outcome is Outcome.REPLAY for a in replays)
        assert {(a.balance_before_minor, a.balance_after_minor) for a in answers} == {
            (first.balance_before_minor, first.balance_after_minor)
        }

    @invariant()
    def balances_match_the_ledger(self) -> None:
        for user in self.users:
            pools = self.model.players[user]
            ledger = self.loop.run(account_balances_of(self.ledger, user))
            assert {p: ledger.get(p, 0) for p in POOLS} == pools.money, user


def _changed(call: GameCall) -> GameCall:
    """The same key with another body: a conflict."""
    from dataclasses import replace

    return replace(call, request_hash=request_hash({"changed": call.request_hash.hex()}))


async def account_balances_of(db: LedgerDB, username: str) -> dict[str, int]:
    rows = await db.all(
        "SELECT a.purpose, a.balance_minor FROM players p JOIN accounts a"
        " ON a.owner_type = 'player' AND a.owner_id = p.id AND a.currency = p.currency"
        " WHERE p.operator_id = 1 AND p.username = %s",
        (username,),
    )
    return {purpose: balance for purpose, balance in rows if balance is not None}


def test_the_hot_path_agrees_with_the_model(ledger: LedgerDB, loop: LoopThread) -> None:
    HotPath.ledger, HotPath.loop = ledger, loop
    machine = HotPath.TestCase
    machine.settings = settings(
        max_examples=40,
        stateful_step_count=25,
        derandomize=True,  # the same sequences each run: the coverage check below is stable
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine().runTest()
    # The run met every outcome the two studios' rules can give (else it proved little).
    assert set(HotPath.seen_outcomes) >= EVERY_OUTCOME, EVERY_OUTCOME - set(HotPath.seen_outcomes)
    report = loop.run(audit(ledger))
    assert report.ok, report.violations[:10]
