"""The transfer-wallet part of the server's lifespan: one client per configured studio, and
the background reconciler (TRANSFER_RECONCILE_INTERVAL_S; 0: none)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from wallet.context import Context
from wallet.transfer.client import StudioClient
from wallet.transfer.reconciler import run_forever


@contextlib.asynccontextmanager
async def transfer_wallet(app: Starlette, ctx: Context) -> AsyncIterator[None]:
    settings = ctx.settings
    clients = {
        name: StudioClient(name, studio) for name, studio in settings.transfer_studios.items()
    }
    app.state.transfer_clients = clients
    task: asyncio.Task[None] | None = None
    if clients and settings.transfer_reconcile_interval_s > 0:
        task = asyncio.create_task(
            run_forever(ctx.db, clients, settings.transfer_reconcile_interval_s)
        )
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for client in clients.values():
            await client.close()
