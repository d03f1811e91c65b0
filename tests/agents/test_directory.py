"""Players & agents: registration rules, lists with start/limit, search, a player's balance;
an agent's player plays at the studios with the balance its agent gave it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx

from loadtest.studios.ambslot import callback_fields, post
from tests.agents.conftest import Desk
from tests.agents.test_auth import assert_envelope
from tests.support import LoopThread, Server
from wallet.ledger.database import LedgerDB


def test_register_a_player_with_every_field(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk()
    name = f"Pl_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(9)
    Server.extra_secrets.add(password)
    data = desk.ok(
        "/player/register",
        {
            "username": name,
            "email": f"{name}@example.com",
            "password": password,
            "firstName": "Juan",
            "lastName": "Cruz",
            "middleName": "Dela",
            "mobile": "+639171234567",
            "country": "PH",
            "birthDate": "1990-02-28",
        },
    )
    assert data["username"] == name and data["affiliateId"] == str(desk.agent.id)
    assert (data["firstname"], data["lastname"], data["phoneNumber"]) == (
        "Juan",
        "Cruz",
        "+639171234567",
    )
    assert data["currency"] == "PHP" and data["playerId"].isdigit()
    row = loop.run(
        ledger.one(
            "SELECT p.shop_id, o.password_hash, o.birth_date::text FROM players p"
            " JOIN agent_players o ON o.player_id = p.id WHERE p.username = %s",
            (name,),
        )
    )
    assert row is not None and row[0] is None  # a plain player: the studios' hot path
    assert row[1].startswith("$argon2id$") and password not in row[1]
    assert row[2] == "1990-02-28"
    # The same username again (any tree): 400.
    again = desk.call(
        "/player/register", {"username": name, "email": "a@example.com", "password": password}
    )
    assert_envelope(again, 400, "BAD_REQUEST")


def test_registration_refuses_bad_fields(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk()
    good = {"username": f"u_{secrets.token_hex(4)}", "email": "x@example.com", "password": "abcdef"}
    for change in (
        {"username": None},
        {"username": "a b"},
        {"username": "ab"},
        {"username": 12345},
        {"email": None},
        {"email": "not-an-email"},
        {"password": None},
        {"password": "short"},
        {"birthDate": "1990-02-30"},
        {"birthDate": "28/02/1990"},
        {"firstName": "x" * 101},
        {"mobile": 639171234567},
    ):
        body = {k: v for k, v in {**good, **change}.items() if v is not None}
        player_only = set(change) & {"birthDate", "mobile"}  # not fields of an agent
        for path in (
            ("/player/register",) if player_only else ("/player/register", "/agent/register")
        ):
            assert_envelope(desk.call(path, body), 400, "BAD_REQUEST")
    assert desk.ok("/players")["total"] == 0
    assert desk.ok("/agents")["total"] == 0
    other_currency = {**good, "currency": "THB"}
    assert_envelope(desk.call("/agent/register", other_currency), 400, "BAD_REQUEST")


def test_register_a_sub_agent_who_logs_in(
    open_desk: Callable[..., Desk], api: httpx.Client
) -> None:
    desk = open_desk(100_00)
    name = f"sub_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(9)
    Server.extra_secrets.add(password)
    body = {"username": name, "email": f"{name}@example.com", "password": password,
            "firstName": "Ana", "lastName": "Reyes"}  # fmt: skip
    data = desk.ok("/agent/register", body)
    assert data["username"] == name and data["parentAffiliateId"] == str(desk.agent.id)
    assert (data["currency"], data["status"], data["email"]) == ("PHP", "active", body["email"])
    assert_envelope(desk.call("/agent/register", body), 400, "BAD_REQUEST")  # taken
    login = api.post("/api/auth/login", json={"agentUsername": name, "agentPassword": password})
    token = assert_envelope(login, 200)["token"]
    Server.extra_secrets.add(token)
    desk.ok("/agent/deposit", {"agentTarget": name, "amount": 25})
    wallet = assert_envelope(
        api.post("/api/balance", json={}, headers={"Authorization": f"Bearer {token}"}), 200
    )
    assert wallet["balance"] == 25


def test_lists_page_with_start_and_limit(open_desk: Callable[..., Desk]) -> None:
    top = open_desk()
    subs = [open_desk(parent=top.agent) for _ in range(3)]
    grandchild = open_desk(parent=subs[0].agent)
    names = [top.register_player() for _ in range(3)] + [subs[1].register_player()]
    names.append(grandchild.register_player())
    players = top.ok("/players")
    assert (players["count"], players["total"]) == (5, 5)
    assert [p["username"] for p in players["players"]] == names
    page = top.ok("/players", {"start": 1, "limit": 2})
    assert [p["username"] for p in page["players"]] == names[1:3]
    assert (page["count"], page["total"]) == (2, 5)
    assert top.ok("/players", {"start": 5})["players"] == []
    # A sub-agent sees its own subtree only.
    assert [p["username"] for p in subs[0].ok("/players")["players"]] == [names[4]]
    agents = top.ok("/agents")
    expected = [s.username for s in subs] + [grandchild.username]
    assert [a["username"] for a in agents["agents"]] == expected
    assert agents["agents"][3]["parentAffiliateId"] == str(subs[0].agent.id)
    assert set(agents["agents"][0]) == {
        "affiliateId", "username", "email", "firstName", "lastName", "currency", "status",
        "parentAffiliateId", "registerDate",
    }  # fmt: skip
    only = top.ok("/agents", {"username": grandchild.username[3:9]})
    assert [a["username"] for a in only["agents"]] == [grandchild.username]
    assert top.ok("/agents", {"limit": 1, "start": 1})["agents"][0]["username"] == expected[1]
    assert subs[1].ok("/agents")["total"] == 0
    # Search: a partial match, within the subtree.
    found = top.ok("/player/search", {"playerUsername": names[4][3:]})
    assert [p["username"] for p in found["players"]] == [names[4]]
    assert top.ok("/player/search", {"playerUsername": "%"})["players"] == []
    assert_envelope(top.call("/player/search", {}), 400, "BAD_REQUEST")


def test_an_agents_player_plays_at_the_studio(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread, http: httpx.Client
) -> None:
    """The studios call an agent's player by username, with the balance the agent gave it."""
    desk = open_desk(100_00)
    player = desk.register_player()
    desk.ok("/deposit", {"playerUsername": player, "amount": 50})
    round_id = secrets.token_hex(8)
    fields: dict[str, Any] = callback_fields(
        "bet", player, round_id, currency="PHP", amount_minor=2000
    )
    answer = post(http, "bet", fields)
    assert answer.status_code == 200 and answer.json()["status"]["code"] == 0, answer.text
    player_id = desk.ok("/player/search", {"playerUsername": player})["players"][0]["playerId"]
    assert desk.ok("/player/balance", {"playerId": player_id})["balance"] == 30
    desk.ok("/withdraw", {"playerUsername": player, "amount": 30})
    assert desk.balance()["balance"] == 80
