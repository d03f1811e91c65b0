"""The document's curl examples, one by one, through a real server: each answers in the
document's shape (seeds/cashier-api.txt), and the common error rows (400, 403, 404) too. Where
an answer carries fields beside the document's (wallet/cashier/till.py, the console as a till:
/cashier/me's currency, time zone, login and till; a move's `sum`, a reverse's `sum` and
`bonus`), they are named here too, and the document's fields are unchanged."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx

from tests.cashier.conftest import Desk, login, make_cashier, make_key, make_shop
from tests.support import LoopThread
from wallet.ledger.database import LedgerDB

PLAYER_FIELDS = [
    "id",
    "username",
    "river_login",
    "first_name",
    "status",
    "shop_id",
    "parent_id",
    "balance",
    "balance_Win",
    "withdrawal",
    "wager_bonus",
    "wager_bonus_amount",
    "bounce_back",
    "created_at",
]
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


def test_login_answers_a_token(ledger: LedgerDB, loop: LoopThread, api: httpx.Client) -> None:
    shop = make_shop(ledger, loop, "river", 446_000)
    _, username, password = make_cashier(ledger, loop, shop)
    key = make_key(ledger, loop, shop)
    answer = login(api, key, username, password)
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is True and body["message"] == "Authorization is successful."
    assert set(body) == {"success", "message", "token"} and body["token"].count(".") == 2


def test_login_with_wrong_credentials_is_400(
    ledger: LedgerDB, loop: LoopThread, api: httpx.Client
) -> None:
    shop = make_shop(ledger, loop, "default", 0)
    _, username, password = make_cashier(ledger, loop, shop)
    key = make_key(ledger, loop, shop)
    for name, word in ((username, password + "x"), ("nobody_here", password)):
        answer = login(api, key, name, word)
        assert answer.status_code == 400
        assert answer.json() == {"fail": True, "message": "Invalid credentials."}
    answer = api.post("/api/login", params={"key": key}, headers=JSON_HEADERS, json={})
    assert answer.status_code == 400
    assert answer.json() == {"fail": True, "message": "The username field is required."}


def test_logout_then_the_token_is_refused(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk()
    answer = desk.call("POST", "/logout")
    assert answer.status_code == 200
    assert answer.json() == {"success": True, "message": "Logout is successful."}
    again = desk.call("GET", "/cashier/me")
    assert again.status_code == 403
    assert again.json() == {"fail": True, "message": "No permission"}


def test_cashier_me(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(mode="river", float_minor=446_000)
    answer = desk.call("GET", "/cashier/me")
    assert answer.status_code == 200
    logged_in_at = answer.json()["data"]["logged_in_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", logged_in_at)
    assert answer.json() == {
        "success": True,
        "data": {
            "cashier": {
                "id": desk.cashier_id,
                "username": desk.username,
                "role": "cashier",
                "shop_id": desk.shop.id,
                "shop": desk.shop.name,
                "shop_balance": 4460,
            },
            "logic_of_balance": "river",
            # Beside the document's fields:
            "currency": "USD",
            "decimals": 2,
            "time_zone": "UTC",
            "logged_in_at": logged_in_at,
            "till": {"confirm_above": 500, "quick_amounts": [10, 20, 50, 100, 200, 500]},
        },
    }


def test_list_players_with_search_and_meta(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(mode="river")
    made = desk.create_player(balance=25)
    desk.create_player()
    answer = desk.call(
        "GET", "/cashier/players", params={"per_page": "50", "search": made["username"]}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is True
    assert body["meta"] == {"current_page": 1, "last_page": 1, "per_page": 50, "total": 1}
    (row,) = body["data"]
    assert list(row) == PLAYER_FIELDS
    assert row["username"] == made["username"] and row["balance"] == 25
    assert row["river_login"] == "-".join(made["username"][i : i + 2] for i in range(0, 12, 2))


def test_list_pages(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk()
    names = [f"pager_{i:02d}_{desk.shop.id}" for i in range(12)]
    for name in names:
        desk.create_player(username=name, password="secret123")
    page2 = desk.call("GET", "/cashier/players", params={"per_page": "10", "page": "2"}).json()
    assert page2["meta"] == {"current_page": 2, "last_page": 2, "per_page": 10, "total": 12}
    assert [row["username"] for row in page2["data"]] == names[1::-1]  # newest first
    default = desk.call("GET", "/cashier/players").json()
    assert default["meta"]["per_page"] == 50 and len(default["data"]) == 12
    by_note = desk.call("GET", "/cashier/players", params={"search": "PAGER_03"}).json()
    assert [row["username"] for row in by_note["data"]] == [names[3]]
    for bad in ("7", "x", "0"):
        refused = desk.call("GET", "/cashier/players", params={"per_page": bad})
        assert refused.status_code == 400 and refused.json()["fail"] is True


def test_get_player_by_id_by_username_and_by_path(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(mode="river")
    made = desk.create_player(balance=10)
    expected = {field: made[field] for field in PLAYER_FIELDS}
    for params, path in (
        ({"id": str(made["id"])}, "/cashier/player"),
        ({"username": made["username"]}, "/cashier/player"),
        ({}, f"/cashier/players/{made['id']}"),
        ({}, f"/cashier/players/{made['username']}"),
    ):
        answer = desk.call("GET", path, params=params)
        assert answer.status_code == 200, (path, params, answer.text)
        assert answer.json() == {"success": True, "data": expected}
    missing = desk.call("GET", "/cashier/player")
    assert missing.status_code == 400 and missing.json()["fail"] is True


def test_unknown_player_is_404_wrong_user(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk()
    for method, path, params, body in (
        ("GET", "/cashier/player", {"id": "999999999"}, None),
        ("GET", "/cashier/player", {"username": "nobody_at_all"}, None),
        ("GET", "/cashier/players/nobody_at_all", {}, None),
        ("POST", "/cashier/players/nobody_at_all/password", {}, {"password": "newSecret123"}),
        ("PUT", "/cashier/players/999999999/balance/add", {}, {"sum": 10}),
        ("PUT", "/cashier/players/999999999/balance/out", {}, {"sum": 10}),
        ("POST", "/cashier/players/999999999/reverse", {}, None),
    ):
        answer = desk.call(method, path, params=params, json=body)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json() == {"fail": True, "message": "Wrong user"}


def test_create_player_default_mode_example(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(mode="default")
    name = f"player{desk.shop.id:05d}"
    answer = desk.call(
        "POST",
        "/cashier/players",
        headers={"Content-Type": "application/json"},
        json={
            "username": name,
            "password": "secret123",
            "balance": 10,
            "wager": True,
            "platform": "River",
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["success"] is True and body["message"] == "User created successfully."
    data = body["data"]
    assert list(data) == PLAYER_FIELDS  # a chosen password is not echoed
    assert data["username"] == name and data["river_login"] is None
    assert (data["status"], data["shop_id"], data["parent_id"]) == (
        "Active",
        desk.shop.id,
        desk.cashier_id,
    )
    # The shop's defaults: a 10% Wager Bonus, wagered 5 times.
    assert (data["balance"], data["wager_bonus"], data["wager_bonus_amount"]) == (10, 1, 5)
    taken = desk.call("POST", "/cashier/players", json={"username": name, "password": "secret1"})
    assert taken.status_code == 400
    assert taken.json() == {"fail": True, "message": "The username has already been taken."}


def test_create_player_river_mode_example(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(mode="river")
    answer = desk.call(
        "POST",
        "/cashier/players",
        json={"balance": 10, "apply_bounceback": True, "platform": "River"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["message"] == "User created successfully."
    data = body["data"]
    assert list(data) == [*PLAYER_FIELDS, "password"]
    login_digits = data["username"]
    assert len(login_digits) == 12 and login_digits.isdigit()
    assert data["river_login"] == "-".join(login_digits[i : i + 2] for i in range(0, 12, 2))
    assert data["password"] == login_digits
    assert len(data["first_name"]) == 8 and data["first_name"].isdigit()
    assert (data["balance"], data["bounce_back"], data["balance_Win"]) == (10, 1, 0)


def test_change_password_by_id_in_url_and_by_username(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    from wallet.access.passwords import verify_password
    from wallet.directory.shop_players import find_shop_player

    desk = open_desk()
    made = desk.create_player(username=f"pw_{desk.shop.id:06d}", password="secret123")

    def stored() -> str:
        player = loop.run(
            ledger.one("SELECT password_hash FROM players WHERE id = %s", (made["id"],))
        )
        assert player is not None
        return str(player[0])

    answer = desk.call(
        "POST", f"/cashier/players/{made['id']}/password", json={"password": "newSecret123"}
    )
    assert answer.status_code == 200
    assert answer.json() == {"success": True, "message": "Password changed successfully."}
    assert verify_password(stored(), "newSecret123")
    answer = desk.call(
        "POST",
        "/cashier/player/password",
        params={"username": made["username"]},
        json={"password": "otherSecret9"},
    )
    assert answer.status_code == 200 and verify_password(stored(), "otherSecret9")
    short = desk.call("POST", f"/cashier/players/{made['id']}/password", json={"password": "12345"})
    assert short.status_code == 400
    assert short.json() == {"fail": True, "message": "The password must be at least 6 characters."}
    assert loop.run(find_shop_player(ledger, 1, player_id=made["id"])) is not None


def test_deposit_example(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(mode="river")
    made = desk.create_player(balance=25)
    answer = desk.call(
        "PUT",
        f"/cashier/players/{made['id']}/balance/add",
        headers={"Content-Type": "application/json"},
        json={"sum": 10, "wager": True, "apply_bounceback": True},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "success": True,
        "message": "Balance updated successfully.",
        "data": {
            "id": made["id"],
            "username": made["username"],
            "balance": 35,
            "balance_Win": 0,
            "withdrawal": 0,
            "wager_bonus": 0,
            "bounce_back": 1,  # River: the shop's 10% Bounce Back; wager is Default's
            "sum": 10,  # beside the document's fields: the cash deposited
        },
    }


def test_withdraw_and_withdraw_all_examples(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(mode="default")
    made = desk.create_player(username=f"wd_{desk.shop.id:06d}", password="secret123", balance=35)
    path = f"/cashier/players/{made['id']}/balance/out"
    answer = desk.call("PUT", path, json={"sum": 10})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["success"] is True and body["message"] == "Balance updated successfully."
    assert (body["data"]["balance"], body["data"]["withdrawal"]) == (25, 10)
    assert body["data"]["sum"] == 10  # beside the document's fields: the cash paid out
    everything = desk.call("PUT", path, json={"all": True}).json()
    assert (everything["data"]["balance"], everything["data"]["withdrawal"]) == (0, 35)
    assert everything["data"]["sum"] == 25  # what "all" took: the cash to hand over
    over = desk.call("PUT", path, json={"sum": 1})
    assert over.status_code == 400
    assert over.json() == {"fail": True, "message": "Insufficient funds in balance."}


def test_reverse_example(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(mode="default")
    made = desk.create_player(username=f"rv_{desk.shop.id:06d}", password="secret123", balance=5)
    assert desk.deposit(made["id"], 10).status_code == 200
    answer = desk.call("POST", f"/cashier/players/{made['id']}/reverse")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "success": True,
        "message": "Reverse completed successfully.",
        "data": {
            "id": made["id"],
            "username": made["username"],
            "balance": 5,
            "balance_Win": 0,
            "withdrawal": 0,
            # Beside the document's fields: what the reverse took back.
            "sum": 10,
            "bonus": 0,
        },
    }
    again = desk.call("POST", f"/cashier/players/{made['id']}/reverse")
    assert again.status_code == 400
    assert again.json() == {
        "fail": True,
        "message": "The latest deposit has already been reversed.",
    }


def test_invalid_platform_is_refused_and_makes_no_player(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(mode="default")
    name = f"plat_{desk.shop.id:06d}"
    answer = desk.call(
        "POST",
        "/cashier/players",
        json={"username": name, "password": "secret123", "balance": 10, "platform": "River2353454"},
    )
    assert answer.status_code == 400
    assert answer.json() == {"fail": True, "message": "The selected platform is invalid."}
    count = loop.run(ledger.one("SELECT count(*) FROM players WHERE shop_id = %s", (desk.shop.id,)))
    assert count == (0,)
    me = desk.call("GET", "/cashier/me").json()
    assert me["data"]["cashier"]["shop_balance"] == 1000  # nothing moved
