"""A transfer-wallet studio of our own (`wallet studio-sim --port P`), for tests and trials.

It keeps its players' balances and its transactions in its own store (this process's memory)
and speaks the wire of client.py. Deposits and withdrawals can be told how to answer, per call
(a queue: POST /sim/control {"next": [...]}, taken one per money call) or by rate
({"rates": {"timeout_after": 0.05, ...}, "seed": 1}):

    ok              apply, answer success
    fail            do not apply, answer 202 code 100 (a definite failure)
    timeout_after   apply, then hang for hang_s (the caller times out after the studio applied)
    timeout_before  hang for hang_s, then answer 500 without applying
    error_500       do not apply, answer 500
    error_500_after apply, answer 500
    duplicate       apply, answer as to a resent transaction id (the original answer, marked)
    slow            wait slow_s, then apply and answer success

Check Transaction can be told too ({"check_next": [...]}: a timeout or a 500 instead of the
state; "ok" answers). A resent transaction id always gets the original answer and applies
nothing. {"clear": true} forgets the queues, rates and blocks ({"block": [USER]}: code 9 for
the user); "hang_s" and "slow_s" set the pauses. GET /sim/state shows the store; POST
/sim/reset empties it.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wallet.ledger.money import AmountError, format_minor, parse_minor
from wallet.transfer.codec import Codec, CodecError

BEHAVIOURS = (
    "ok",
    "fail",
    "timeout_after",
    "timeout_before",
    "error_500",
    "error_500_after",
    "duplicate",
    "slow",
)
EXPONENTS = {
    "KRW": 0, "USD": 2, "JPY": 0, "CNY": 2, "PHP": 2,
    "HKD": 2, "THB": 2, "VND": 0, "BDT": 2, "INR": 2,
}  # fmt: skip
QUEUE_MAX = 10_000


@dataclass
class Store:
    balances: dict[tuple[str, str], int] = field(default_factory=dict)  # (user, currency)
    blocked: set[str] = field(default_factory=set)
    # transaction id -> (request fields, stored answer body, applied?)
    transactions: dict[str, tuple[dict[str, Any], dict[str, Any], bool]] = field(
        default_factory=dict
    )
    queue: list[str] = field(default_factory=list)
    check_queue: list[str] = field(default_factory=list)  # answers to Check Transaction
    rates: dict[str, float] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    hang_s: float = 30.0
    slow_s: float = 0.3
    calls: int = 0

    def behaviour(self) -> str:
        if self.queue:
            return self.queue.pop(0)
        roll = self.rng.random()
        for name, rate in sorted(self.rates.items()):
            if roll < rate:
                return name
            roll -= rate
        return "ok"


def _answer(code: int, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": "successful request" if code == 0 else "failed request",
            "data": data or {}}  # fmt: skip


def _reply(body: dict[str, Any]) -> Response:
    return JSONResponse(body, status_code=200 if body["code"] == 0 else 202)


class Simulator:
    def __init__(self, agent: str, codec: Codec) -> None:
        self.agent = agent
        self.codec = codec
        self.store = Store()

    def app(self) -> Starlette:
        ops = {
            "account-init": self.init,
            "account-deposit": self.deposit,
            "account-withdraw": self.withdraw,
            "account-balance": self.balance,
            "check-transaction": self.check,
        }
        routes = [Route(f"/api/transfer/{name}", self._endpoint(op), methods=["POST"])
                  for name, op in ops.items()]  # fmt: skip
        routes += [
            Route("/sim/control", self.control, methods=["POST"]),
            Route("/sim/state", self.state, methods=["GET"]),
            Route("/sim/reset", self.reset, methods=["POST"]),
        ]
        return Starlette(routes=routes)

    def _endpoint(self, op: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            self.store.calls += 1
            try:
                body = json.loads(await request.body())
                if not isinstance(body, dict) or body.get("agent") != self.agent:
                    return _reply(_answer(6))
                fields = self.codec.decode(self.agent, str(body.get("data", "")))
            except (json.JSONDecodeError, UnicodeDecodeError):
                return _reply(_answer(4))
            except CodecError:
                return _reply(_answer(3))
            result: Response = await op(fields)
            return result

        return endpoint

    def _account(self, fields: dict[str, Any]) -> tuple[str, str] | None:
        user, currency = fields.get("username"), fields.get("currency")
        if not isinstance(user, str) or not user or currency not in EXPONENTS:
            return None
        return user, str(currency)

    async def init(self, fields: dict[str, Any]) -> Response:
        account = self._account(fields)
        if account is None:
            return _reply(_answer(2))
        created = account not in self.store.balances
        self.store.balances.setdefault(account, 0)
        return _reply(_answer(0, {"created": created}))

    async def balance(self, fields: dict[str, Any]) -> Response:
        account = self._account(fields)
        if account is None:
            return _reply(_answer(2))
        if account not in self.store.balances:
            return _reply(_answer(100, {"reason": "no such account"}))
        exponent = EXPONENTS[account[1]]
        return _reply(_answer(0, {"balance": format_minor(self.store.balances[account], exponent)}))

    async def check(self, fields: dict[str, Any]) -> Response:
        txn_id = fields.get("transaction_id")
        if not isinstance(txn_id, str) or not txn_id:
            return _reply(_answer(2))
        behaviour = self.store.check_queue.pop(0) if self.store.check_queue else "ok"
        if behaviour in ("timeout_before", "timeout_after"):
            await asyncio.sleep(self.store.hang_s)
        if behaviour != "ok":
            return JSONResponse(_answer(1), status_code=500)
        known = self.store.transactions.get(txn_id)
        if known is None:
            return _reply(_answer(0, {"transaction_id": txn_id, "status": "not_found"}))
        request, original, applied = known
        data = {**original["data"], "transaction_id": txn_id, "type": request["type"],
                "status": "success" if applied else "failed", "code": original["code"]}  # fmt: skip
        return _reply(_answer(0, data))

    async def deposit(self, fields: dict[str, Any]) -> Response:
        return await self._money(fields, "deposit")

    async def withdraw(self, fields: dict[str, Any]) -> Response:
        return await self._money(fields, "withdraw")

    async def _money(self, fields: dict[str, Any], kind: str) -> Response:
        txn_id = fields.get("transaction_id")
        account = self._account(fields)
        if not isinstance(txn_id, str) or not txn_id or account is None:
            return _reply(_answer(2))
        if txn_id in self.store.transactions:
            return _reply(self.store.transactions[txn_id][1])
        behaviour = self.store.behaviour()
        if behaviour in ("timeout_before", "error_500"):
            if behaviour == "timeout_before":
                await asyncio.sleep(self.store.hang_s)
            return JSONResponse(_answer(1), status_code=500)
        if behaviour == "fail":
            return _reply(self._record(txn_id, kind, fields, _answer(100, {"reason": "told"})))
        if behaviour == "slow":
            await asyncio.sleep(self.store.slow_s)
            if txn_id in self.store.transactions:  # resent meanwhile
                return _reply(self.store.transactions[txn_id][1])
        body = self._apply(txn_id, kind, fields, account)
        if behaviour == "timeout_after":
            await asyncio.sleep(self.store.hang_s)
        if behaviour == "error_500_after":
            return JSONResponse(_answer(1), status_code=500)
        if behaviour == "duplicate" and body["code"] == 0:
            body = {**body, "data": {**body["data"], "duplicate": True}}
        return _reply(body)

    def _record(
        self, txn_id: str, kind: str, fields: dict[str, Any], body: dict[str, Any]
    ) -> dict[str, Any]:
        self.store.transactions[txn_id] = ({**fields, "type": kind}, body, body["code"] == 0)
        return body

    def _apply(
        self, txn_id: str, kind: str, fields: dict[str, Any], account: tuple[str, str]
    ) -> dict[str, Any]:
        """Checks and applies at once (no await between): one call at a time per account."""
        exponent = EXPONENTS[account[1]]
        if account not in self.store.balances:
            return self._record(txn_id, kind, fields, _answer(100, {"reason": "no account"}))
        if account[0] in self.store.blocked:
            return self._record(txn_id, kind, fields, _answer(9))
        balance = self.store.balances[account]
        if kind == "withdraw" and fields.get("all") is True:
            amount = balance
        else:
            try:
                amount = parse_minor(str(fields.get("amount", "")), exponent)
            except AmountError:
                return self._record(txn_id, kind, fields, _answer(4))
            if amount <= 0:
                return self._record(txn_id, kind, fields, _answer(100))
        if kind == "withdraw" and amount > balance:
            return self._record(txn_id, kind, fields, _answer(102))
        balance += amount if kind == "deposit" else -amount
        self.store.balances[account] = balance
        data = {"transaction_id": txn_id, "amount": format_minor(amount, exponent),
                "balance": format_minor(balance, exponent)}  # fmt: skip
        return self._record(txn_id, kind, fields, _answer(0, data))

    async def control(self, request: Request) -> Response:
        order = json.loads(await request.body())
        if not isinstance(order, dict):
            return JSONResponse({"error": "an object"}, status_code=400)
        told = [*order.get("next", []), *order.get("rates", {}), *order.get("check_next", [])]
        unknown = [b for b in told if b not in BEHAVIOURS]
        if unknown:
            return JSONResponse({"error": f"unknown behaviours {unknown}"}, status_code=400)
        store = self.store
        if order.get("clear"):  # forget the queue, the rates and the blocks; keep the money
            store.queue, store.check_queue, store.rates, store.blocked = [], [], {}, set()
        store.queue = (store.queue + list(order.get("next", [])))[:QUEUE_MAX]
        store.check_queue = (store.check_queue + list(order.get("check_next", [])))[:QUEUE_MAX]
        if "rates" in order:
            store.rates = {str(k): float(v) for k, v in order["rates"].items()}
        if "seed" in order:
            store.rng.seed(order["seed"])
        for name in ("hang_s", "slow_s"):
            if name in order:
                setattr(store, name, float(order[name]))
        for user in order.get("block", []):
            store.blocked.add(str(user))
        return JSONResponse({"queue": len(store.queue), "rates": store.rates})

    async def state(self, request: Request) -> Response:
        store = self.store
        return JSONResponse({
            "balances": {f"{u}/{c}": format_minor(v, EXPONENTS[c])
                         for (u, c), v in store.balances.items()},
            "balances_minor": {f"{u}/{c}": v for (u, c), v in store.balances.items()},
            "transactions": {t: {"type": r["type"], "applied": a}
                             for t, (r, _, a) in store.transactions.items()},
            "queue": store.queue, "calls": store.calls,
        })  # fmt: skip

    async def reset(self, request: Request) -> Response:
        self.store = Store()
        return JSONResponse({"reset": True})
