"""Concurrent game calls of one process, sent together: one database transaction per batch,
each call with its own outcome (game_store.py writes a batch, game_rules.py judges its calls).

No call waits for company: a call starts a batch of its own while fewer than `pipelines`
batches are in flight, and only calls that arrive while all pipelines are busy ride together
in the next one. So a quiet server answers as fast as unbatched, and a busy one amortizes the
round trips, the statements and the WAL flush over many calls.

If a batch fails with an error other than "database unavailable", its calls are run again one
by one: the batch's transaction rolled back, and a call that did commit before the connection
broke finds its idempotency key and answers as a replay, so running it again never posts twice.
"""

from __future__ import annotations

import asyncio
from collections import deque

from wallet.ledger.calls import GameCall
from wallet.ledger.database import LedgerDB
from wallet.ledger.game_store import SystemAccounts, run_batch
from wallet.ledger.outcomes import LedgerAnswer, LedgerUnavailable

BATCH_MAX = 64

Pending = tuple[GameCall, "asyncio.Future[LedgerAnswer]"]  # a call, its answer to come


class GameBatcher:
    def __init__(self, db: LedgerDB, pipelines: int) -> None:
        assert pipelines >= 1
        self.db = db
        self.pipelines = pipelines
        self.system_accounts: SystemAccounts = {}  # this database's, learnt as they are met
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
        answers = await run_batch(self.db, calls, self.system_accounts)
        assert len(answers) == len(calls), "one answer per call"
        return answers


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
    """One call as a batch of its own: what a batch of many must agree with."""
    return (await run_batch(db, [call], {}))[0]
