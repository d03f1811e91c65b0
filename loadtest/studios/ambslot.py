"""A simulated AMBSlot studio: it plays realistic rounds against our /ambslot callbacks.

Give it an httpx.Client on our base URL (from a test, or from a locust user's on_start). Every
call goes through `deliver`, so a call whose answer was lost is sent again with the very same
bytes, as the studio does. The studio keeps the history of what each call meant to move, so a
test can compare the final balances with a plain replay of that history.

This module speaks the protocol independently of the server's code (its own JSON writer and
signature), so it checks the server rather than agreeing with it by construction.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from loadtest.studios.retry import Delivery, deliver

ROUND_KINDS = ("spins", "settle", "cancel", "orphan_cancel")
ROUND_WEIGHTS = (6, 3, 1, 1)
PAYOUTS_MAX = 3


@dataclass(frozen=True, slots=True)
class StudioSettings:
    agent_id: str = "ambdemo"
    key: str = ""  # AMBSLOT_KEY of the server; when set, every call is signed
    game_ids: tuple[str, ...] = ("GH",)
    currency: str = "THB"
    exponent: int = 2
    bet_minor_max: int = 5_000
    attempts_max: int = 8
    backoff_s: float = 0.01


class Num(str):
    """A JSON number written exactly as this text (the studio's doubles, never through float)."""

    __slots__ = ()


def encode(fields: Mapping[str, object]) -> bytes:
    """A JSON object; Num values are written as bare numbers, everything else by json.dumps."""
    parts = [
        f"{json.dumps(name)}:{value if isinstance(value, Num) else json.dumps(value)}"
        for name, value in fields.items()
    ]
    return ("{" + ",".join(parts) + "}").encode()


def sign(body: bytes, key: str) -> str:
    """AMB's request signature: base64(PBKDF2-HMAC-SHA512(body, salt=key, 1000, 64 bytes))."""
    return base64.b64encode(hashlib.pbkdf2_hmac("sha512", body, key.encode(), 1000, 64)).decode()


def post(
    client: httpx.Client,
    operation: str,
    fields: Mapping[str, object] | bytes,
    *,
    key: str = "",
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One callback sent once, no retry (for looking at a single answer); signed when key is set."""
    body = fields if isinstance(fields, bytes) else encode(fields)
    send_headers = {"content-type": "application/json"}
    if key:
        send_headers["x-amb-signature"] = sign(body, key)
    send_headers.update(headers or {})
    return client.post(f"/ambslot/{operation}", content=body, headers=send_headers)


def number(minor: int, exponent: int) -> Num:
    """Minor units as the studio writes a double: 2500 -> 25, 1250 -> 12.5, -1234 -> -12.34."""
    whole, fraction = divmod(abs(minor), 10**exponent)
    digits = str(fraction).rjust(exponent, "0").rstrip("0") if exponent else ""
    sign = "-" if minor < 0 else ""
    return Num(f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}")


def timestamp() -> str:
    """The studio's timestamp: UTC, milliseconds, no zone (2019-12-11T19:57:28.431)."""
    now = datetime.now(UTC)
    return f"{now:%Y-%m-%dT%H:%M:%S}.{now.microsecond // 1000:03d}"


def callback_fields(
    operation: str,
    username: str,
    round_id: str,
    *,
    agent_id: str = "ambdemo",
    game_id: str = "GH",
    currency: str = "THB",
    exponent: int = 2,
    amount_minor: int | None = None,
    bet_minor: int | None = None,
    **extra: object,
) -> dict[str, object]:
    """The body of a money callback as the studio sends it, fields as the contract lists them.

    bet/payout/settle carry isEndRound (default: payout and settle end the round) and
    featureBuy; payout and settle the informational turnover (and settle winlose); `extra`
    adds or overrides any field.
    """
    fields: dict[str, object] = {
        "username": username,
        "agent": agent_id,
        "game": f"Game {game_id}",
        "gameId": game_id,
        "roundId": round_id,
    }
    if amount_minor is not None:
        fields["amount"] = number(amount_minor, exponent)
    if operation == "settle":
        assert amount_minor is not None and bet_minor is not None
        fields["bet"] = number(bet_minor, exponent)
        fields["winlose"] = number(amount_minor - bet_minor, exponent)
    if operation in ("payout", "settle"):
        fields["turnover"] = number(bet_minor or amount_minor or 0, exponent)
    fields["currency"] = currency
    fields["transactionId"] = str(uuid.uuid4())
    fields["timestamp"] = timestamp()
    if operation != "cancel":
        fields["isEndRound"] = operation != "bet"
        fields["featureBuy"] = False
    fields.update(extra)
    return fields


@dataclass(frozen=True, slots=True)
class Call:
    operation: str
    transaction_id: str
    delta_minor: int  # what the call moves on the player's balance when it is applied
    code: int | None  # the answer's status code; None when no answer came after every try
    answer: dict[str, Any] | None
    attempts: int


@dataclass
class Round:
    username: str
    kind: str  # one of ROUND_KINDS
    round_id: str
    game_id: str
    calls: list[Call] = field(default_factory=list)

    @property
    def net_minor(self) -> int:
        """What the round meant to move: a cancel answered 0 undoes the round (it refunds the
        bet, or leaves a tombstone that refuses it); else the sum of the calls answered 0."""
        if any(c.operation == "cancel" and c.code == 0 for c in self.calls):
            return 0
        return sum(c.delta_minor for c in self.calls if c.code == 0)

    @property
    def answered(self) -> bool:
        return all(c.code is not None for c in self.calls)


class AmbSlotStudio:
    """Plays rounds for players; thread-safe (one lock around the history)."""

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
        body = {"username": username, "agentId": self.settings.agent_id}
        return self._send("/ambslot/balance", body).answer

    def play(self, username: str, kind: str | None = None) -> Round:
        """One round of the given kind (one of ROUND_KINDS; random when None)."""
        with self._lock:
            kind = kind or self.rng.choices(ROUND_KINDS, ROUND_WEIGHTS)[0]
            game_id = self.rng.choice(self.settings.game_ids)
        rnd = Round(username, kind, uuid.uuid4().hex[:20], game_id)
        {
            "spins": self._spins,
            "settle": self._settle,
            "cancel": self._bet_then_cancel,
            "orphan_cancel": self._orphan_cancel,
        }[kind](rnd)
        with self._lock:
            self.rounds.append(rnd)
        return rnd

    def intended_balance(self, username: str, opening_minor: int) -> int:
        """The balance a plain replay of the history gives, from the opening balance."""
        with self._lock:
            return opening_minor + sum(r.net_minor for r in self.rounds if r.username == username)

    def _spins(self, rnd: Round) -> None:
        """A bet, then 0..PAYOUTS_MAX payouts, the last one ending the round."""
        payouts = self._random(0, PAYOUTS_MAX)
        bet_minor = self._random(1, self.settings.bet_minor_max)
        bet = self._call(rnd, "bet", -bet_minor, amount_minor=bet_minor, isEndRound=payouts == 0)
        if bet.code is None:
            self._call(rnd, "cancel", 0)  # no answer: the studio cancels the round
            return
        if bet.code != 0:
            return
        for index in range(payouts):
            win_minor = self._random(0, 2 * bet_minor)
            last = index == payouts - 1
            turnover = number(bet_minor, self.settings.exponent)
            self._call(
                rnd, "payout", win_minor, amount_minor=win_minor, isEndRound=last, turnover=turnover
            )

    def _settle(self, rnd: Round) -> None:
        bet_minor = self._random(1, self.settings.bet_minor_max)
        win_minor = self._random(0, 3 * bet_minor)
        self._call(
            rnd, "settle", win_minor - bet_minor, amount_minor=win_minor, bet_minor=bet_minor
        )

    def _bet_then_cancel(self, rnd: Round) -> None:
        bet_minor = self._random(1, self.settings.bet_minor_max)
        bet = self._call(rnd, "bet", -bet_minor, amount_minor=bet_minor)
        if bet.code != 0 and bet.code is not None:
            return
        self._call(rnd, "cancel", bet_minor if bet.code == 0 else 0, amount_minor=bet_minor)

    def _orphan_cancel(self, rnd: Round) -> None:
        """A cancel that overtakes its bet: the bet that comes after it must be refused."""
        bet_minor = self._random(1, self.settings.bet_minor_max)
        self._call(rnd, "cancel", 0, amount_minor=bet_minor)
        self._call(rnd, "bet", -bet_minor, amount_minor=bet_minor)

    def _call(self, rnd: Round, operation: str, delta_minor: int, **extra: Any) -> Call:
        s = self.settings
        body = callback_fields(
            operation,
            rnd.username,
            rnd.round_id,
            agent_id=s.agent_id,
            game_id=rnd.game_id,
            currency=s.currency,
            exponent=s.exponent,
            **extra,
        )
        delivery = self._send(f"/ambslot/{operation}", body)
        code = None if delivery.answer is None else delivery.answer["status"]["code"]
        ext = str(body["transactionId"])
        call = Call(operation, ext, delta_minor, code, delivery.answer, delivery.attempts)
        rnd.calls.append(call)
        return call

    def _send(self, path: str, fields: Mapping[str, object]) -> Delivery:
        body = encode(fields)
        headers = {"x-amb-signature": sign(body, self.settings.key)} if self.settings.key else {}
        return deliver(
            self.client,
            path,
            body,
            headers=headers,
            attempts_max=self.settings.attempts_max,
            backoff_s=self.settings.backoff_s,
            unsettled=_unsettled,
        )

    def _random(self, low: int, high: int) -> int:
        with self._lock:
            return self.rng.randint(low, high)


def _unsettled(answer: dict[str, Any]) -> bool:
    """999 "service not available": our side failed, maybe after applying the call; the
    studio sends the same call again until it gets a definite answer."""
    status = answer.get("status") if isinstance(answer, dict) else None
    return isinstance(status, dict) and status.get("code") == 999


class LossyTransport(httpx.BaseTransport):
    """A network that loses some calls on the way in and some answers on the way back.

    A lost answer is the interesting case: the server acted, the studio does not know, and the
    same bytes arrive again. Use it for tests and chaos runs: httpx.Client(transport=...).
    """

    def __init__(self, loss: float, rng: random.Random, inner: httpx.BaseTransport | None = None):
        assert 0 <= loss < 1
        self.loss = loss
        self.rng = rng
        self.inner = inner or httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.lost_requests = 0
        self.lost_answers = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            roll = self.rng.random()
        if roll < self.loss / 2:
            with self._lock:
                self.lost_requests += 1
            raise httpx.ConnectError("simulated: the call was lost", request=request)
        response = self.inner.handle_request(request)
        if roll < self.loss:
            response.read()
            response.close()
            with self._lock:
                self.lost_answers += 1
            raise httpx.ReadTimeout("simulated: the answer was lost", request=request)
        return response

    def close(self) -> None:
        self.inner.close()
