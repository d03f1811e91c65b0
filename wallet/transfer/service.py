"""The transfer-wallet part of the server's lifespan: one client per configured studio, and
the background reconciler (TRANSFER_RECONCILE_INTERVAL_S; 0: none)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from wallet.background import running
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
    interval_s = settings.transfer_reconcile_interval_s
    reconciling = run_forever(ctx.db, clients, interval_s) if clients and interval_s > 0 else None
    try:
        async with running(reconciling):
            yield
    finally:
        for client in clients.values():
            await client.close()
