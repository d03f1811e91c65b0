"""Work a server process does beside its requests (the transfer reconciler, the webhook
delivery worker): started with the lifespan, cancelled and awaited when it ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any


@contextlib.asynccontextmanager
async def running(work: Coroutine[Any, Any, None] | None) -> AsyncIterator[None]:
    """Runs `work` (None: nothing) while the block runs; a stop cancels it and waits for it."""
    task = None if work is None else asyncio.create_task(work)
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
