"""The ledger's one door to PostgreSQL: a statement in its own transaction (`one`, `all`), or
several in one unit of work (`async with db.transaction() as tx:`).

Connections come from a psycopg pool in autocommit mode, so a lone statement is one round trip
and its own transaction. A unit of work commits when its block ends and rolls back when the
block raises: nothing is ever undone by hand. In pipeline mode (`transaction(pipeline=True)`)
its statements are sent without waiting for each other's results: BEGIN rides with the first
statement, COMMIT with the last, and a fetch is the only thing that waits for the server.

psycopg prepares a statement server-side after a few executions, which the hot path's few
statements reach at once. The ledger's SQL is written out, so there is nothing for a query
builder to build here; SQLAlchemy's async layer cost ~200 µs a statement
over this pool (290 µs against 90 µs measured on this machine), and it runs only the migrations.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
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
Connection = psycopg.AsyncConnection[tuple[Any, ...]]


class Tx:
    """The statements of one unit of work, on its one connection."""

    def __init__(self, conn: Connection, pipeline: psycopg.AsyncPipeline | None = None) -> None:
        self.conn = conn
        self.pipeline = pipeline

    async def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        cursor = await self.conn.execute(sql, _args(params))
        if self.pipeline is not None:
            await self.pipeline.sync()  # its result, and those of what was sent before it
        return await _rows(cursor)

    async def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params = ()) -> None:
        """A statement whose rows, if any, are not wanted (in a pipeline: not waited for)."""
        await self.conn.execute(sql, _args(params))

    def cursor(self) -> psycopg.AsyncCursor[tuple[Any, ...]]:
        """A cursor of its own, for a pipeline that reads several results after one sync."""
        return self.conn.cursor()


def _args(params: Params) -> Params:
    return params if isinstance(params, Mapping) else tuple(params)


async def _rows(cursor: psycopg.AsyncCursor[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    # The result's status, not cursor.description, which builds column objects.
    result = cursor.pgresult
    has_rows = result is not None and result.status == pq.ExecStatus.TUPLES_OK
    return await cursor.fetchall() if has_rows else []


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
        async with self._connection() as conn:
            return await _rows(await conn.execute(sql, _args(params)))

    @asynccontextmanager
    async def transaction(self, pipeline: bool = False) -> AsyncIterator[Tx]:
        """One database transaction: committed when the block ends, rolled back if it raises."""
        async with self._connection() as conn:
            if not pipeline:
                async with conn.transaction():
                    yield Tx(conn)
                return
            async with conn.pipeline() as sent_together, conn.transaction():
                yield Tx(conn, sent_together)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        """A pooled connection; the database's absence is LedgerUnavailable, whenever found."""
        wait = FAILING_WAIT_S if self._failing else None
        try:
            async with self.pool.connection(wait) as conn:
                try:
                    yield conn
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
