"""Issue #21, finding 5: no one could be turned off without SQL. `wallet cashier block|unblock|
password|list` and `wallet apikey revoke|list` against a real server: one line each, what they
change holds at once (a blocked cashier's and an old password's sessions die), bad input exits 2
with a message."""

from __future__ import annotations

import re
import secrets

import httpx

from tests.cashier.conftest import login, make_cashier, make_key, make_shop
from tests.cashier.test_cli import wallet
from tests.support import LoopThread, Server
from wallet.ledger.database import LedgerDB

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def _me(api: httpx.Client, key: str, token: str) -> int:
    answer = api.get(
        "/api/cashier/me", params={"key": key}, headers={"authorization": f"Bearer {token}"}
    )
    return answer.status_code


def _token(api: httpx.Client, key: str, username: str, password: str) -> str:
    answer = login(api, key, username, password)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    Server.extra_secrets.add(token)
    return token


def test_block_unblock_password_and_list_a_cashier(
    db_url: str, ledger: LedgerDB, loop: LoopThread, api: httpx.Client
) -> None:
    shop = make_shop(ledger, loop, "default", 0)
    _, name, password = make_cashier(ledger, loop, shop)
    key = make_key(ledger, loop, shop)
    first = _token(api, key, name, password)

    blocked = wallet(db_url, "cashier", "block", name)
    assert blocked.returncode == 0, blocked.stderr
    assert blocked.stdout == f"cashier: {name} shop: {shop.name} status: blocked sessions: ended\n"
    assert _me(api, key, first) == 403
    assert login(api, key, name, password).status_code == 400  # as any wrong login

    unblocked = wallet(db_url, "cashier", "unblock", name)
    assert unblocked.stdout == f"cashier: {name} shop: {shop.name} status: active\n"
    assert _me(api, key, first) == 403  # a session of before the block stays dead
    second = _token(api, key, name, password)
    assert _me(api, key, second) == 200

    changed = wallet(db_url, "cashier", "password", name)
    assert changed.returncode == 0, changed.stderr
    found = re.fullmatch(
        rf"cashier: {name} shop: {shop.name} sessions: ended password: (\S{{16}})\n", changed.stdout
    )
    assert found, changed.stdout
    Server.extra_secrets.add(found[1])
    assert _me(api, key, second) == 403
    assert login(api, key, name, password).status_code == 400
    assert _me(api, key, _token(api, key, name, found[1])) == 200

    listed = wallet(db_url, "cashier", "list", "--shop", shop.name)
    line = (
        rf"cashier: {name} id: \d+ shop: {shop.name} role: cashier status: active created: {TIME}"
    )
    assert re.fullmatch(line + "\n", listed.stdout), listed.stdout
    assert f"cashier: {name} " in wallet(db_url, "cashier", "list").stdout


def test_cashier_commands_refuse_bad_input(db_url: str) -> None:
    nobody = f"nobody_{secrets.token_hex(4)}"
    for args, message in [
        (("cashier", "block", nobody), f"wallet: no cashier {nobody}"),
        (("cashier", "unblock", nobody), f"wallet: no cashier {nobody}"),
        (("cashier", "password", nobody), f"wallet: no cashier {nobody}"),
        (("cashier", "list", "--shop", nobody), f"wallet: no shop {nobody}"),
        (("apikey", "list", "--shop", nobody), f"wallet: no shop {nobody}"),
        (("apikey", "revoke", "999999999999"), "wallet: no API key 999999999999"),
    ]:
        done = wallet(db_url, *args)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n"), args
    for args, message in [
        (("cashier", "list", "--limit", "0"), "argument --limit: from 1 to 10000"),
        (("apikey", "revoke", "key-1"), "argument id: the key's id"),
    ]:
        done = wallet(db_url, *args)
        assert done.returncode == 2 and message in done.stderr and not done.stdout, args


def test_revoke_and_list_api_keys(
    db_url: str, ledger: LedgerDB, loop: LoopThread, api: httpx.Client
) -> None:
    shop = make_shop(ledger, loop, "default", 0)
    _, name, password = make_cashier(ledger, loop, shop)
    key = make_key(ledger, loop, shop, ips=("127.0.0.1/32",))
    token = _token(api, key, name, password)
    listed = wallet(db_url, "apikey", "list", "--shop", shop.name)
    found = re.fullmatch(
        rf"apikey: (\d+) shop: {shop.name} domain: - ip: 127\.0\.0\.1/32 created: {TIME}"
        r" status: active\n",
        listed.stdout,
    )
    assert found, listed.stdout
    assert key not in listed.stdout

    revoked = wallet(db_url, "apikey", "revoke", found[1])
    assert revoked.returncode == 0, revoked.stderr
    assert re.fullmatch(
        rf"apikey: {found[1]} shop: {shop.name} domain: - ip: 127\.0\.0\.1/32 created: {TIME}"
        rf" status: revoked revoked: {TIME}\n",
        revoked.stdout,
    ), revoked.stdout
    answer = api.get(
        "/api/cashier/me", params={"key": key}, headers={"authorization": f"Bearer {token}"}
    )
    assert (answer.status_code, answer.json()["message"]) == (403, "Invalid API key.")
    assert login(api, key, name, password).status_code == 403
    again = wallet(db_url, "apikey", "revoke", found[1])  # already revoked: as it was
    assert again.returncode == 0 and again.stdout == revoked.stdout
    assert "status: revoked" in wallet(db_url, "apikey", "list", "--shop", shop.name).stdout
