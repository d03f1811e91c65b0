"""Secrets never reach the logs: a server with its own keys takes valid, wrongly signed and
garbage calls (at debug level), and its log holds none of the keys."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping

import httpx

from loadtest.studios.ambslot import callback_fields, post
from tests.support import Server
from wallet.directory.players import Player


def test_configured_secrets_never_appear_in_the_log(
    start_server: Callable[[Mapping[str, str]], Server], make_player: Callable[..., Player]
) -> None:
    amb_key, iga_secret = secrets.token_hex(16), secrets.token_hex(16)
    srv = start_server(
        {"AMBSLOT_KEY": amb_key, "IGAMINGACE_SECRET": iga_secret, "LOG_LEVEL": "debug"}
    )
    player = make_player(balance_minor=100_000)
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        fields = callback_fields("bet", player.username, secrets.token_hex(6), amount_minor=100)
        assert post(client, "bet", fields, key=amb_key).json()["status"]["code"] == 0
        assert post(client, "bet", fields, key="wrong-key").json()["status"]["code"] == 998
        client.post("/ambslot/bet", content=b"{not json")
        client.post("/igamingace/Withdraw", json={"agentID": "Partner01", "sign": iga_secret})
        client.post(
            "/igamingace/GetBalance",
            json={"agentID": "Partner01", "userID": player.username, "sign": "X" * 64},
        )
    log = srv.settled_log()
    assert '"caller": "ambslot"' in log  # the log is there and carries the calls
    assert amb_key not in log and iga_secret not in log
