"""Schema migrations: Alembic revisions for what cannot be replaced, object files for what can.

    schema/versions/NNNN_*.py   Alembic revisions, each running its SQL in schema/sql/: tables,
                                indexes, types, seed rows, and later what changes them (ALTER
                                TABLE, moving data). Each runs once per database.
    schema/functions/NAME.sql   the function NAME (its overloads, if any, too)
    schema/views/NAME.sql       the view NAME (none yet)
    schema/triggers/NAME.sql    the trigger NAME (so trigger names stay unique across tables)

An object file is the object's whole current definition, written to run again and again:
CREATE OR REPLACE FUNCTION / VIEW / TRIGGER (the last needs PostgreSQL 14 or later). To change a
function, edit its file; no revision. `migrate` brings the revisions to head and then, in the
same transaction, applies every object file whose SHA-256 differs from the one recorded in
schema_objects (revision 0004), or whose object is missing from the database, and records the
new checksums. A database of a release before 0004 has no checksums, so all files run once
(revisions 0001-0003 used to create the functions and triggers themselves; the files re-create
them as they were, which tests/test_migrations.py checks against pg_dump). CREATE OR REPLACE
TRIGGER holds its table against writes until the commit: a changed trigger file pauses the
ledger's writes for the length of the migration (well under a second).

Order: functions, then views, then triggers; within a kind, by file name. PL/pgSQL bodies are
only checked when they run, so PL/pgSQL functions may call each other whatever the order. What is
checked at creation (a LANGUAGE sql body, a view's query, a trigger's function) must exist by
then: a revision's table or type, or an object file applied earlier. Where the name order does not
give that, the file says what it needs, on a line of its own anywhere in it:

    -- requires: functions/other.sql, views/another.sql

What CREATE OR REPLACE cannot do:

- Change a function's argument types or result type (or a view's columns, other than by adding
  some at the end). The file then starts with `DROP FUNCTION IF EXISTS name(old argument types)
  CASCADE;` (or DROP VIEW) before its CREATE OR REPLACE. All files run in one transaction, so no
  other session sees the object missing, and whatever the CASCADE took along (a trigger, a view)
  is missing afterwards and so is applied again from its own file, changed or not.
- Remove an object: a revision drops it and deletes its row from schema_objects; its file goes.
  (A file that is simply deleted leaves its object and row behind, unused.)

Two processes migrating at once (two replicas starting, `wallet migrate` next to `wallet
serve`): the migration is one transaction that first takes an advisory lock, so the second
waits for the first to commit and then finds nothing to do. (`wallet serve` migrates once, in the
parent, before it starts its workers.) `alembic upgrade` on its own runs the revisions only.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from alembic import command, op
from alembic.config import Config
from sqlalchemy import Connection, text

from wallet.config import get_settings
from wallet.db import make_engine

KINDS = ("functions", "views", "triggers")  # the order in which the kinds are applied
LOCK_KEY = int.from_bytes(b"wallet", "big")  # the advisory lock of the migration
LOCK_WAIT_S = 120.0
_REQUIRES = re.compile(r"^--\s*requires:(.*)$", re.MULTILINE)

# (kind, name) of every function, view and trigger in the migration's schema.
_PRESENT_SQL = """
SELECT 'functions', proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
UNION
SELECT 'views', relname FROM pg_class
 WHERE relkind = 'v' AND relnamespace = current_schema()::regnamespace
