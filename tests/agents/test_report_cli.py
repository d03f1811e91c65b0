"""`wallet report product set|unset|list` and `wallet agent commission`: one line each, bad
input exits 2 with a message, and what they set is what the database then holds."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import psycopg

from tests.agents.test_cli import wallet
from wallet.directory.agents import Agent


def test_product_map_from_the_command_line(db_url: str) -> None:
    game = f"G{secrets.token_hex(4)}"
    made = wallet(db_url, "report", "product", "set", "ambslot", "Live Games", "--game", game)
    assert made.returncode == 0, made.stderr
    assert made.stdout == f"product: ambslot {game} -> Live Games\n"
    listed = wallet(db_url, "report", "product", "list")
    assert f"product: ambslot {game} -> Live Games" in listed.stdout.splitlines()
    assert "product: ambslot (default) -> Slots" in listed.stdout.splitlines()
    gone = wallet(db_url, "report", "product", "unset", "ambslot", "--game", game)
    assert gone.returncode == 0, gone.stderr
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT 1 FROM game_products WHERE game_id = %s", (game,)).fetchone()
    assert row is None
    for args in (
        ("set", "AMB Slot", "Slots"),
        ("set", "ambslot", " "),
        ("unset", "ambslot", "--game", game),
    ):
        bad = wallet(db_url, "report", "product", *args)
        assert bad.returncode == 2 and bad.stderr.startswith("wallet: "), (args, bad)


def test_agent_commission_from_the_command_line(
    db_url: str, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent()
    shown = wallet(db_url, "agent", "commission", agent.username)
    assert shown.stdout == f"agent: {agent.username} commission 0.00%\n", shown.stderr
    made = wallet(db_url, "agent", "commission", agent.username, "7.5")
    assert made.stdout == f"agent: {agent.username} commission 7.50%\n", made.stderr
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT variables FROM agent_notifications WHERE agent_id = %s"
            " AND title_key = 'commission.changed'",
            (agent.id,),
        ).fetchall()
    assert rows == [({"oldPercent": 0, "newPercent": 7.5, "setBy": "operator"},)]
    for args in ((agent.username, "100.01"), (agent.username, "1.234"), ("nobody_x", "1")):
        bad = wallet(db_url, "agent", "commission", *args)
        assert bad.returncode == 2 and bad.stderr.startswith("wallet: "), (args, bad)
