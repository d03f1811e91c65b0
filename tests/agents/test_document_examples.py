"""The document's quick start (its three calls) and its Python SDK example, exactly as written
with only the base URL changed, against the demo tree `make run` seeds (`wallet agent demo`)."""

from __future__ import annotations

import contextlib
import io
import re

import httpx

from tests.agents.test_auth import assert_envelope
from tests.agents.test_cli import wallet
from tests.support import Server

# The document's Python SDK example, verbatim (only BASE differs, set by the test).
PYTHON_SDK = """
import requests

BASE = "https://747.innoserver.cloud/api"

# Login
login = requests.post(f"{BASE}/auth/login", json={
    "agentUsername": "demo",
    "agentPassword": "***"
}).json()
token = login["data"]["token"]
headers = {"Authorization": f"Bearer {token}"}

# Smart transfer
result = requests.post(f"{BASE}/transfer",
    headers=headers,
    json={
        "playerUsername": "Lykmyk",
        "type": "deposit",
        "amount": 100,
        "paymentMethod": "gcash"
    }
).json()
print(result["data"]["txId"]) # ST-20260328-000001
"""


def test_the_quick_start_in_three_calls(db_url: str, api: httpx.Client) -> None:
    assert wallet(db_url, "agent", "demo").returncode == 0
    login = api.post(
        "/api/auth/login",
        headers={"Content-Type": "application/json"},
        content=b'{\n"agentUsername": "your_username",\n"agentPassword": "your_password"\n}',
    )
    token = assert_envelope(login, 200)["token"]
    Server.extra_secrets.add(token)
    balance = api.post(
        "/api/balance",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        content=b"{}",
    )
    before = assert_envelope(balance, 200)["balance"]
    transfer = api.post(
        "/api/transfer",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Idempotency-Key": f"unique-uuid-{token[-12:]}",
        },
        content=b'{\n"playerUsername": "PlayerName",\n"type": "deposit",\n"amount": 100,\n'
        b'"paymentMethod": "gcash",\n"paymentReference": "GC-12345"\n}',
    )
    data = assert_envelope(transfer, 200)
    assert re.fullmatch(r"ST-\d{8}-\d{6}", data["txId"])
    assert (data["isBypass"], data["paymentMethod"], data["amount"]) == (False, "gcash", 100)
    assert (data["agentBalanceBefore"], data["agentBalanceAfter"]) == (before, before - 100)


def test_the_python_sdk_example_as_written(
    db_url: str, api: httpx.Client, agent_server: Server
) -> None:
    assert wallet(db_url, "agent", "demo").returncode == 0
    code = PYTHON_SDK.replace("https://747.innoserver.cloud/api", f"{agent_server.base_url}/api")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})  # the document's own example, run as written
    tx_id = printed.getvalue().strip()
    assert re.fullmatch(r"ST-\d{8}-\d{6}", tx_id), tx_id
