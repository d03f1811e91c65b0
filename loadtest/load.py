"""`make load`: a locust run against a real server with LOAD_PLAYERS players, then the audit.

Headless by default (LOAD_USERS users for LOAD_SECONDS); with UI=1, locust's web UI on :8089
and the run lasts until you stop it (Ctrl-C).
"""

from __future__ import annotations

import os
import subprocess
import sys

from loadtest.bench import LOAD_DATA_DIR, audit, seed_players
from tests.support import Server, throwaway_database
from wallet.config import ROOT_DIR
from wallet.db import stop_embedded
from wallet.migrations import migrate

PLAYERS = int(os.environ.get("LOAD_PLAYERS", "10000"))
USERS = os.environ.get("LOAD_USERS", "50")
SECONDS = os.environ.get("LOAD_SECONDS", "30")


def run_locust(args: list[str], env: dict[str, str]) -> None:
    """Ctrl-C (the end of a UI=1 run) reaches locust too, in the same process group: wait for it
    to finish its summary, so the audit and the database's stop still follow."""
    process = subprocess.Popen(args, env=env)
    try:
        process.wait()
    except KeyboardInterrupt:
        process.wait()


def main() -> int:
    try:
        return load_and_audit()
    finally:
        if not os.environ.get("DATABASE_URL"):
            stop_embedded(LOAD_DATA_DIR)


def load_and_audit() -> int:
    with throwaway_database(LOAD_DATA_DIR) as url:
        migrate(url)
        seed_players(url, PLAYERS)
        server = Server(url, workers=2).start()
        locust = [
            str(ROOT_DIR / ".venv" / "bin" / "locust"),
            "-f",
            str(ROOT_DIR / "loadtest" / "locustfile.py"),
            "--host",
            server.base_url,
        ]
        if os.environ.get("UI") != "1":
            locust += [
                "--headless",
                "-u",
                USERS,
                "-r",
                USERS,
                "-t",
                f"{SECONDS}s",
                "--only-summary",
            ]
        try:
            env = {**os.environ, "LOAD_PLAYERS": str(PLAYERS), "PYTHONPATH": str(ROOT_DIR)}
            run_locust(locust, env)
        finally:
            server.stop()
        holds = audit(url)
    return 0 if holds else 1


if __name__ == "__main__":
    sys.exit(main())
