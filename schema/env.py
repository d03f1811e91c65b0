"""Alembic environment: migrations run over the same URL the server uses.

wallet.migrations.migrate hands over its connection, in a transaction that holds the schema lock
and goes on to apply the object files; `alembic` on its own gets a connection and lock here.
"""

from __future__ import annotations

from alembic import context

from wallet.config import get_settings
from wallet.db import make_engine, resolve_url
from wallet.migrations import lock_schema


def run() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        context.configure(connection=given, transactional_ddl=True)
        with context.begin_transaction():  # the caller's: it commits
            context.run_migrations()
        return
    settings = get_settings()
    url = context.config.attributes.get("url") or resolve_url(settings)
    engine = make_engine(url, settings)
    with engine.connect() as connection:
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            lock_schema(connection)
            context.run_migrations()
    engine.dispose()


run()
