"""What every `wallet` command shares: its refusal (CommandError: `wallet: message` on stderr,
exit 2, caught once in wallet/cli.py's main) and its way to the ledger (the database started
if embedded, migrated, a small pool for the statements one command runs one after another)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from wallet.config import Settings
from wallet.db import database, make_ledger_db
from wallet.ledger.database import LedgerDB
from wallet.migrations import migrate

T = TypeVar("T")
COMMAND_POOL_SIZE = 2
LIST_LIMIT_MAX = 10_000


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


def utc_text(at: datetime | None) -> str:
    """A moment as the commands print it: UTC, to the second (2026-12-08T09:30:00Z); '-': none."""
    return "-" if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_limit(text: str) -> int:
    """A list command's --limit: 1 to LIST_LIMIT_MAX (argparse refuses anything else, exit 2)."""
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError("a whole number") from error
    if not 1 <= value <= LIST_LIMIT_MAX:
        raise argparse.ArgumentTypeError(f"from 1 to {LIST_LIMIT_MAX}")
    return value
