"""The ledger's one door to PostgreSQL: each call is one statement in its own transaction.

Connections come from a psycopg pool in autocommit mode, so a statement is one round trip and
its own transaction. psycopg prepares a statement server-side after a few executions, which the
hot path's few statements reach at once. The ledger's SQL lives in PostgreSQL functions, so there
is nothing for a query builder to build here; SQLAlchemy's async layer cost ~200 µs a statement
over this pool (290 µs against 90 µs measured on this machine), and it runs only the migrations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import pq
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from wallet.ledger.outcomes import LedgerUnavailable

# A statement's arguments: in order (%s), or by name (%(name)s), as psycopg takes them.
Params = Sequence[Any] | Mapping[str, Any]

# Errors that mean "the database is not there right now" (or a connection broke, a statement or
# lock timed out), as opposed to a bug of ours. PoolTimeout is an OperationalError too.
_UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError, TimeoutError, OSError)

FAILING_WAIT_S = 0.05

Pool = AsyncConnectionPool[psycopg.AsyncConnection[tuple[Any, ...]]]


class LedgerDB:
    """Runs ledger statements over a pool that `open` starts and `dispose` closes."""

    def __init__(self, pool: Pool, pipelines: int = 0) -> None:
        self.pool = pool
        # Batches in flight at once (0: most of the pool, leaving room for reads and health).
        self.pipelines = pipelines or max(1, pool.max_size * 3 // 4)
        self._checking: asyncio.Task[None] | None = None
        # Set when the database was found missing, cleared by the next statement that runs:
        # meanwhile a caller waits FAILING_WAIT_S for a connection, not the whole pool timeout,
        # so calls queued behind a failure answer "unavailable" at once rather than one pool
        # timeout after another. Still asking the pool (not refusing outright) lets it notice
        # the database's return and reconnect.
        self._failing = False

    async def open(self) -> LedgerDB:
        # No wait: a server may start while its database is still down and answer "unavailable".
        await self.pool.open(wait=False)
        return self

    async def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        wait = FAILING_WAIT_S if self._failing else None
        try:
            async with self.pool.connection(wait) as conn:
                try:
                    args = params if isinstance(params, Mapping) else tuple(params)
                    cursor = await conn.execute(sql, args)
                    # The result's status, not cursor.description, which builds column objects.
                    result = cursor.pgresult
                    has_rows = result is not None and result.status == pq.ExecStatus.TUPLES_OK
                    rows = await cursor.fetchall() if has_rows else []
                except _UNAVAILABLE:
                    if conn.broken:  # not a statement or lock timeout: the server went away
                        self._failing = True
                        self._check_idle_connections()
                    raise
        except PoolTimeout as error:
            self._failing = True
            raise LedgerUnavailable(type(error).__name__) from error
        except _UNAVAILABLE as error:
            raise LedgerUnavailable(type(error).__name__) from error
        self._failing = False
        return rows

    def _check_idle_connections(self) -> None:
        """One broken connection hints that the idle ones broke too (the server restarted):
        have the pool test and replace them, so they do not fail the next calls one by one."""
        if self._checking is None or self._checking.done():
            self._checking = asyncio.create_task(self.pool.check())

    async def ping(self) -> bool:
        try:
            return await self.one("SELECT 1") == (1,)
        except LedgerUnavailable:
            return False

    async def dispose(self) -> None:
        if self._checking is not None:
            await asyncio.gather(self._checking, return_exceptions=True)
        await self.pool.close()
