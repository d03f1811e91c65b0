"""A pg_auto_failover formation for the HA tests: made once per session by `wallet ha up` (the
command itself, as a user runs it), looked at with `wallet ha status`, taken down at the end by
`wallet ha down`, which must leave no process of it running."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import LoopThread, make_ledger
from wallet.config import ROOT_DIR
from wallet.ha.formation import WRITABLE, Formation
from wallet.ledger.database import LedgerDB

STATUS_LINE = re.compile(
    r"node: (?P<name>\S+) port: (?P<port>\d+) role: (?P<role>\S+)"
    r" pid: (?P<pid>\d+|-) keeper: (?P<keeper>\d+|-)"
)


@dataclass(frozen=True)
class Node:
    """A line of `wallet ha status`."""

    name: str
    port: int
    role: str
    pid: int | None
    keeper: int | None


def wallet(*args: str, timeout: float = 240) -> str:
    """A `wallet` command as a user runs it; its output (it must exit 0)."""
    done = subprocess.run(
        [sys.executable, "-m", "wallet.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT_DIR,
        env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_READ_URL")},
    )
    assert done.returncode == 0, f"wallet {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@dataclass
class HaFormation:
    root: Path
    url: str = ""  # database_url: the primary, wherever it is
    read_url: str = ""  # database_read_url: the secondary when there is one

    def up(self) -> None:
        """`wallet ha up`: starts what is not running and waits for primary + secondary."""
        printed = dict(
            line.split(": ", 1) for line in wallet("ha", "up", "--dir", str(self.root)).splitlines()
        )
        self.url, self.read_url = printed["database_url"], printed["database_read_url"]

    def status(self) -> list[Node]:
        lines = wallet("ha", "status", "--dir", str(self.root)).splitlines()
        matches = [STATUS_LINE.fullmatch(line) for line in lines]
        assert all(matches) and len(matches) == 2, lines
        return [
            Node(m["name"], int(m["port"]), m["role"], _pid(m["pid"]), _pid(m["keeper"]))
            for m in matches
            if m
        ]

    def node(self, role: str) -> Node:
        found = [node for node in self.status() if node.role == role]
        assert len(found) == 1, self.status()
        return found[0]

    def kill(self, node: Node) -> float:
        """The node's machine dies: its pg_autoctl (with its services: the keeper leads their
        process group) and its postmaster SIGKILLed, so nothing restarts it. When, monotonic."""
        assert node.keeper is not None and node.pid is not None, node
        os.killpg(node.keeper, signal.SIGKILL)
        with suppress(ProcessLookupError):  # it was in that group: usually gone already
            os.kill(node.pid, signal.SIGKILL)
        return time.monotonic()

    def wait_promoted(self, other_than: str, timeout_s: float = 60) -> tuple[str, float]:
        """The node the monitor promoted (it reports taking writes), and when, monotonic."""
        formation = Formation(self.root)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with suppress(Exception):  # the monitor is busy; ask again
                for state in formation.states():
                    if state.name != other_than and state.current in WRITABLE:
                        return state.name, time.monotonic()
            time.sleep(0.1)
        raise AssertionError(f"no node promoted in {timeout_s} s after {other_than} died")


def _pid(text: str) -> int | None:
    return None if text == "-" else int(text)


@pytest.fixture(scope="session")
def formation() -> Iterator[HaFormation]:
    if shutil.which("pg_autoctl") is None:
        pytest.fail(
            "pg_autoctl is missing: `make test` installs pg-auto-failover-cli and"
            " postgresql-15-auto-failover (or apt-get install them)"
        )
    root = ROOT_DIR / ".data" / f"ha-test-{os.getpid()}"
    shutil.rmtree(root, ignore_errors=True)
    made = HaFormation(root)
    try:
        made.up()
        yield made
    finally:
        down = Formation(root)
        wallet("ha", "down", "--dir", str(root))
        left = [
            n for n in ("monitor", "node1", "node2") if down.postmaster_pid(n) or down.keeper_pid(n)
        ]
        shutil.rmtree(root, ignore_errors=True)
        assert not left, f"wallet ha down left {left} running"


@pytest.fixture
def ha_ledger(formation: HaFormation, loop: LoopThread) -> Iterator[LedgerDB]:
    """A ledger on the formation (the suite's `ledger` is on another database; the audit of
    this one is `wallet audit`, run by the test itself as an operator would)."""
    db = make_ledger(formation.url, loop, pool_size=4)
    yield db
    loop.run(db.dispose())
