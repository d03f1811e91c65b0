"""Test plumbing: a throwaway database, an event loop for the async ledger, real servers."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import httpx
import psycopg

from wallet.config import ROOT_DIR, Settings
from wallet.db import embedded_url, make_ledger_db, stop_embedded
from wallet.ledger.database import LedgerDB

if TYPE_CHECKING:  # importing it warns (starlette prefers httpx2); only offline_client needs it
    from starlette.testclient import TestClient

T = TypeVar("T")
# WALLET_TEST_DATA_DIR: another place for the suite's embedded server (tests/test_suite_database.py
# runs the suite's plumbing in a subprocess on a directory of its own).
TEST_DATA_DIR = Path(os.environ.get("WALLET_TEST_DATA_DIR") or ROOT_DIR / ".data" / "test")
USERS_DIRNAME = "users"  # under the data dir: one file per live test process using the server


def server_url(data_dir: Path = TEST_DATA_DIR) -> str:
    """The PostgreSQL server tests use: DATABASE_URL's, else an embedded one of their own,
    started on demand; this process is then one of its users (see release_embedded)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    users = data_dir / USERS_DIRNAME
    users.mkdir(parents=True, exist_ok=True)
    (users / str(os.getpid())).touch()
    return embedded_url(data_dir)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_embedded(data_dir: Path = TEST_DATA_DIR) -> bool:
    """At the end of a test run (passed, failed or interrupted): this process stops using the
    embedded server under data_dir, and stops it when no other live test process uses it (two
    runs in one checkout share it; the last one out stops it). True when it was stopped."""
    users = data_dir / USERS_DIRNAME
    if not (users / str(os.getpid())).exists():
        return False  # this run never started or used it
    (users / str(os.getpid())).unlink()
    for user in users.iterdir():
        if user.name.isdigit() and _alive(int(user.name)):
            return False
        user.unlink(missing_ok=True)  # a run that died without releasing
    stop_embedded(data_dir)
    return True


def _with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    base, sep, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.partition("/")[0]
    return f"{scheme}://{authority}/{name}{sep}{query}"


@contextmanager
def throwaway_database(data_dir: Path = TEST_DATA_DIR) -> Iterator[str]:
    admin_url = server_url(data_dir)
    name = f"wallet_test_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class LoopThread:
    """One event loop in a background thread, so sync tests (and hypothesis) can await."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


def make_ledger(url: str, loop: LoopThread, pool_size: int = 30) -> LedgerDB:
    settings = Settings(database_url=url, db_pool_size=pool_size)

    async def build() -> LedgerDB:
        return await make_ledger_db(url, settings).open()

    return loop.run(build())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SECRET_SETTINGS = ("AMBSLOT_KEY", "IGAMINGACE_SECRET", "API_JWT_SECRET", "METRICS_TOKEN")
LOG_DIR = TEST_DATA_DIR.parent / "logs"


class Server:
    """A real `wallet serve` process on a free port; its output goes to a log file that the
    suite searches for secrets at the end (see conftest.py)."""

    started: ClassVar[list[Server]] = []  # every server of this run, for the log check
    # Secrets tests made for the servers (API keys, cashier passwords, tokens): no log has them.
    extra_secrets: ClassVar[set[str]] = set()

    def __init__(self, db_url: str, env: Mapping[str, str] | None = None, workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = LOG_DIR / f"server-{os.getpid()}-{self.port}-{secrets.token_hex(3)}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        Server.started.append(self)
        self.env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "WEB_CONCURRENCY": str(workers),
            # Test servers share one database: only a webhook test's own server delivers (with
            # its fast retry settings), so no other server's worker takes its deliveries.
            "WEBHOOK_DELIVERY_ENABLED": "false",
            # The receivers of the webhook tests listen on loopback, over plain http; the guard
            # that refuses them by default has tests of its own (tests/webhooks/).
            "WEBHOOK_ALLOW_PRIVATE": "true",
            "WEBHOOK_ALLOW_HTTP": "true",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wallet.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT_DIR,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become healthy in 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_text(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def settled_log(self, timeout: float = 5) -> str:
        """The log once every request answered so far is in it. A line is written just after
        its answer is sent, so reading at once can miss the last one: a marked /health request
        goes last, and its line is awaited."""
        marker = f"logmark-{secrets.token_hex(6)}"
        httpx.get(f"{self.base_url}/health", headers={"x-request-id": marker}, timeout=5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            if marker in text:
                return text
            time.sleep(0.02)
        raise AssertionError("the server's log did not catch up with its answers")

    def secrets(self) -> list[str]:
        """The secret values this server was configured with (demo defaults included)."""
        from wallet.config import Settings

        defaults = Settings()
        values = [self.env.get(name, "") for name in SECRET_SETTINGS]
        values += [
            defaults.ambslot_key.get_secret_value(),
            defaults.igamingace_secret.get_secret_value(),
            *Server.extra_secrets,
        ]
        return sorted({v for v in values if len(v) >= 6})


OFFLINE_DATABASE_URL = "postgresql://nobody@127.0.0.1:1/none"  # a closed port: always down


@contextmanager
def offline_client(
    settings: Settings | None = None, client: tuple[str, int] | None = None
) -> Iterator[TestClient]:
    """A TestClient of the app over a database that is not there. The app's own lifespan (which
    would load the context from the database) is replaced by one that builds the context here;
    it runs in the client's event loop, where the pool's tasks must live."""
    from starlette.testclient import TestClient

    from wallet.app import create_app
    from wallet.context import Context

    settings = settings or Settings(database_url=OFFLINE_DATABASE_URL)
    app = create_app(settings)

    @asynccontextmanager
    async def offline_lifespan(_: object) -> AsyncIterator[None]:
        db = await make_ledger_db(settings.database_url, settings).open()
        app.state.ctx = Context(settings=settings, db=db, operator_id=1, currencies={"THB": 2})
        try:
            yield
        finally:
            await db.dispose()

    app.router.lifespan_context = offline_lifespan
    with TestClient(app, client=client or ("testclient", 50000)) as test_client:
        yield test_client
