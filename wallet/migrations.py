"""Schema migrations: Alembic over schema/, with the SQL of each revision in schema/sql/."""

from __future__ import annotations

from alembic import command, op
from alembic.config import Config

from wallet.config import get_settings


def alembic_config(url: str) -> Config:
    settings = get_settings()
    config = Config()
    config.set_main_option("script_location", str(settings.schema_dir))
    config.attributes["url"] = url
    return config


def migrate(url: str) -> None:
    """Bring the database at url to the newest revision (idempotent)."""
    command.upgrade(alembic_config(url), "head")


def run_sql(*names: str) -> None:
    """Called from a revision: run its SQL files in order, in the migration's transaction."""
    # The raw driver connection: plpgsql bodies hold '%' and ':' that a bind-parameter
    # parser would misread, and psycopg runs a parameterless multi-statement script as is.
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    sql_dir = get_settings().schema_dir / "sql"
    for name in names:
        driver.execute((sql_dir / name).read_text())
