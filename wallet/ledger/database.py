"""The ledger's one door to PostgreSQL: each call is one statement in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncEngine

from wallet.ledger.outcomes import LedgerUnavailable

# Errors that mean "the database is not there right now", as opposed to a bug of ours.
_UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, TimeoutError, OSError)


class LedgerDB:
    """Runs ledger statements. Autocommit: the statement is the transaction (one round trip)."""

    def __init__(self, engine: AsyncEngine, pipelines: int = 0) -> None:
        self.engine = engine
        # Batches in flight at once (0: most of the pool, leaving room for reads and health).
        pool_size = getattr(engine.pool, "size", lambda: 4)()
        self.pipelines = pipelines or max(1, pool_size * 3 // 4)
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        rows = await self.all(sql, params)
        return rows[0] if rows else None

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            async with self._autocommit.connect() as conn:
                result = await conn.exec_driver_sql(sql, tuple(params))
                return [tuple(row) for row in result.fetchall()] if result.returns_rows else []
        except _UNAVAILABLE as error:
            raise LedgerUnavailable(type(error).__name__) from error
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                raise LedgerUnavailable(type(error).__name__) from error
            raise

    async def ping(self) -> bool:
        try:
            return await self.one("SELECT 1") == (1,)
        except LedgerUnavailable:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
