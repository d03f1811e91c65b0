"""Concurrent game calls of one process, sent together: one statement, one commit, each call
with its own outcome (schema/functions/wallet_game_calls.sql).

No call waits for company: a call starts a batch of its own while fewer than `pipelines`
batches are in flight, and only calls that arrive while all pipelines are busy ride together
in the next one. So a quiet server answers as fast as unbatched, and a busy one amortizes the
round trip and the WAL flush over many calls.

If a batch fails with an error other than "database unavailable", its calls are run again one
by one: the batch's transaction rolled back, and a call that did commit before the connection
broke finds its idempotency key and answers as a replay, so running it again never posts twice.
"""

from __future__ import annotations

import asyncio
import functools
from collections import deque
from collections.abc import Sequence
from typing import Any

from wallet.ledger.calls import GameCall
from wallet.ledger.database import LedgerDB
from wallet.ledger.outcomes import LedgerAnswer, LedgerUnavailable

BATCH_MAX = 64

GAME_CALL_SQL = (
    "SELECT * FROM wallet_game_call(%s, %s, %s, %s, %s, %s, %s, %s, %s::smallint, %s, %s,"
    " %s, %s, %s, %s::text[], %s, %s::text[])"
)
_BATCH_SQL = (
    "SELECT ord, (answer).* FROM wallet_game_calls(%s::text[], %s::text[], %s::text[],"
    " %s::text[], %s::bytea[], %s::integer[], %s::text[], %s::text[], %s::smallint[],"
    " %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],"
    " %s::boolean[], %s::text[])"
)

Pending = tuple[GameCall, "asyncio.Future[LedgerAnswer]"]  # a call, its answer to come


def call_params(call: GameCall) -> tuple[Any, ...]:
    """The parameters of wallet_game_call, in its order."""
    return (
        call.caller,
        call.operation,
        call.kind.value,
        call.external_id,
        call.request_hash,
        call.operator_id,
        call.username,
        call.currency,
        call.amount_exponent,
        call.debit_minor,
        call.credit_minor,
        call.round_id,
        call.game_id,
        call.ref_id,
        text_array(call.ref_operations),
        call.close_round,
        text_array(call.rules),
    )


@functools.lru_cache(maxsize=64)  # a handful of constant sets, one per studio and operation
def text_array(items: tuple[str, ...] | frozenset[str]) -> str:
    """A text[] literal, elements sorted when unordered: cheaper to send than a list, which the
    driver inspects element by element on every call."""
    ordered = sorted(items) if isinstance(items, frozenset) else items
    quoted = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in ordered)
    return "{" + ",".join(quoted) + "}"


def batch_arrays(calls: Sequence[GameCall]) -> tuple[list[Any], ...]:
    """One array per parameter of wallet_game_call, in its order."""
    return (
        [c.caller for c in calls],
        [c.operation for c in calls],
        [c.kind.value for c in calls],
        [c.external_id for c in calls],
        [c.request_hash for c in calls],
        [c.operator_id for c in calls],
        [c.username for c in calls],
        [c.currency for c in calls],
        [c.amount_exponent for c in calls],
        [c.debit_minor for c in calls],
        [c.credit_minor for c in calls],
        [c.round_id for c in calls],
        [c.game_id for c in calls],
        [c.ref_id for c in calls],
        [",".join(c.ref_operations) for c in calls],
        [c.close_round for c in calls],
        [",".join(sorted(r.value for r in c.rules)) for c in calls],
    )


class GameBatcher:
    def __init__(self, db: LedgerDB, pipelines: int) -> None:
        assert pipelines >= 1
        self.db = db
        self.pipelines = pipelines
        self._queue: deque[Pending] = deque()
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, call: GameCall) -> LedgerAnswer:
        future: asyncio.Future[LedgerAnswer] = asyncio.get_running_loop().create_future()
        self._queue.append((call, future))
        if self._in_flight < self.pipelines:
            self._in_flight += 1
            task = asyncio.create_task(self._pipeline())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _pipeline(self) -> None:
        try:
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(BATCH_MAX, len(self._queue)))]
                await self._run(batch)
        finally:
            self._in_flight -= 1

    async def _run(self, batch: list[Pending]) -> None:
        try:
            answers = await self._execute([call for call, _ in batch])
        except LedgerUnavailable as error:
            for _, future in batch:
                _settle(future, error=error)
            return
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0][1], error=error)
                return
            for call, future in batch:  # isolate the call that failed from the others
                try:
                    _settle(future, answer=(await self._execute([call]))[0])
                except Exception as error:
                    _settle(future, error=error)
            return
        for (_, future), answer in zip(batch, answers, strict=True):
            _settle(future, answer=answer)

    async def _execute(self, calls: list[GameCall]) -> list[LedgerAnswer]:
        if len(calls) == 1:
            # A call alone (most calls, below saturation) skips the batch wrapper: fewer
            # parameters to encode here, one plpgsql loop less in the database.
            return [await call_alone(self.db, calls[0])]
        rows = await self.db.all(_BATCH_SQL, batch_arrays(calls))
        assert len(rows) == len(calls), "one answer per call"
        answers: list[LedgerAnswer | None] = [None] * len(calls)
        for row in rows:
            answers[int(row[0]) - 1] = LedgerAnswer.from_row(row[1:])
        assert all(a is not None for a in answers)
        return answers  # type: ignore[return-value]


def _settle(
    future: asyncio.Future[LedgerAnswer],
    answer: LedgerAnswer | None = None,
    error: BaseException | None = None,
) -> None:
    """Hand over an outcome, unless the caller stopped waiting (its request was cancelled)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert answer is not None
        future.set_result(answer)


async def call_alone(db: LedgerDB, call: GameCall) -> LedgerAnswer:
    """One call as its own statement: what a batch of many must agree with."""
    row = await db.one(GAME_CALL_SQL, call_params(call))
    assert row is not None, "wallet_game_call always returns a row"
    return LedgerAnswer.from_row(row)
