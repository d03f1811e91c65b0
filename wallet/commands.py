"""What every `wallet` command shares: its refusal (CommandError: `wallet: message` on stderr,
exit 2, caught once in wallet/cli.py's main) and its way to the ledger (the database started
if embedded, migrated, a small pool for the statements one command runs one after another)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from wallet.config import Settings
from wallet.db import database, make_ledger_db
from wallet.ledger.database import LedgerDB
from wallet.migrations import migrate

T = TypeVar("T")
COMMAND_POOL_SIZE = 2


class CommandError(Exception):
    """A clear message for the operator; the command exits 2."""


def with_ledger(settings: Settings, url: str, work: Callable[[LedgerDB], Awaitable[T]]) -> T:
    """`work` on the ledger at url (already migrated)."""
    small = settings.model_copy(update={"db_pool_size": COMMAND_POOL_SIZE})

    async def run() -> T:
        db = await make_ledger_db(url, small).open()
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def on_ledger(settings: Settings, work: Callable[[LedgerDB], Awaitable[T]]) -> T:
    """`work` on the settings' ledger, migrated first."""
    with database(settings) as url:
        migrate(url)
        return with_ledger(settings, url, work)


def print_line(settings: Settings, work: Callable[[LedgerDB], Awaitable[str]]) -> int:
    """A command whose work answers its one line of output."""
    print(on_ledger(settings, work))
    return 0
