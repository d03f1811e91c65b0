"""A TCP proxy in front of PostgreSQL that loses the server's replies on demand.

The server under test connects through it. When a reply is lost, the proxy closes both sides
of that connection: PostgreSQL has already run (and, in autocommit, committed) the statement,
but our server never sees the answer. That is the "connection lost after COMMIT" of a real
network, reproduced without touching the server's code.
"""

from __future__ import annotations

import asyncio
import random
import threading
from contextlib import suppress
from pathlib import Path

SETUP_CHUNKS = 3  # the first replies on a connection are the handshake: let them through


class LossyPgProxy:
    def __init__(self, unix_socket: Path, loss: float, seed: int = 7) -> None:
        self.unix_socket = unix_socket
        self.loss = loss
        self.rng = random.Random(seed)
        self.lost_replies = 0
        self.connections = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> LossyPgProxy:
        self._thread.start()
        assert self._ready.wait(10), "proxy did not start"
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            server_r, server_w = await asyncio.open_unix_connection(str(self.unix_socket))
        except OSError:
            client_w.close()
            return
        upstream = asyncio.ensure_future(self._pipe(client_r, server_w, lossy=False))
        downstream = asyncio.ensure_future(self._pipe(server_r, client_w, lossy=True))
        await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        for task in (upstream, downstream):
            task.cancel()
        for writer in (client_w, server_w):
            writer.close()
            with suppress(Exception):
                await writer.wait_closed()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, lossy: bool
    ) -> None:
        chunks = 0
        while data := await reader.read(65536):
            chunks += 1
            if lossy and chunks > SETUP_CHUNKS and self.rng.random() < self.loss:
                self.lost_replies += 1
                return  # drop this reply and hang up
            writer.write(data)
            await writer.drain()
