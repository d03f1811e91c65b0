"""`make bench-reports`: the agent reports on a large ledger, timed through the real server.

1. a fresh embedded PostgreSQL of its own (.data/bench-reports; or DATABASE_URL's server, in a
   throwaway database), migrated;
2. the data set of loadtest/bench_reports.sql, set-based: an agent tree of BENCH_TREE_PLAYERS
   players (10,000) under `benchroot`, BENCH_OTHER_PLAYERS (40,000) under other agents, three
   months (2026-09..11, Asia/Manila) of deposits, withdrawals and game rounds on both studios
   (rollbacks among them), grown to BENCH_POSTINGS postings (10,000,000); VACUUM ANALYZE;
3. `wallet serve` (OPERATOR_TIMEZONE=Asia/Manila); benchroot logs in and asks each report for
   November (2026/11/01..30) BENCH_RUNS times (5) after one warm-up: median and worst wall
   time of the whole HTTP call;
4. EXPLAIN (ANALYZE, BUFFERS) of each report's statement with the same arguments;
5. `wallet audit` over the whole data set (BENCH_AUDIT=0 skips it), which must hold.
BENCH_KEEP=1 keeps the data set (database wallet_bench_reports) and the embedded server for the
next run, which then skips steps 1 and 2 (for working on the queries).

The last line is `bench-reports: postings=N month_game_rows=N players=N slowest_ms=N
<endpoint>_ms=N ... audit=ok|failed|skipped`. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from string import Template

import httpx
import psycopg

from tests.support import Server, server_url, throwaway_database
from wallet.access.passwords import hash_password
from wallet.config import ROOT_DIR
from wallet.db import stop_embedded
from wallet.reporting import moves as report_moves
from wallet.reporting import reports
from wallet.reporting.activity import Window

TREE_PLAYERS = int(os.environ.get("BENCH_TREE_PLAYERS", "10000"))
OTHER_PLAYERS = int(os.environ.get("BENCH_OTHER_PLAYERS", "40000"))
POSTINGS = int(os.environ.get("BENCH_POSTINGS", "10000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
AUDIT = os.environ.get("BENCH_AUDIT", "1") != "0"
KEEP = os.environ.get("BENCH_KEEP") == "1"
KEPT_NAME = "wallet_bench_reports"
DATA_DIR = ROOT_DIR / ".data" / "bench-reports"
ZONE = "Asia/Manila"
START = "2026-09-01 00:00:00+08"
MONTHS = 3
SPAN_S = 91 * 86_400  # 2026-09-01 .. 2026-11-30 in Manila
MONTH = {"dateFrom": "2026/11/01", "dateTo": "2026/11/30"}
OPENING_MINOR = 100_000_000  # 1,000,000.00 a player
PASSWORD = "bench-reports-password"
POSTINGS_PER_ROUND = 4  # bet + win, bet-and-win, bet + rollback: 4 postings each
POSTINGS_PER_PLAYER_FIXED = 2 + MONTHS * 3 * 2  # the opening, 3 moves a month
ENDPOINTS = ("players", "agents", "daily", "products", "summary", "transfers", "settlement")


def rounds_per_player() -> int:
    players = TREE_PLAYERS + OTHER_PLAYERS
    left = POSTINGS - players * POSTINGS_PER_PLAYER_FIXED
    return max(1, math.ceil(left / (players * POSTINGS_PER_ROUND)))


def build(url: str) -> None:
    started = time.monotonic()
    pairs = rounds_per_player()
    script = Template((ROOT_DIR / "loadtest" / "bench_reports.sql").read_text()).substitute(
        hash=hash_password(PASSWORD),
        tree_players=TREE_PLAYERS,
        other_players=OTHER_PLAYERS,
        pairs=pairs,
        months=MONTHS,
        start=START,
        opening=OPENING_MINOR,
        spacing_s=SPAN_S // pairs,
    )
    with psycopg.connect(url) as conn:
        conn.execute("SET work_mem = '256MB'")
        conn.execute(script.encode())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"bench-reports: built in {time.monotonic() - started:.0f}s", flush=True)


def figures(url: str, root: int) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            """
            SELECT (SELECT count(*) FROM postings), (SELECT count(*) FROM transactions),
                   (SELECT count(*) FROM agents a
                      JOIN agent_players ap ON ap.agent_id = a.id
                      JOIN accounts m ON m.owner_type = 'player' AND m.owner_id = ap.player_id
                                     AND m.purpose = 'main'
                      JOIN transactions t ON t.account_id = m.id
                     WHERE a.path @> ARRAY[%s]::bigint[]
                       AND t.kind IN ('debit', 'credit', 'debit_credit', 'reverse')
                       AND t.created_at >= timestamptz '2026-11-01 00:00+08'
                       AND t.created_at < timestamptz '2026-12-01 00:00+08'),
                   (SELECT count(*) FROM agent_players ap JOIN agents a ON a.id = ap.agent_id
                     WHERE a.path @> ARRAY[%s]::bigint[])
            """,
            (root, root),
        ).fetchone()
    assert row is not None
    keys = ("postings", "transactions", "month_game_rows", "players")
    return dict(zip(keys, (int(v) for v in row), strict=True))


def time_reports(server: Server) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    with httpx.Client(base_url=server.base_url, timeout=120) as http:
        login = http.post(
            "/api/auth/login", json={"agentUsername": "benchroot", "agentPassword": PASSWORD}
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['data']['token']}"}
        for name in ENDPOINTS:
            path = f"/api/reports/{name}"
            warm = http.post(path, json=MONTH, headers=headers)
            assert warm.status_code == 200, warm.text
            runs = []
            for _ in range(RUNS):
                started = time.perf_counter()
                answer = http.post(path, json=MONTH, headers=headers)
                runs.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
            timings[name] = runs
            print(
                f"bench-reports: /api/reports/{name} median {statistics.median(runs):.0f} ms,"
                f" worst {max(runs):.0f} ms ({RUNS} runs)",
                flush=True,
            )
    return timings


def statements(window: Window) -> dict[str, tuple[str, dict[str, object]]]:
    base = window.params()
    page: dict[str, object] = {"offset": 0, "limit": 50}
    own = {"me": window.root, "start": window.start, "end": window.end} | page
    players = {"player": None, "name": None, "only_active": False, "order": "playerId"}
    return {
        "players": (reports.PLAYERS, base | players | page),
        "agents": (reports.AGENTS, base | {"username": None, "affiliate": None} | page),
        "daily": (reports.DAILY, base),
        "products": (reports.PRODUCTS, base | {"other": reports.OTHER_PRODUCT}),
        "summary": (reports.SUMMARY, base),
        "transfers": (report_moves.TRANSFERS, own),
        "settlement": (report_moves.SETTLEMENT, own),
    }


def print_plans(url: str, root: int) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(ZONE)
    window = Window(
        root, 1, "PHP", datetime(2026, 11, 1, tzinfo=tz), datetime(2026, 12, 1, tzinfo=tz), ZONE
    )
    with psycopg.connect(url) as conn:
        for name, (sql, named) in statements(window).items():
            rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", named).fetchall()
            print(f"bench-reports: plan of /api/reports/{name}:", flush=True)
            print("\n".join(f"    {row[0]}" for row in rows), flush=True)


def audit(url: str) -> bool:
    started = time.monotonic()
    result = subprocess.run(
        [str(ROOT_DIR / ".venv" / "bin" / "wallet"), "audit"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    last = result.stdout.strip().splitlines()[-1:] if result.stdout else [result.stderr]
    print(f"bench-reports: audit in {time.monotonic() - started:.0f}s: {last[0]}", flush=True)
    return result.returncode == 0


@contextmanager
def bench_database() -> Iterator[tuple[str, bool]]:
    """The database's URL, and whether it holds the data set already (BENCH_KEEP=1's)."""
    if not KEEP:
        if not os.environ.get("DATABASE_URL"):
            stop_embedded(DATA_DIR)
            shutil.rmtree(DATA_DIR, ignore_errors=True)
        with throwaway_database(DATA_DIR) as url:
            yield url, False
        return
    admin_url = server_url(DATA_DIR)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (KEPT_NAME,))
        if found.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{KEPT_NAME}"')
    base, _, query = admin_url.partition("?")
    url = f"{base.rsplit('/', 1)[0]}/{KEPT_NAME}{'?' + query if query else ''}"
    with psycopg.connect(url) as conn:  # a build commits all or nothing
        built = conn.execute("SELECT to_regclass('agents') IS NOT NULL").fetchone()
        kept = bool(built and built[0]) and bool(
            conn.execute("SELECT 1 FROM agents WHERE username = 'benchroot'").fetchone()
        )
    yield url, kept


def main() -> int:
    """The report bench; the embedded server it started stops when it ends (unless
    BENCH_KEEP=1 keeps it and its data set for the next run), however it ends."""
    try:
        return run_bench()
    finally:
        if not os.environ.get("DATABASE_URL") and not KEEP:
            stop_embedded(DATA_DIR)


def run_bench() -> int:
    with bench_database() as (url, kept):
        from wallet.migrations import migrate

        migrate(url)
        if not kept:
            build(url)
        with psycopg.connect(url) as conn:
            found = conn.execute("SELECT id FROM agents WHERE username = 'benchroot'").fetchone()
        assert found is not None
        root = int(found[0])
        counts = figures(url, root)
        print(f"bench-reports: {counts}", flush=True)
        server = Server(url, {"OPERATOR_TIMEZONE": ZONE}).start()
        try:
            timings = time_reports(server)
        finally:
            server.stop()
        print_plans(url, root)
        audited = ("ok" if audit(url) else "failed") if AUDIT else "skipped"
    medians = {name: statistics.median(runs) for name, runs in timings.items()}
    print(
        f"bench-reports: postings={counts['postings']} month_game_rows={counts['month_game_rows']}"
        f" players={counts['players']} slowest_ms={max(max(r) for r in timings.values()):.0f} "
        + " ".join(f"{name}_ms={ms:.0f}" for name, ms in medians.items())
        + f" audit={audited}",
        flush=True,
    )
    return 0 if audited != "failed" else 1


if __name__ == "__main__":
    sys.exit(main())
