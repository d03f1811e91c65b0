"""Alembic environment: migrations run over the same URL the server uses."""

from __future__ import annotations

from alembic import context

from wallet.config import get_settings
from wallet.db import make_engine, resolve_url


def run() -> None:
    settings = get_settings()
    url = context.config.attributes.get("url") or resolve_url(settings)
    engine = make_engine(url, settings)
    with engine.connect() as connection:
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
