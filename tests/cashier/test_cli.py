"""The operator's commands for shops: `wallet shop create`, `wallet cashier create`, `wallet
apikey create`. One line each, secrets shown once; bad input exits 2 with a clear message. What
they print is enough to log in (docs/cashier.md's walk-through)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable

import httpx

from tests.cashier.conftest import Desk, login
from tests.support import LoopThread, Server
from wallet.config import ROOT_DIR
from wallet.ledger.database import LedgerDB


def wallet(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wallet.cli", *args],
        env={**os.environ, "DATABASE_URL": db_url},
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_shop_cashier_and_key_from_the_command_line(
    db_url: str, ledger: LedgerDB, loop: LoopThread, api: httpx.Client
) -> None:
    name = f"SHOP{secrets.token_hex(3)}"
    made = wallet(
        db_url, "shop", "create", name, "--currency", "usd", "--balance", "4460", "--mode", "river"
    )
    assert made.returncode == 0, made.stderr
    assert re.fullmatch(
        rf"shop: {name} id: \d+ currency: USD mode: river balance: 4460\.00\n", made.stdout
    )
    cashier = f"S_{secrets.token_hex(4)}"
    made = wallet(db_url, "cashier", "create", cashier, "--shop", name)
    assert made.returncode == 0, made.stderr
    found = re.fullmatch(
        rf"cashier: {cashier} id: \d+ shop: {name} role: cashier password: (\S+)\n", made.stdout
    )
    assert found
    password = found.group(1)
    Server.extra_secrets.add(password)
    sub = wallet(db_url, "cashier", "create", f"sub{secrets.token_hex(3)}", "--shop", name, "--sub")
    assert sub.returncode == 0 and "role: sub_cashier" in sub.stdout
    made = wallet(
        db_url,
        "apikey",
        "create",
        "--shop",
        name,
        "--domain",
        "https://shop.example",
        "--ip",
        "127.0.0.1/32",
        "10.0.0.0/8",
    )
    assert made.returncode == 0, made.stderr
    found = re.fullmatch(
        rf"apikey: \d+ shop: {name} domain: https://shop.example ip: 127.0.0.1/32,10.0.0.0/8"
        r" key: (\S+)\n",
        made.stdout,
    )
    assert found
    key = found.group(1)
    Server.extra_secrets.add(key)
    stored = loop.run(
        ledger.all("SELECT password_hash FROM cashiers WHERE username = %s", (cashier,))
    )
    assert stored[0][0].startswith("$argon2id$") and password not in stored[0][0]

    token = login(api, key, cashier, password).json()["token"]
    Server.extra_secrets.add(token)
    me = api.get(
        "/api/cashier/me", params={"key": key}, headers={"Authorization": f"Bearer {token}"}
    )
    assert me.json()["data"]["cashier"]["shop_balance"] == 4460
    assert me.json()["data"]["logic_of_balance"] == "river"


def test_bad_input_exits_2_with_a_message(db_url: str) -> None:
    name = f"SHOP{secrets.token_hex(3)}"
    assert wallet(db_url, "shop", "create", name, "--currency", "USD").returncode == 0
    for args, message in (
        (("shop", "create", name, "--currency", "USD"), f"shop {name} exists already"),
        (("shop", "create", "bad name", "--currency", "USD"), "bad shop name"),
        (("shop", "create", "x" + name, "--currency", "XXX"), "unknown currency XXX"),
        (
            ("shop", "create", "y" + name, "--currency", "USD", "--balance", "1.234"),
            "bad --balance",
        ),
        (("cashier", "create", "someone", "--shop", "NoSuchShop"), "no shop NoSuchShop"),
        (("cashier", "create", "bad name!", "--shop", name), "bad username"),
        (("apikey", "create", "--shop", name, "--ip", "10.0.0.1/8"), "bad --ip '10.0.0.1/8'"),
        (
            ("apikey", "create", "--shop", name, "--domain", "https://a.example/path"),
            "bad --domain",
        ),
    ):
        done = wallet(db_url, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.startswith("wallet: ") and message in done.stderr, done.stderr
        assert done.stdout == ""
    mode = wallet(db_url, "shop", "create", "z" + name, "--currency", "USD", "--mode", "rivers")
    assert mode.returncode == 2 and "invalid choice" in mode.stderr


def test_a_shops_bonus_settings_from_the_command_line_apply_to_its_next_deposits(
    db_url: str, ledger: LedgerDB, loop: LoopThread, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk("default", float_minor=100_000)
    name = desk.shop.name
    done = wallet(
        db_url, "shop", "set", name, "--wager-bonus-percent", "12.5", "--wager-multiplier", "3"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"shop: {name} mode: default wager_bonus: 12.50% wager_multiplier: 3"
        " bounce_back: 10.00% bounce_back_threshold: 1.00\n"
    )
    player = desk.create_player(username=f"p{secrets.token_hex(4)}", password="secret123")
    answer = desk.deposit(player["id"], 40, wager=True)
    assert answer.status_code == 200, answer.text
    shown = desk.call("GET", f"/cashier/players/{player['id']}").json()["data"]
    assert (shown["wager_bonus"], shown["wager_bonus_amount"]) == (5, 15)  # 12.5% of 40, x3
    for args, message in (
        (("shop", "set", name, "--wager-bonus-percent", "1000.01"), "a percent from 0 to 1000"),
        (("shop", "set", name, "--bounce-back-percent", "0.001"), "bad --bounce-back-percent"),
        (("shop", "set", name, "--bounce-back-threshold", "1.234"), "bad --bounce-back-threshold"),
        (("shop", "set", name, "--wager-multiplier", "-1"), "bad --wager-multiplier"),
        (("shop", "set", "NoSuchShop", "--wager-multiplier", "2"), "no shop NoSuchShop"),
    ):
        done = wallet(db_url, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr, done.stderr
