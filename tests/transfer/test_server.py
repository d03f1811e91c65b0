"""Against a real server: the lobby's API, the metrics, and a server SIGKILLed between our debit
and the studio's answer, after which `wallet reconcile --fix` accounts for every cent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support import LoopThread, Server
from tests.transfer.conftest import SIM_KEY, STUDIO, StudioSim
from tests.transfer.test_behaviours import figures
from wallet.config import ROOT_DIR
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB

START = 100_00


def cli(db_url: str, sim: StudioSim, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**sim.env, "DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "wallet.cli", *args],
        env=env, cwd=ROOT_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def server_env(sim: StudioSim, **studio: object) -> dict[str, str]:
    entry = {**sim.studio_json, "timeout_s": 10, "retries": 0, **studio}
    return {"TRANSFER_STUDIOS": json.dumps({STUDIO: entry}), "TRANSFER_RECONCILE_INTERVAL_S": "0.2"}


@pytest.fixture(scope="module")
def operator_key(db_url: str, sim: StudioSim) -> str:
    done = cli(db_url, sim, "operator-key", "create", f"lobby{os.getpid()}")
    assert done.returncode == 0, done.stderr
    key = done.stdout.split("key: ")[-1].strip()
    Server.extra_secrets.update({key, SIM_KEY})
    return key


@pytest.fixture(scope="module")
def server(db_url: str, sim: StudioSim) -> Iterator[Server]:
    srv = Server(db_url, env=server_env(sim, timeout_s=0.5)).start()
    yield srv
    srv.stop()


def post(srv: Server, path: str, key: str | None, body: object, idem: str | None) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    if idem:
        headers["idempotency-key"] = idem
    url = f"{srv.base_url}/transfer-wallet{path}"
    return httpx.post(url, json=body, headers=headers, timeout=10)


def test_lobby_api(
    server: Server,
    operator_key: str,
    fresh_sim: StudioSim,
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    player = make_player("THB", START)
    body = {"player": player.username, "amount": "30.00"}
    assert post(server, f"/{STUDIO}/deposit", None, body, "k1").status_code == 401
    assert post(server, f"/{STUDIO}/deposit", "wrong", body, "k1").status_code == 401
    assert post(server, "/nobody/deposit", operator_key, body, "k1").status_code == 404
    assert post(server, f"/{STUDIO}/deposit", operator_key, body, None).status_code == 400
    bad = {"player": player.username, "amount": "1.001"}  # more decimals than THB: refused
    assert post(server, f"/{STUDIO}/deposit", operator_key, bad, "k0").status_code == 400
    too_much = {"player": player.username, "amount": "100.01"}
    assert post(server, f"/{STUDIO}/deposit", operator_key, too_much, "k0").status_code == 422

    done = post(server, f"/{STUDIO}/deposit", operator_key, body, "k1")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["amount"] == "30.00"
    again = post(server, f"/{STUDIO}/deposit", operator_key, body, "k1")
    assert again.json()["transaction_id"] == done.json()["transaction_id"]
    assert again.json()["replay"] is True
    other = {"player": player.username, "amount": "31.00"}
    assert post(server, f"/{STUDIO}/deposit", operator_key, other, "k1").status_code == 409

    fresh_sim.control(next=["error_500"])
    pending = post(server, f"/{STUDIO}/withdraw", operator_key,
                   {"player": player.username, "amount": "all"}, "k2")  # fmt: skip
    assert pending.status_code == 202 and pending.json()["status"] == "pending"
    # The background reconciler settles it (Check Transaction: not found; resent; success).
    deadline = time.monotonic() + 20
    while figures(ledger, loop, player) != (START, 0, 0):
        assert time.monotonic() < deadline, figures(ledger, loop, player)
        time.sleep(0.1)
    metrics = httpx.get(f"{server.base_url}/metrics", timeout=5).text
    assert f'wallet_transfer_pending{{age="lt_1m",studio="{STUDIO}"}} 0.0' in metrics
    assert "wallet_transfer_reconcile_differences" in metrics
    shown = cli(server.env["DATABASE_URL"], fresh_sim, "transfer", "show",
                pending.json()["transaction_id"])  # fmt: skip
    assert "status: done" in shown.stdout and "amount: 30.00" in shown.stdout, shown


def test_lobby_api_refuses_bad_bodies_and_logs_each_call(server: Server, operator_key: str) -> None:
    url = f"{server.base_url}/transfer-wallet/{STUDIO}/deposit"
    headers = {"authorization": f"Bearer {operator_key}", "idempotency-key": "bad-bodies"}
    for raw, status in [
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (b"[1, 2]", 400),
        (b'{"player": "x", "amount": "' + b"9" * 70_000 + b'"}', 413),
    ]:
        answer = httpx.post(url, content=raw, headers=headers, timeout=10)
        assert answer.status_code == status, (raw[:20], answer.text)
        assert set(answer.json()) == {"error"}
    lines = [json.loads(line) for line in server.settled_log().splitlines() if "{" in line]
    logged = [line for line in lines if line.get("operation") == "transfer_out"]
    assert {line.get("code") for line in logged} >= {400, 413}
    assert all(line.get("caller") == "operator" for line in logged)


@pytest.mark.parametrize("behaviour", ["timeout_after", "timeout_before"])
def test_server_killed_between_debit_and_answer(
    behaviour: str,
    db_url: str,
    operator_key: str,
    fresh_sim: StudioSim,
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    srv = Server(db_url, env={**server_env(fresh_sim), "TRANSFER_RECONCILE_INTERVAL_S": "0"})
    srv.start()
    player = make_player("THB", START)
    fresh_sim.control(next=[behaviour], hang_s=30)
    body = {"player": player.username, "amount": "30.00"}

    def send() -> None:
        with pytest.raises(httpx.TransportError):
            post(srv, f"/{STUDIO}/deposit", operator_key, body, f"crash-{player.username}")

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 10
    while figures(ledger, loop, player)[1] == 0:  # our debit: the money is in pending_out
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # Our deposit reached the studio: it took the queued behaviour (a count of calls read after
    # our debit could already include it, and the wait would never end).
    while fresh_sim.state()["queue"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.2)  # and the studio applied it (timeout_after), or sits on it (timeout_before)
    assert srv.process is not None
    srv.process.kill()  # SIGKILL: no cleanup of any kind
    srv.process.wait(10)
    sender.join(15)
    assert figures(ledger, loop, player) == (START - 30_00, 30_00, 0)

    report = cli(db_url, fresh_sim, "reconcile", STUDIO)  # report only: changes nothing
    assert report.returncode == 1 and "pending: 1" in report.stdout, report
    assert figures(ledger, loop, player) == (START - 30_00, 30_00, 0)
    fixed = cli(db_url, fresh_sim, "reconcile", STUDIO, "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "pending: 0 differences: 0 unknown balances: 0" in fixed.stdout
    assert fresh_sim.balance_minor(player.username) == 30_00
    assert figures(ledger, loop, player) == (START - 30_00, 0, 30_00)  # and the audit holds
    back = cli(db_url, fresh_sim, "transfer", "in", player.username, STUDIO, "all")
    assert back.returncode == 0 and "status: done" in back.stdout, back
    assert figures(ledger, loop, player) == (START, 0, 0)


def test_background_reconcilers_of_two_workers_share_the_pending_moves(
    db_url: str,
    operator_key: str,
    fresh_sim: StudioSim,
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    srv = Server(db_url, env=server_env(fresh_sim, timeout_s=0.3), workers=2).start()
    try:
        players = [make_player("THB", START) for _ in range(8)]
        fresh_sim.control(
            next=["error_500", "timeout_after", "error_500_after", "timeout_before"] * 2
        )
        codes = []
        for player in players:  # (the background rounds' resends take faults of the queue too)
            body = {"player": player.username, "amount": "30.00"}
            answer = post(srv, f"/{STUDIO}/deposit", operator_key, body, f"two-{player.username}")
            codes.append(answer.status_code)
        assert set(codes) <= {200, 202} and codes.count(202) >= 4, codes
        deadline = time.monotonic() + 30
        while any(figures(ledger, loop, p) != (START - 30_00, 0, 30_00) for p in players):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        for player in players:
            assert fresh_sim.balance_minor(player.username) == 30_00
        text = httpx.get(f"{srv.base_url}/metrics", timeout=5).text
        assert "wallet_transfer_pending" in text
    finally:
        srv.stop()


def test_lobby_api_edge_toolkit(
    server: Server,
    operator_key: str,
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    """A field named twice, an amount with an exponent, a NUL or a lone surrogate in a field
    (a 500 before issue 24), and the one idempotency-key rule: each a 400, nothing moved."""
    player = make_player("THB", START)
    url = f"{server.base_url}/transfer-wallet/{STUDIO}/deposit"
    headers = {"authorization": f"Bearer {operator_key}", "content-type": "application/json"}
    name = player.username
    for n, (text, message) in enumerate([
        (f'{{"player": "{name}", "amount": "1.00", "amount": "30.00"}}',
         "the body names a field twice"),
        (f'{{"player": "{name}", "amount": "1E-2"}}', "bad amount: not plain decimal text"),
        (f'{{"player": "{name}", "amount": 1e2}}', "player and amount (decimal text) are required"),
        ('{"player": "a\\u0000b", "amount": "1.00"}',
         "the body has a NUL character or an unpaired surrogate"),
        ('{"player": "\\ud83d", "amount": "1.00"}',
         "the body has a NUL character or an unpaired surrogate"),
    ]):  # fmt: skip
        answer = httpx.post(url, content=text.encode(), headers={**headers, "idempotency-key":
                            f"edge-{name}-{n}"}, timeout=10)  # fmt: skip
        assert (answer.status_code, answer.json()) == (400, {"error": message}), text
    body = {"player": name, "amount": "1.00"}
    for key, in_body in [(b"k" * 256, None), (b"caf\xe9", None), (b"one", "other")]:
        extra = {} if in_body is None else {"idempotency_key": in_body}
        answer = httpx.post(url, json={**body, **extra},
                            headers={**headers, "idempotency-key": key}, timeout=10)  # fmt: skip
        assert answer.status_code == 400 and "Idempotency-Key" in answer.json()["error"], answer
    assert figures(ledger, loop, player) == (START, 0, 0)