UNION
SELECT 'triggers', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
"""
_RECORD_SQL = """
INSERT INTO schema_objects (file, sha256) VALUES (%s, %s)
ON CONFLICT (file) DO UPDATE SET sha256 = excluded.sha256, applied_at = now()
"""


class MigrationError(Exception):
    """The schema directory is inconsistent (a missing requirement, a file that does not
    create its object); nothing was committed."""


@dataclass(frozen=True, slots=True)
class ObjectFile:
    key: str  # its path under the schema directory, 'functions/ledger_post.sql'
    kind: str  # 'functions', 'views' or 'triggers'
    name: str  # the object it defines
    sql: str
    sha256: bytes
    requires: tuple[str, ...]


def alembic_config(url: str) -> Config:
    settings = get_settings()
    config = Config()
    config.set_main_option("script_location", str(settings.schema_dir))
    config.attributes["url"] = url
    return config


def migrate(url: str) -> list[str]:
    """Bring the database at url to the newest revision and its object files up to date, in one
    transaction (idempotent). Returns the object files applied, in order."""
    settings = get_settings()
    engine = make_engine(url, settings)
    try:
        with engine.connect() as connection, connection.begin():
            lock_schema(connection)
            config = alembic_config(url)
            config.attributes["connection"] = connection  # schema/env.py runs in this transaction
            command.upgrade(config, "head")
            return apply_objects(_driver(connection), settings.schema_dir)
    finally:
        engine.dispose()


def lock_schema(connection: Connection) -> None:
    """Take the migration's advisory lock for the rest of the transaction. Polled rather than
    waited for: the connection's lock_timeout and statement_timeout are the request path's."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while not connection.execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
    ).scalar_one():
        if time.monotonic() > deadline:
            raise TimeoutError(f"another migration held the schema lock for {LOCK_WAIT_S:.0f} s")
        time.sleep(0.05)


def object_files(schema_dir: Path) -> list[ObjectFile]:
    """Every object file under schema_dir, in the order they are applied."""
    files: dict[str, ObjectFile] = {}
    for kind in KINDS:
        for path in sorted((schema_dir / kind).glob("*.sql")):
            data = path.read_bytes()
            sql = data.decode()
            requires = tuple(
                name.strip()
                for line in _REQUIRES.findall(sql)
                for name in line.split(",")
                if name.strip()
            )
            key = f"{kind}/{path.name}"
            digest = hashlib.sha256(data).digest()
            files[key] = ObjectFile(key, kind, path.stem, sql, digest, requires)

    ordered: list[ObjectFile] = []
    placed: set[str] = set()

    def place(key: str, chain: tuple[str, ...]) -> None:
        if key in placed:
            return
        if key in chain:
            raise MigrationError(f"schema/{key}: requirements go round: {' -> '.join(chain)}")
        if key not in files:
            raise MigrationError(f"schema/{chain[-1]} requires {key}, which does not exist")
        for required in files[key].requires:
            place(required, (*chain, key))
        placed.add(key)
        ordered.append(files[key])

    for key in files:
        place(key, ())
    return ordered


def apply_objects(conn: psycopg.Connection[Any], schema_dir: Path) -> list[str]:
    """Apply, in the caller's transaction, every object file that changed since it was last
    applied or whose object is missing; record their checksums. Returns the files applied."""
    files = object_files(schema_dir)
    recorded = dict(conn.execute("SELECT file, sha256 FROM schema_objects").fetchall())
    present = _present(conn)
    todo = [f for f in files if recorded.get(f.key) != f.sha256 or (f.kind, f.name) not in present]
    applied: list[str] = []
    # A second pass only re-creates what a later file of the first dropped (DROP ... CASCADE);
    # a third would mean files that drop each other.
    for _ in range(3):
        if not todo:
            return applied
        for file in todo:
            conn.execute(file.sql)  # a script: no parameters, run as is
            if (file.kind, file.name) not in _present(conn):
                what = f"{file.kind.removesuffix('s')} {file.name}"
                raise MigrationError(f"schema/{file.key} does not create the {what}")
            conn.execute(_RECORD_SQL, (file.key, file.sha256))
            applied.append(file.key)
        present = _present(conn)
        todo = [f for f in files if (f.kind, f.name) not in present]
    raise MigrationError(f"object files drop each other: {', '.join(f.key for f in todo)}")


def _present(conn: psycopg.Connection[Any]) -> set[tuple[str, str]]:
    return {(kind, name) for kind, name in conn.execute(_PRESENT_SQL).fetchall()}


def _driver(connection: Connection) -> psycopg.Connection[Any]:
    # The raw driver connection: plpgsql bodies hold '%' and ':' that a bind-parameter
    # parser would misread, and psycopg runs a parameterless multi-statement script as is.
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver


def run_sql(*names: str) -> None:
    """Called from a revision: run its SQL files in order, in the migration's transaction."""
    driver = _driver(op.get_bind())
    sql_dir = get_settings().schema_dir / "sql"
    for name in names:
        driver.execute((sql_dir / name).read_text())
