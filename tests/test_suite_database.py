"""Issue #21, finding 4: `make test` left the embedded PostgreSQL it started serving for hours.
A test run now stops the server it started when it ends: passed, failed, interrupted with
Ctrl-C (SIGINT) or terminated (SIGTERM), unless another live test run still uses it.

Each case runs the suite's own plumbing (tests/conftest.py, tests/support.py) in a pytest of its
own, on an embedded server under a directory of its own (WALLET_TEST_DATA_DIR)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import USERS_DIRNAME, release_embedded
from wallet.config import ROOT_DIR
from wallet.db import embedded_running, stop_embedded


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    path = ROOT_DIR / ".data" / f"suite-db-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    yield path
    stop_embedded(path)
    shutil.rmtree(path, ignore_errors=True)


def _probe(data_dir: Path, mode: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"WALLET_TEST_DATA_DIR": str(data_dir), "PROBE": mode})
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/embedded_probe.py"],
        cwd=ROOT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _finished(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=120)
    return process.returncode, output.decode(errors="replace")


@pytest.mark.parametrize(("mode", "exit_code"), [("pass", 0), ("fail", 1)])
def test_a_run_stops_the_server_it_started(data_dir: Path, mode: str, exit_code: int) -> None:
    code, output = _finished(_probe(data_dir, mode))
    assert code == exit_code, output
    assert (data_dir / "pg" / "PG_VERSION").exists(), "the run did not use its own directory"
    assert not embedded_running(data_dir), f"the {mode}ed run left its PostgreSQL running"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_stops_it_too(data_dir: Path, signum: int) -> None:
    (data_dir / "probe-hanging").unlink(missing_ok=True)
    process = _probe(data_dir, "hang")
    deadline = time.monotonic() + 120
    while not (data_dir / "probe-hanging").exists():
        assert process.poll() is None, _finished(process)[1]
        assert time.monotonic() < deadline, "the probe never started"
        time.sleep(0.1)
    assert embedded_running(data_dir)
    process.send_signal(signum)
    code, output = _finished(process)
    assert code != 0, output
    assert not embedded_running(data_dir), f"after signal {signum}: still running\n{output}"


def test_another_live_run_keeps_it_running(data_dir: Path) -> None:
    users = data_dir / USERS_DIRNAME
    users.mkdir(parents=True, exist_ok=True)
    (users / str(os.getpid())).touch()  # this process, as if it were a second test run
    try:
        code, output = _finished(_probe(data_dir, "pass"))
        assert code == 0, output
        assert embedded_running(data_dir), "stopped under another live run"
    finally:
        assert release_embedded(data_dir)  # the last one out stops it
    assert not embedded_running(data_dir)
