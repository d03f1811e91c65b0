"""Issue #21, finding 5: `wallet operator-key revoke|list`. A revoked key is refused by the lobby
API from the next request on; the list never shows a key; bad input exits 2."""

from __future__ import annotations

import re
import secrets

import httpx

from tests.agents.test_cli import wallet
from tests.support import Server

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def _deposit(server: Server, key: str) -> httpx.Response:
    # No transfer studio is configured on this server: a valid key gets "unknown studio" (404),
    # a refused one 401, before anything else is looked at.
    return httpx.post(
        f"{server.base_url}/transfer-wallet/nostudio/deposit",
        json={"player": "p", "amount": "1.00"},
        headers={"authorization": f"Bearer {key}", "idempotency-key": "k1"},
        timeout=10,
    )


def test_revoke_and_list_operator_keys(db_url: str, server: Server) -> None:
    name = f"lobby{secrets.token_hex(3)}"
    made = wallet(db_url, "operator-key", "create", name)
    assert made.returncode == 0, made.stderr
    key = made.stdout.split("key: ")[-1].strip()
    Server.extra_secrets.add(key)
    assert _deposit(server, key).status_code == 404

    listed = wallet(db_url, "operator-key", "list")
    assert re.search(rf"^operator-key: {name} id: \d+ created: {TIME} status: active$",
                     listed.stdout, re.MULTILINE), listed.stdout  # fmt: skip
    assert key not in listed.stdout

    revoked = wallet(db_url, "operator-key", "revoke", name)
    assert revoked.returncode == 0, revoked.stderr
    assert re.fullmatch(rf"operator-key: {name} id: \d+ created: {TIME} status: revoked"
                        rf" revoked: {TIME}\n", revoked.stdout), revoked.stdout  # fmt: skip
    assert _deposit(server, key).status_code == 401
    assert wallet(db_url, "operator-key", "revoke", name).stdout == revoked.stdout  # as it was
    assert f"operator-key: {name} " in wallet(db_url, "operator-key", "list").stdout


def test_operator_key_commands_refuse_bad_input(db_url: str) -> None:
    nobody = f"nobody{secrets.token_hex(3)}"
    done = wallet(db_url, "operator-key", "revoke", nobody)
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        f"wallet: no operator key {nobody}\n",
    )
    done = wallet(db_url, "operator-key", "list", "--limit", "x")
    assert done.returncode == 2 and "argument --limit" in done.stderr
