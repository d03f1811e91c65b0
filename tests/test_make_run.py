"""`make run` as a new user meets it: it serves, the CLI reaches its database, Ctrl-C stops all.

Runs the real Makefile target with its own embedded PostgreSQL under a fresh DATA_DIR (never
the developer's .data/pg), then a second `make run` that must find the same data.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import free_port
from wallet.config import ROOT_DIR
from wallet.db import embedded_running

WALLET = str(ROOT_DIR / ".venv" / "bin" / "wallet")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = ROOT_DIR / ".data" / f"make-run-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return {**env, "DATA_DIR": str(data_dir), "PORT": str(port)}


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["make", "run"],
        cwd=ROOT_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "make run exited early"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("make run never became healthy")


def _ctrl_c(process: subprocess.Popen[bytes]) -> None:
    """What a terminal does on Ctrl-C: SIGINT to the whole foreground process group."""
    os.killpg(process.pid, signal.SIGINT)
    process.wait(60)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WALLET, *args], env=env, capture_output=True, text=True, timeout=120)


def test_make_run_serves_and_the_cli_reaches_its_database(data_dir: Path) -> None:
    port = free_port()
    env = _env(data_dir, port)
    process = _start(env)
    try:
        _wait_healthy(port, process)
        created = _cli(
            env, "player", "create", "newbie", "--currency", "THB", "--balance", "100.00"
        )
        assert created.returncode == 0, created.stderr
        assert "balance: 100.00" in created.stdout
        shown = _cli(env, "player", "show", "newbie")
        assert shown.returncode == 0 and "balance: 100.00" in shown.stdout
        audited = _cli(env, "audit")
        assert audited.returncode == 0, audited.stdout
        assert "all 5 invariants hold" in audited.stdout
    finally:
        _ctrl_c(process)
    assert not embedded_running(data_dir), "Ctrl-C left the embedded PostgreSQL running"

    # A second `make run` reuses the data.
    process = _start(env)
    try:
        _wait_healthy(port, process)
        shown = _cli(env, "player", "show", "newbie")
        assert "balance: 100.00" in shown.stdout
    finally:
        _ctrl_c(process)
    assert not embedded_running(data_dir)


def test_cli_rejects_bad_input_with_a_clear_message(data_dir: Path) -> None:
    env = _env(data_dir, free_port())
    bad = _cli(env, "player", "create", "x1", "--currency", "THB", "--balance", "1.234")
    assert bad.returncode != 0 and "more than 2 decimals" in bad.stderr
    unknown = _cli(env, "player", "show", "nobody")
    assert unknown.returncode != 0 and "no player nobody" in unknown.stderr
    assert not embedded_running(data_dir), "a CLI command left the database it started running"


def test_serve_stops_the_database_it_started_on_sigterm_and_sigint(data_dir: Path) -> None:
    """`wallet serve` under a service manager is stopped with SIGTERM: uvicorn shut down and
    then raised the signal again with its default action, which killed the process before the
    embedded PostgreSQL it started was stopped (issue #21)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        port = free_port()
        process = subprocess.Popen(
            [WALLET, "serve"],
            env=_env(data_dir, port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_healthy(port, process)
            assert embedded_running(data_dir)
        finally:
            process.send_signal(signum)
            process.wait(60)
        assert not embedded_running(data_dir), f"signal {signum} left the PostgreSQL running"
