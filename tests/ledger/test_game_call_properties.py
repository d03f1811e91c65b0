"""Random sequences of debits, credits, replays, conflicts and reversals against a model.

After every step the answer matches the model and the ledger; after every sequence the five
invariants hold (the audit_after fixture runs once more at the end).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.audit import audit
from wallet.ledger.database import LedgerDB
from wallet.ledger.game import GameCall, Kind, Rule, game_call
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import Outcome

REF_OPS = ("debit", "credit", "debit_credit")
amounts = st.integers(min_value=0, max_value=5_000)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("debit"), amounts, st.just(0)),
        st.tuples(st.just("credit"), st.just(0), amounts),
        st.tuples(st.just("debit_credit"), amounts, amounts),
        st.tuples(st.just("replay"), st.integers(0, 30), st.just(0)),
        st.tuples(st.just("conflict"), st.integers(0, 30), st.just(0)),
        st.tuples(st.just("reverse"), st.integers(0, 30), st.just(0)),
        st.tuples(st.just("reverse_unseen"), st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


@dataclass
class Model:
    main: int
    debt: int = 0
    net: dict[str, int] = field(default_factory=dict)  # posted id -> player's net movement
    reversed: set[str] = field(default_factory=set)
    tombstones: set[str] = field(default_factory=set)

    @property
    def balance(self) -> int:
        return self.main + self.debt

    def credit(self, amount: int) -> None:
        repay = min(amount, -self.debt)
        self.debt += repay
        self.main += amount - repay

    def take(self, amount: int) -> None:
        """An authoritative debit: beyond the main balance it becomes debt."""
        taken = min(amount, max(self.main, 0))
        self.main -= taken
        self.debt -= amount - taken


def _call(player: Player, kind: str, ext: str, debit: int, credit: int, salt: str = "") -> GameCall:
    body = {"kind": kind, "id": ext, "debit": debit, "credit": credit, "salt": salt}
    return GameCall(
        caller="property",
        operation=kind,
        kind=Kind(kind),
        external_id=ext,
        request_hash=request_hash(body),
        operator_id=1,
        username=player.username,
        amount_exponent=2,
        debit_minor=debit,
        credit_minor=credit,
        rules=frozenset({Rule.REF_TOMBSTONES}),
    )


def _reverse(player: Player, ref: str) -> GameCall:
    return GameCall(
        caller="property",
        operation="reverse",
        kind=Kind.REVERSE,
        external_id=ref,
        request_hash=request_hash({"reverse": ref}),
        operator_id=1,
        username=player.username,
        amount_exponent=2,
        ref_id=ref,
        ref_operations=REF_OPS,
        rules=frozenset({Rule.REVERSE_BY_REF}),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(opening=st.integers(0, 10_000), plan=steps)
def test_random_sequences_keep_every_invariant(
    ledger: LedgerDB,
    loop: LoopThread,
    make_player: Callable[..., Player],
    opening: int,
    plan: list[tuple[str, int, int]],
) -> None:
    player = make_player(balance_minor=opening)
    model = Model(main=opening)
    sent: list[tuple[GameCall, tuple[int | None, int | None]]] = []
    for action, a, b in plan:
        if action in REF_OPS:
            # Now and then the call a studio rolled back before it arrived.
            reuse = model.tombstones and a % 4 == 0
            ext = sorted(model.tombstones)[0] if reuse else secrets.token_hex(4)
            call = _call(player, action, ext, a, b)
            answer = loop.run(game_call(ledger, call))
            if ext in model.tombstones:
                assert answer.outcome == Outcome.TOMBSTONED
            elif model.main < a:
                assert answer.outcome == Outcome.INSUFFICIENT
            else:
                before = model.balance
                model.main -= a
                model.credit(b)
                model.net[ext] = model.balance - before
                assert answer.outcome == Outcome.NEW
                assert (answer.balance_before_minor, answer.balance_after_minor) == (
                    before,
                    model.balance,
                )
                sent.append((call, (before, model.balance)))
        elif action in ("replay", "conflict") and sent:
            call, stored = sent[a % len(sent)]
            if action == "conflict":
                call = _call(
                    player,
                    call.kind.value,
                    call.external_id,
                    call.debit_minor,
                    call.credit_minor,
                    salt="changed",
                )
            answer = loop.run(game_call(ledger, call))
            if action == "replay":
                assert answer.outcome == Outcome.REPLAY
                assert (answer.balance_before_minor, answer.balance_after_minor) == stored
            else:
                assert answer.outcome == Outcome.CONFLICT
                assert answer.balance_after_minor == model.balance
        elif action == "reverse" and model.net:
            ref = sorted(model.net)[a % len(model.net)]
            answer = loop.run(game_call(ledger, _reverse(player, ref)))
            if ref in model.reversed:
                assert (answer.outcome, answer.tx_kind) == (Outcome.REPLAY, "reverse")
            else:
                model.reversed.add(ref)
                before = model.balance
                undo = -model.net[ref]
                model.credit(undo) if undo > 0 else model.take(-undo)
                assert answer.outcome == Outcome.NEW
                assert answer.balance_after_minor == model.balance == before + undo
        elif action == "reverse_unseen":
            ref = secrets.token_hex(4)
            answer = loop.run(game_call(ledger, _reverse(player, ref)))
            assert answer.outcome == Outcome.NOT_FOUND
            model.tombstones.add(ref)
        current = loop.run(find_player(ledger, 1, player.username))
        assert current is not None and current.balance_minor == model.balance
        assert model.debt <= 0 and model.main >= 0
    report = loop.run(audit(ledger))
    assert report.ok, report.violations[:10]
