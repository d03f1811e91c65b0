"""The ledger's one door to PostgreSQL: a statement in its own transaction (`one`, `all`), or
several in one unit of work (`async with db.transaction() as tx:`).

Connections come from a psycopg pool in autocommit mode, so a lone statement is one round trip
and its own transaction. A unit of work commits when its block ends and rolls back when the
block raises: nothing is ever undone by hand. A unit of work opened with `packed=True` spends no
round trip of its own on BEGIN and COMMIT: BEGIN goes with its first statement and COMMIT with
`tx.commit_with(last statement)`, each sent as one simple-protocol message with its parameters
bound here (the studio hot path: two round trips per batch of calls).

psycopg prepares a statement server-side after a few executions, which the hot path's few
statements reach at once. The ledger's SQL is written out, so there is nothing for a query
builder to build here; SQLAlchemy's async layer cost ~200 µs a statement over this pool (290 µs
against 90 µs measured on this machine), and it runs only the migrations.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

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


class Queries(Protocol):
    """What runs statements: the pool (each its own transaction) or a unit of work (`Tx`).
    Code that reads or writes takes this, so a caller decides whether it joins a larger unit."""

    async def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None: ...

    async def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]: ...


class Tx:
    """The statements of one unit of work, on its one connection."""

    def __init__(self, conn: Connection, packed: bool = False) -> None:
        self.conn = conn
        self.begun = not packed  # packed: BEGIN not sent yet, it goes with the first statement
        self.committed = False

    async def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        assert not self.committed, "a statement after commit_with"
        if not self.begun:
            self.begun = True
            return await self._packed(("BEGIN", self._bound(sql, params)))
        return await _rows(await self.conn.execute(sql, _args(params)))

    async def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params = ()) -> None:
        """A statement whose rows, if any, are not wanted."""
        await self.all(sql, params)

    async def commit_with(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """The last statement and the COMMIT in one round trip (a packed unit of work)."""
        assert not self.committed, "commit_with twice"
        parts = (self._bound(sql, params), "COMMIT")
        rows = await self._packed(parts if self.begun else ("BEGIN", *parts))
        self.begun = self.committed = True
        return rows

    async def finish(self, failed: bool) -> None:
        """End a packed unit of work: COMMIT what commit_with did not, or ROLLBACK."""
        if not self.begun or (self.committed and not failed) or self.conn.broken:
            return
        if self.conn.info.transaction_status != pq.TransactionStatus.IDLE:
            await self.conn.execute("ROLLBACK" if failed else "COMMIT")

    def _bound(self, sql: str, params: Params) -> str:
        return psycopg.AsyncClientCursor(self.conn).mogrify(sql, _args(params))

    async def _packed(self, statements: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """Several statements in one message (the simple protocol, which runs them in order and
        stops at the first error); the rows of the one that returns rows."""
        cursor = self.conn.cursor()
        await cursor.execute("; ".join(statements).encode())
        rows: list[tuple[Any, ...]] = []
        while True:
            rows += await _rows(cursor)
            if not cursor.nextset():
                return rows


def _args(params: Params) -> Params:
    return params if isinstance(params, Mapping) else tuple(params)


async def _rows(cursor: psycopg.AsyncCursor[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    # The result's status, not cursor.description, which builds column objects.
    result = cursor.pgresult
    has_rows = result is not None and result.status == pq.ExecStatus.TUPLES_OK
    return await cursor.fetchall() if has_rows else []


class LedgerDB:
    """Runs ledger statements over a pool that `open` starts and `dispose` closes."""

    def __init__(self, pool: Pool, pipelines: int = 2) -> None:
        self.pool = pool
        self.pipelines = pipelines  # game-call batches in flight at once (batching.py)
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
    async def transaction(self, packed: bool = False) -> AsyncIterator[Tx]:
        """One database transaction: committed when the block ends, rolled back if it raises."""
        async with self._connection() as conn:
            if not packed:
                async with conn.transaction():
                    yield Tx(conn)
                return
            tx = Tx(conn, packed=True)
            try:
                yield tx
            except BaseException:
                await tx.finish(failed=True)
                raise
            await tx.finish(failed=False)

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


@dataclass(frozen=True, slots=True)
class Listing:
    """A list to page through: `source` is the FROM and WHERE clauses its count and its rows
    share, `columns` and `order` its rows'. Optional: `counts`, more aggregates over the source
    beside its count; `before`, CTEs the statement starts with (one that marks the page read,
    say). Named parameters only: the source appears twice."""

    source: str
    columns: str
    order: str
    counts: tuple[str, ...] = ()
    before: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    total: int  # every row of the listing, counted on the page's own snapshot
    rows: list[tuple[Any, ...]]
    counts: tuple[Any, ...] = ()  # the listing's `counts`, in order


async def paged(
    db: Queries, listing: Listing, params: Mapping[str, Any], start: int, limit: int
) -> Page:
    """The rows [start, start + limit) of a listing and how many it has, in one statement: the
    count and the page read one snapshot, so they always agree. The count and the page are
    each planned on their own (no shared CTE to materialize), so the page keeps its index.
    The page's bounds are the parameters page_start and page_limit."""
    assert start >= 0 and limit > 0
    counts = "".join(f", {count}" for count in listing.counts)
    sql = f"""{f"WITH {listing.before}" if listing.before else ""}
        SELECT t.*, l.*
          FROM (SELECT count(*) AS total{counts} FROM {listing.source}) t
          LEFT JOIN LATERAL (SELECT {listing.columns} FROM {listing.source}
                              ORDER BY {listing.order} OFFSET %(page_start)s
                              LIMIT %(page_limit)s) l ON true"""
    rows = await db.all(sql, {**params, "page_start": start, "page_limit": limit})
    head = 1 + len(listing.counts)
    total, extra = int(rows[0][0]), tuple(rows[0][1:head])
    # An empty page is the counts' row joined to nothing: one row, NULL past the counts.
    if len(rows) == 1 and all(value is None for value in rows[0][head:]):
        return Page(total, [], extra)
    return Page(total, [row[head:] for row in rows], extra)


def contains(text: str) -> str:
    """An ILIKE pattern that matches `text` anywhere, its own % _ and \\ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def named_call(function: str, args: Mapping[str, Any]) -> str:
    """`function(p_a => %(a)s, p_b => %(b)s, ...)` for the keys of args (each argument is its
    parameter p_<key>): a long argument list is bound by name, never by its position."""
    return f"{function}(" + ", ".join(f"p_{name} => %({name})s" for name in args) + ")"
