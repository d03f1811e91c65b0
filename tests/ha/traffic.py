"""Traffic besides the studio storm (tests/chaos/harness.py) while the database fails over: a
prober that bets at AMBSlot every 50 ms (when did play come back?), and a cashier and an agent
depositing under idempotency keys. Each of them sends a request again, under the same id or key,
until it gets a definite answer, as their clients do; what was acknowledged is kept for the
ledger to be checked against."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from loadtest.studios import ambslot

PROBE_MINOR = 100  # each probe is a bet of 1.00
DEPOSIT = 1  # each deposit is 1.00 in the currency (a JSON number, as the APIs take it)
PATIENCE_S = 60.0  # the longest a request is sent again before the test gives up on it


@dataclass(frozen=True, slots=True)
class Probe:
    transaction_id: str
    sent_at: float  # first sending, monotonic
    answered_at: float  # the definite answer, monotonic
    code: int


@dataclass
class Prober:
    """AMBSlot bets of PROBE_MINOR for one player, each until an answer other than 999."""

    base_url: str
    username: str
    probes: list[Probe] = field(default_factory=list)
    unavailable: int = 0  # attempts answered 999 or not at all (each sent again)
    slowest_unavailable_s: float = 0.0  # the longest such attempt took

    def run(self, stop: threading.Event) -> None:
        with httpx.Client(base_url=self.base_url, timeout=3) as client:
            while not stop.is_set():
                self.probes.append(self._probe(client))
                time.sleep(0.05)

    def _probe(self, client: httpx.Client) -> Probe:
        fields = ambslot.callback_fields(
            "bet", self.username, secrets.token_hex(8), amount_minor=PROBE_MINOR
        )
        sent_at, deadline = time.monotonic(), time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            attempt = time.monotonic()
            try:
                code = int(ambslot.post(client, "bet", fields).json()["status"]["code"])
            except (httpx.HTTPError, ValueError):
                code = 999  # no answer: the same call again
            if code != 999:
                return Probe(str(fields["transactionId"]), sent_at, time.monotonic(), code)
            self.unavailable += 1
            took = time.monotonic() - attempt
            self.slowest_unavailable_s = max(self.slowest_unavailable_s, took)
            time.sleep(0.05)
        raise AssertionError(f"probe {fields['transactionId']} unanswered for {PATIENCE_S} s")

    def acknowledged(self) -> list[Probe]:
        return [p for p in self.probes if p.code == 0]

    def first_success_after(self, moment: float) -> float | None:
        """When the first bet sent after `moment` was answered 0 (monotonic), if one was."""
        times = [p.answered_at for p in self.probes if p.code == 0 and p.sent_at > moment]
        return min(times, default=None)


@dataclass
class Depositor:
    """Deposits of DEPOSIT through one API, each under a fresh idempotency key and sent again
    with it until answered 200. `send(key)` makes one attempt; `unavailable(answer)` says
    whether an answer means "not now" (the database is away). Anything else fails the test."""

    name: str
    send: Callable[[str], httpx.Response]
    unavailable: Callable[[httpx.Response], bool]
    acknowledged: list[str] = field(default_factory=list)  # keys answered 200
    retried: int = 0

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            key = secrets.token_hex(12)
            self._deposit(key)
            self.acknowledged.append(key)
            time.sleep(0.05)

    def _deposit(self, key: str) -> None:
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            try:
                answer = self.send(key)
            except httpx.HTTPError:
                answer = None  # no answer: the same request again
            if answer is not None and answer.status_code == 200:
                return
            if answer is not None and not self.unavailable(answer):
                raise AssertionError(f"{self.name} deposit: {answer.status_code} {answer.text}")
            self.retried += 1
            time.sleep(0.05)
        raise AssertionError(f"{self.name} deposit {key} unanswered for {PATIENCE_S} s")


@contextmanager
def running(*workers: Prober | Depositor) -> Iterator[None]:
    """Each worker in a thread until the block ends; a worker's failure fails the test."""
    stop, failures = threading.Event(), []

    def guarded(worker: Prober | Depositor) -> None:
        try:
            worker.run(stop)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(PATIENCE_S + 10)
    assert not failures, failures
