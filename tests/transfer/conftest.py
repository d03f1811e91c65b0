"""Fixtures: a studio simulator of ours (`wallet studio-sim`, a real process) and clients of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support import LOG_DIR, LoopThread, free_port
from wallet.config import ROOT_DIR, TransferStudio
from wallet.transfer.client import StudioClient

STUDIO = "sim"
SIM_KEY = "0f" * 32  # a test key: 64 hex digits, the AES-256 key as is


class StudioSim:
    """A `wallet studio-sim` process, told how to answer through /sim/control."""

    def __init__(self, codec: str = "aesgcm") -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.studio_json = {
            "base_url": self.base_url,
            "agent": "agent-sim",
            "key": SIM_KEY,
            "codec": codec,
            "currencies": ["THB", "KRW", "USD"],
        }
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "TRANSFER_STUDIOS": json.dumps({STUDIO: self.studio_json})}
        log = (LOG_DIR / f"studio-sim-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wallet.cli", "studio-sim", "--port", str(self.port),
             "--studio", STUDIO],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT_DIR,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.base_url}/sim/state", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("studio-sim did not start")

    def studio(self, **overrides: Any) -> TransferStudio:
        fields = {**self.studio_json, "timeout_s": 0.4, "retries": 0, "backoff_s": 0.05,
                  "backoff_max_s": 0.2, **overrides}  # fmt: skip
        return TransferStudio.model_validate(fields)

    def control(self, **order: Any) -> dict[str, Any]:
        answer = httpx.post(f"{self.base_url}/sim/control", json=order, timeout=5)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.base_url}/sim/state", timeout=5).json()
        return result

    def balance_minor(self, username: str, currency: str = "THB") -> int:
        return int(self.state()["balances_minor"].get(f"{username}/{currency}", 0))

    def reset(self) -> None:
        """Default answers again. The store stays: the session's players are in our ledger,
        and every test leaves them reconciled."""
        self.control(clear=True, hang_s=1.0, slow_s=0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture(scope="session")
def sim() -> Iterator[StudioSim]:
    simulator = StudioSim()
    yield simulator
    simulator.stop()


@pytest.fixture
def fresh_sim(sim: StudioSim) -> StudioSim:
    sim.reset()
    return sim


@pytest.fixture
def make_client(loop: LoopThread) -> Iterator[Callable[..., StudioClient]]:
    made: list[StudioClient] = []

    def make(simulator: StudioSim, **overrides: Any) -> StudioClient:
        client = StudioClient(STUDIO, simulator.studio(**overrides))
        made.append(client)
        return client

    yield make
    for client in made:
        loop.run(client.close())
