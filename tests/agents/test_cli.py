"""`wallet agent create` (one line, no secret printed; bad input exits 2 with a clear message)
and `wallet agent demo`, the tree `make run` seeds: the document's quick start steps 1 and 2 with
its own credentials, only the base URL changed."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import httpx

from tests.agents.test_auth import assert_envelope
from tests.support import Server
from wallet.config import ROOT_DIR


def wallet(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wallet.cli", *args],
        env={**os.environ, "DATABASE_URL": db_url},
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_agent_create_from_the_command_line(db_url: str, api: httpx.Client) -> None:
    top, sub = f"top_{secrets.token_hex(4)}", f"sub_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(10)
    Server.extra_secrets.add(password)
    made = wallet(
        db_url, "agent", "create", top, "--password", password, "--currency", "php",
        "--balance", "250.50",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert re.fullmatch(
        rf"agent: {top} id: \d+ currency: PHP parent: - balance: 250\.50\n", made.stdout
    )
    assert password not in made.stdout
    made = wallet(db_url, "agent", "create", sub, "--password", password, "--currency", "PHP",
                  "--parent", top)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert re.fullmatch(rf"agent: {sub} id: \d+ currency: PHP parent: {top} balance: 0\.00\n",
                        made.stdout)  # fmt: skip
    token = assert_envelope(
        api.post("/api/auth/login", json={"agentUsername": top, "agentPassword": password}), 200
    )["token"]
    Server.extra_secrets.add(token)
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        assert_envelope(api.post("/api/balance", json={}, headers=headers), 200)["balance"] == 250.5
    )
    agents = assert_envelope(api.post("/api/agents", json={}, headers=headers), 200)["agents"]
    assert [a["username"] for a in agents] == [sub]
    for args, message in (
        ((top, "--password", password, "--currency", "PHP"), "exists already"),
        (("x y", "--password", password, "--currency", "PHP"), "bad username"),
        ((f"a{secrets.token_hex(3)}", "--password", "short", "--currency", "PHP"), "at least 6"),
        ((f"a{secrets.token_hex(3)}", "--password", password, "--currency", "XXX"), "unknown"),
        ((f"a{secrets.token_hex(3)}", "--password", password, "--currency", "PHP",
          "--balance", "1.234"), "more than 2 decimals"),
        ((f"a{secrets.token_hex(3)}", "--password", password, "--currency", "PHP",
          "--parent", "no_such_agent"), "no agent no_such_agent"),
        ((f"a{secrets.token_hex(3)}", "--password", password, "--currency", "THB",
          "--parent", top), "currency is PHP"),
    ):  # fmt: skip
        refused = wallet(db_url, "agent", "create", *args)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr


def test_the_demo_tree_runs_the_documents_quick_start(db_url: str, api: httpx.Client) -> None:
    seeded = wallet(db_url, "agent", "demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "agent: demo id:" in seeded.stdout and "player: Lykmyk agent: doctrinedark" in (
        seeded.stdout
    )
    again = wallet(db_url, "agent", "demo")  # once: a second run changes nothing
    assert again.returncode == 0 and again.stdout == seeded.stdout
    # Step 1, as the document writes it.
    login = api.post(
        "/api/auth/login",
        headers={"Content-Type": "application/json"},
        json={"agentUsername": "your_username", "agentPassword": "your_password"},
    )
    token = assert_envelope(login, 200)["token"]
    Server.extra_secrets.add(token)
    # Step 2.
    balance = api.post(
        "/api/balance",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        content=b"{}",
    )
    data = assert_envelope(balance, 200)
    assert data["username"] == "your_username" and data["currency"] == "PHP"
    assert set(data) >= {"balance", "credit", "creditLine", "totalAvailable", "bonus",
                         "frozenBalance", "currency"}  # fmt: skip
    # The SDKs' login (demo / "***"), and demo's tree.
    sdk = api.post("/api/auth/login", json={"agentUsername": "demo", "agentPassword": "***"})
    demo_token = assert_envelope(sdk, 200)["token"]
    Server.extra_secrets.add(demo_token)
    headers = {"Authorization": f"Bearer {demo_token}"}
    found = assert_envelope(
        api.post("/api/player/search", json={"playerUsername": "Lykmyk"}, headers=headers), 200
    )["players"]
    assert [p["username"] for p in found] == ["Lykmyk"]
