"""The studio's five operations over httpx, each answer sorted into ok, failed or unknown.

Wire (ours to fix where the studio's field lists are not public): POST BASE/api/transfer/OP with
{"agent": AGENT, "data": CODEC(fields)}; the answer is JSON {"code": N, "message": ..., "data":
{...}}. Amounts travel as decimal text in the currency's decimals. HTTP 200 with code 0 is
success; HTTP 202 is a failed request (definite: the studio did not apply it), except codes 1
("error occurred") and 103 ("integration failure"), which do not say whether anything was
applied; HTTP 500, any other status, a timeout or a dropped connection is unknown. An unknown
answer is resent with the same transaction id (the studio answers a duplicate id with its
original answer) up to `retries` times, pausing with capped exponential backoff.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from wallet.config import TransferStudio
from wallet.ledger.money import AmountError, format_minor, parse_minor
from wallet.transfer.codec import Codec, make_codec

CODES = {
    0: "successful request",
    1: "error occured",
    2: "missing data",
    3: "invalid key",
    4: "data format error",
    5: "expired request",
    6: "invalid agent",
    9: "blocked user",
    100: "data value error",
    101: "permission denied",
    102: "insufficient balance",
    103: "integration failure",
}
UNCERTAIN_CODES = frozenset({1, 103})  # a 202 with these says nothing of what was applied
OPERATIONS = {
    "init": "account-init",
    "deposit": "account-deposit",
    "withdraw": "account-withdraw",
    "balance": "account-balance",
    "check": "check-transaction",
}
ANSWER_BYTES_MAX = 65536


class Verdict(StrEnum):
    OK = "ok"
    FAILED = "failed"  # definite: the studio did not apply it
    UNKNOWN = "unknown"  # may or may not have been applied: never a failure


@dataclass(frozen=True, slots=True)
class Answer:
    verdict: Verdict
    http_status: int | None
    code: int | None
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def amount_minor(self, key: str, exponent: int) -> int | None:
        """An amount of the answer's data in minor units; None when absent or malformed."""
        value = self.data.get(key)
        if not isinstance(value, str | int) or isinstance(value, bool):
            return None
        try:
            return parse_minor(str(value), exponent)
        except AmountError:
            return None


def classify(status: int, body: bytes) -> Answer:
    try:
        parsed = json.loads(body) if body else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    code = parsed.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    data = parsed.get("data")
    data = data if isinstance(data, dict) else {}
    detail = CODES.get(code, "no code") if code is not None else f"http {status}"
    if status == 200 and code == 0:
        return Answer(Verdict.OK, status, code, detail, data)
    if status == 202 and code is not None and code != 0 and code not in UNCERTAIN_CODES:
        return Answer(Verdict.FAILED, status, code, detail, data)
    return Answer(Verdict.UNKNOWN, status, code, detail, data)


def backoff_s(attempt: int, first_s: float, max_s: float) -> float:
    """The pause before resend number `attempt` (1, 2, ...): doubling, capped."""
    return float(min(max_s, first_s * 2 ** (attempt - 1)))


class StudioClient:
    def __init__(
        self, name: str, studio: TransferStudio, http: httpx.AsyncClient | None = None
    ) -> None:
        self.name = name
        self.studio = studio
        self.codec: Codec = make_codec(studio.codec, studio.key.get_secret_value())
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(studio.timeout_s))
        self._base = studio.base_url.rstrip("/")

    async def close(self) -> None:
        await self._http.aclose()

    async def init(self, username: str, currency: str) -> Answer:
        return await self._call("init", {"username": username, "currency": currency})

    async def deposit(
        self, username: str, currency: str, amount_minor: int, exponent: int, txn_id: str
    ) -> Answer:
        fields = {
            "username": username,
            "currency": currency,
            "amount": format_minor(amount_minor, exponent),
            "transaction_id": txn_id,
        }
        return await self._call("deposit", fields)

    async def withdraw(
        self, username: str, currency: str, amount_minor: int | None, exponent: int, txn_id: str
    ) -> Answer:
        """amount_minor None: withdraw all (the answer's data carries the amount taken)."""
        fields: dict[str, Any] = {
            "username": username,
            "currency": currency,
            "transaction_id": txn_id,
        }
        if amount_minor is None:
            fields["all"] = True
        else:
            fields["amount"] = format_minor(amount_minor, exponent)
        return await self._call("withdraw", fields)

    async def balance(self, username: str, currency: str) -> Answer:
        return await self._call("balance", {"username": username, "currency": currency})

    async def check(self, txn_id: str) -> Answer:
        """data: {"status": "success"|"failed"|"not_found", "type", "amount", ...}."""
        return await self._call("check", {"transaction_id": txn_id})

    async def _call(self, operation: str, fields: dict[str, Any]) -> Answer:
        attempt = 0
        while True:
            answer = await self._once(operation, fields)
            if answer.verdict != Verdict.UNKNOWN or attempt >= self.studio.retries:
                return answer
            attempt += 1
            pause = backoff_s(attempt, self.studio.backoff_s, self.studio.backoff_max_s)
            await asyncio.sleep(pause)

    async def _once(self, operation: str, fields: dict[str, Any]) -> Answer:
        url = f"{self._base}/api/transfer/{OPERATIONS[operation]}"
        body = {"agent": self.studio.agent, "data": self.codec.encode(self.studio.agent, fields)}
        try:
            response = await self._http.post(url, json=body)
        except httpx.TimeoutException as error:
            return Answer(Verdict.UNKNOWN, None, None, f"timeout ({type(error).__name__})")
        except httpx.TransportError as error:
            return Answer(Verdict.UNKNOWN, None, None, f"connection ({type(error).__name__})")
        return classify(response.status_code, response.content[:ANSWER_BYTES_MAX])
