"""A simulated iGamingAce studio: it plays rounds against our /igamingace callbacks.

Give it an httpx.Client on our base URL (from a test, or from a locust user's on_start). Every
call is signed and goes through `deliver`, so a call whose answer was lost (or answered 1,
"general error") is sent again with the very same bytes, as the studio does. On top of that it
can send each call several times at once (`copies_max`), send it once more after its round is
over, after its rollback too (`late_resend`), and send a rollback racing the call it rolls back.

The studio keeps the history of what each call meant to move, so a test can compare the final
balances with a plain replay of that history (`intended_balance`).

This module speaks the protocol independently of the server's code (its own JSON writer and
signature, amounts through Decimal), so it checks the server rather than agreeing with it by
construction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from loadtest.studios.retry import Delivery, deliver

# The contract's table "signed values, in order" (protocols/igamingace.md, "Data Sign").
SIGNED_FIELDS: dict[str, tuple[str, ...]] = {
    "GetBalance": ("agentID", "userID"),
    "Withdraw": ("agentID", "userID", "amount", "transactionID", "roundID"),
    "Deposit": ("agentID", "userID", "amount", "transactionID", "roundID"),
    "BetWin": ("agentID", "userID", "betAmount", "winAmount", "transactionID", "roundID"),
    "RollbackTransaction": ("agentID", "userID", "refTransactionID"),
}
AMOUNT_FIELDS = frozenset({"amount", "betAmount", "winAmount"})
ROLLBACK = "RollbackTransaction"
ROUND_KINDS = (
    "bet_win",  # Withdraw, then Deposit of the win (maybe 0)
    "instant",  # BetWin
    "rollback_bet",  # Withdraw, then its rollback (a refund)
    "rollback_win",  # Withdraw, Deposit, then the Deposit's rollback (the win taken back)
    "rollback_instant",  # BetWin, then its rollback (both legs)
    "orphan_rollback",  # a rollback that overtakes its Withdraw: 8, then the Withdraw 9
    "racing_rollback",  # a Withdraw and its rollback sent at the same moment
)
ROUND_WEIGHTS = (6, 3, 1, 1, 1, 1, 1)
AMOUNT_STYLES = ("fixed", "short", "text")  # 12.30, 12.3, "12.30": all one amount
_SIGNABLE_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?")


@dataclass(frozen=True, slots=True)
class StudioSettings:
    agent_id: str = "Partner01"
    secret: str = "1234567890"  # IGAMINGACE_SECRET of the server
    game_id: int = 1566
    bet_minor_max: int = 5_000
    attempts_max: int = 5  # deliver's tries per copy (the real studio: 50)
    backoff_s: float = 0.01
    copies_max: int = 1  # each call is sent 1..copies_max times at the same moment
    late_resend: float = 0.0  # chance that a call is sent once more after its round is over
    record_history: bool = True  # off for long load runs: rounds are then not kept


class Num(str):
    """A JSON number written exactly as this text (never through float)."""

    __slots__ = ()


def encode(fields: Mapping[str, object]) -> bytes:
    """A JSON object; Num values are written as bare numbers, everything else by json.dumps."""
    parts = [
        f"{json.dumps(name)}:{value if isinstance(value, Num) else json.dumps(value)}"
        for name, value in fields.items()
    ]
    return ("{" + ",".join(parts) + "}").encode()


def money(minor: int, style: str = "fixed") -> object:
    """An amount as a studio may write it: 1230 -> 12.30 ("fixed"), 12.3 ("short"), "12.30"."""
    fixed = f"{Decimal(minor).scaleb(-2):.2f}"
    if style == "text":
        return fixed
    if style == "short":
        return Num(fixed.rstrip("0").rstrip(".") if "." in fixed else fixed)
    return Num(fixed)


def compute_sign(secret: str, values: Sequence[str]) -> str:
    """UPPERCASE(hex(HMAC-SHA256(UTF-8(secret), UTF-8(v1 + ... + vn))))."""
    digest = hmac.new(secret.encode(), "".join(values).encode(), hashlib.sha256)
    return digest.hexdigest().upper()


def signed_values(endpoint: str, fields: Mapping[str, object]) -> list[str]:
    """The values the contract signs for this endpoint; amounts with exactly two decimals (an
    amount that is no plain decimal of at most two places is signed as written)."""
    values = []
    for name in SIGNED_FIELDS[endpoint]:
        value = fields.get(name)
        text = "" if value is None else str(value)
        if name in AMOUNT_FIELDS and _SIGNABLE_AMOUNT.fullmatch(text) and _is_plain(value):
            text = f"{Decimal(text):.2f}"
        values.append(text)
    return values


def _is_plain(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def signed(endpoint: str, fields: Mapping[str, object], secret: str) -> dict[str, object]:
    """The fields with their sign added (replacing any sign already there)."""
    unsigned = {k: v for k, v in fields.items() if k != "sign"}
    return {**unsigned, "sign": compute_sign(secret, signed_values(endpoint, unsigned))}


def callback_fields(
    endpoint: str,
    user_id: str,
    *,
    agent_id: str = "Partner01",
    secret: str = "1234567890",
    game_id: object = 1566,
    amount_minor: int | None = None,
    bet_minor: int | None = None,
    win_minor: int | None = None,
    ref_id: str | None = None,
    round_id: str | None = None,
    style: str = "fixed",
    **extra: object,
) -> dict[str, object]:
    """A signed request as the studio sends it, fields in the contract's order; `extra` adds or
    overrides fields before signing (pass sign=... after, through `dict`, to break it)."""
    fields: dict[str, object] = {"agentID": agent_id, "userID": user_id}
    if endpoint in ("Withdraw", "Deposit"):
        assert amount_minor is not None
        fields["amount"] = money(amount_minor, style)
    if endpoint == "BetWin":
        assert bet_minor is not None and win_minor is not None
        fields["betAmount"] = money(bet_minor, style)
        fields["winAmount"] = money(win_minor, style)
    if endpoint == "Deposit" or endpoint == ROLLBACK:
        fields["refTransactionID"] = ref_id
    if endpoint in ("Withdraw", "Deposit", "BetWin"):
        fields["transactionID"] = uuid.uuid4().hex
        fields["roundID"] = round_id or uuid.uuid4().hex
    fields["gameID"] = game_id
    if endpoint in ("Withdraw", "Deposit", "BetWin"):
        fields["freeSpinID"] = None
    if endpoint == "Withdraw":
        fields["isBonusBuy"] = 0
    fields.update(extra)
    return signed(endpoint, fields, secret)


def post(
    client: httpx.Client, endpoint: str, fields: Mapping[str, object] | bytes
) -> httpx.Response:
    """One callback sent once, no retry (for looking at a single answer)."""
    body = fields if isinstance(fields, bytes) else encode(fields)
    headers = {"content-type": "application/json"}
    return client.post(f"/igamingace/{endpoint}", content=body, headers=headers)


@dataclass
class Call:
    endpoint: str
    transaction_id: str  # a rollback: the transactionID it rolls back
    delta_minor: int  # what the call moves on the player's balance when applied (0: rollback)
    body: bytes
    answers: list[dict[str, Any] | None] = field(default_factory=list)  # one per sending
    attempts: int = 0
    late_sends: int = 0  # sendings after the round was over (after its rollback, if any)

    @property
    def codes(self) -> list[int | None]:
        return [None if a is None else a.get("code") for a in self.answers]

    @property
    def applied(self) -> bool:
        """The studio was told the call moved money (now, or earlier: 11)."""
        return any(code in (0, 11) for code in self.codes)


@dataclass
class Round:
    username: str
    kind: str  # one of ROUND_KINDS
    round_id: str
    calls: list[Call] = field(default_factory=list)

    def rolled_back(self, call: Call) -> bool:
        """A rollback of the call got a definite answer (done 0, already 9, or not found 8)."""
        return any(
            c.endpoint == ROLLBACK
            and c.transaction_id == call.transaction_id
            and any(code in (0, 8, 9) for code in c.codes)
            for c in self.calls
        )

    @property
    def net_minor(self) -> int:
        """What the round meant to move: its applied calls, less those it rolled back."""
        return sum(
            c.delta_minor
            for c in self.calls
            if c.endpoint != ROLLBACK and c.applied and not self.rolled_back(c)
        )

    @property
    def answered(self) -> bool:
        return all(code is not None for c in self.calls for code in c.codes)


class IGamingAceStudio:
    """Plays rounds for players; thread-safe (one lock around the history and the rng)."""

    def __init__(
        self,
        client: httpx.Client,
        settings: StudioSettings | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.settings = settings or StudioSettings()
        self.rng = rng or random.Random()
        self.rounds: list[Round] = []
        self._lock = threading.Lock()

    def balance(self, username: str) -> dict[str, Any] | None:
        fields = self._fields("GetBalance", username)
        return self._deliver("GetBalance", encode(fields)).answer

    def play(self, username: str, kind: str | None = None) -> Round:
        """One round of the given kind (one of ROUND_KINDS; random when None)."""
        with self._lock:
            kind = kind or self.rng.choices(ROUND_KINDS, ROUND_WEIGHTS)[0]
        rnd = Round(username, kind, uuid.uuid4().hex)
        self._plays[kind](self, rnd)
        for call in list(rnd.calls):
            if self._chance(self.settings.late_resend):
                self._resend(call)
        if self.settings.record_history:
            with self._lock:
                self.rounds.append(rnd)
        return rnd

    def intended_balance(self, username: str, opening_minor: int) -> int:
        """The balance a plain replay of the history gives, from the opening balance."""
        with self._lock:
            return opening_minor + sum(r.net_minor for r in self.rounds if r.username == username)

    # --- rounds -------------------------------------------------------------------------------

    def _bet_win(self, rnd: Round) -> None:
        bet = self._withdraw(rnd)
        if bet.applied:
            self._deposit(rnd, bet)

    def _instant(self, rnd: Round) -> None:
        self._bet_and_win(rnd)

    def _rollback_bet(self, rnd: Round) -> None:
        self._rollback(rnd, self._withdraw(rnd))

    def _rollback_win(self, rnd: Round) -> None:
        bet = self._withdraw(rnd)
        if bet.applied:
            self._rollback(rnd, self._deposit(rnd, bet))

    def _rollback_instant(self, rnd: Round) -> None:
        self._rollback(rnd, self._bet_and_win(rnd))

    def _orphan_rollback(self, rnd: Round) -> None:
        bet_fields, bet_delta = self._withdraw_fields(rnd)
        tid = str(bet_fields["transactionID"])
        self._send(rnd, ROLLBACK, self._rollback_fields(rnd, tid), tid, 0)
        self._send(rnd, "Withdraw", bet_fields, tid, bet_delta)

    def _racing_rollback(self, rnd: Round) -> None:
        bet_fields, bet_delta = self._withdraw_fields(rnd)
        tid = str(bet_fields["transactionID"])
        gate = threading.Barrier(2)

        def bet() -> None:
            gate.wait()
            self._send(rnd, "Withdraw", bet_fields, tid, bet_delta)

        def rollback() -> None:
            gate.wait()
            self._send(rnd, ROLLBACK, self._rollback_fields(rnd, tid), tid, 0)

        with ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(bet), pool.submit(rollback)]:
                future.result()

    _plays: ClassVar[Mapping[str, Callable[[IGamingAceStudio, Round], None]]] = {
        "bet_win": _bet_win,
        "instant": _instant,
        "rollback_bet": _rollback_bet,
        "rollback_win": _rollback_win,
        "rollback_instant": _rollback_instant,
        "orphan_rollback": _orphan_rollback,
        "racing_rollback": _racing_rollback,
    }

    # --- calls --------------------------------------------------------------------------------

    def _withdraw_fields(self, rnd: Round) -> tuple[dict[str, object], int]:
        bet_minor = self._random(1, self.settings.bet_minor_max)
        fields = self._fields(
            "Withdraw", rnd.username, amount_minor=bet_minor, round_id=rnd.round_id
        )
        return fields, -bet_minor

    def _withdraw(self, rnd: Round) -> Call:
        fields, delta = self._withdraw_fields(rnd)
        return self._send(rnd, "Withdraw", fields, str(fields["transactionID"]), delta)

    def _deposit(self, rnd: Round, bet: Call) -> Call:
        win_minor = self._random(0, 3 * -bet.delta_minor) if self._chance(0.5) else 0
        fields = self._fields(
            "Deposit",
            rnd.username,
            amount_minor=win_minor,
            ref_id=bet.transaction_id,
            round_id=rnd.round_id,
        )
        return self._send(rnd, "Deposit", fields, str(fields["transactionID"]), win_minor)

    def _bet_and_win(self, rnd: Round) -> Call:
        bet_minor = self._random(1, self.settings.bet_minor_max)
        win_minor = self._random(0, 3 * bet_minor) if self._chance(0.5) else 0
        fields = self._fields(
            "BetWin", rnd.username, bet_minor=bet_minor, win_minor=win_minor, round_id=rnd.round_id
        )
        tid = str(fields["transactionID"])
        return self._send(rnd, "BetWin", fields, tid, win_minor - bet_minor)

    def _rollback_fields(self, rnd: Round, transaction_id: str) -> dict[str, object]:
        return self._fields(ROLLBACK, rnd.username, ref_id=transaction_id)

    def _rollback(self, rnd: Round, target: Call) -> Call:
        fields = self._rollback_fields(rnd, target.transaction_id)
        return self._send(rnd, ROLLBACK, fields, target.transaction_id, 0)

    def _fields(self, endpoint: str, username: str, **kw: Any) -> dict[str, object]:
        s = self.settings
        with self._lock:
            style = self.rng.choice(AMOUNT_STYLES)
        return callback_fields(
            endpoint,
            username,
            agent_id=s.agent_id,
            secret=s.secret,
            game_id=s.game_id,
            style=style,
            **kw,
        )

    def _send(
        self, rnd: Round, endpoint: str, fields: Mapping[str, object], tid: str, delta: int
    ) -> Call:
        """The call, sent in 1..copies_max identical copies at the same moment."""
        call = Call(endpoint, tid, delta, encode(fields))
        copies = self._random(1, self.settings.copies_max)
        if copies == 1:
            deliveries = [self._deliver(endpoint, call.body)]
        else:
            with ThreadPoolExecutor(copies) as pool:
                deliveries = list(
                    pool.map(lambda _: self._deliver(endpoint, call.body), range(copies))
                )
        with self._lock:
            call.answers.extend(d.answer for d in deliveries)
            call.attempts += sum(d.attempts for d in deliveries)
            rnd.calls.append(call)
        return call

    def _resend(self, call: Call) -> None:
        """The same bytes once more, as a studio does that never saw the answer."""
        delivery = self._deliver(call.endpoint, call.body)
        with self._lock:
            call.answers.append(delivery.answer)
            call.attempts += delivery.attempts
            call.late_sends += 1

    def _deliver(self, endpoint: str, body: bytes) -> Delivery:
        return deliver(
            self.client,
            f"/igamingace/{endpoint}",
            body,
            attempts_max=self.settings.attempts_max,
            backoff_s=self.settings.backoff_s,
            unsettled=_unsettled,
        )

    def _random(self, low: int, high: int) -> int:
        with self._lock:
            return self.rng.randint(low, high)

    def _chance(self, probability: float) -> bool:
        with self._lock:
            return self.rng.random() < probability


def _unsettled(answer: dict[str, Any]) -> bool:
    """Code 1 "general error": our side failed, maybe after applying the call; the studio sends
    the same call again until it gets a definite answer."""
    return isinstance(answer, dict) and answer.get("code") == 1
