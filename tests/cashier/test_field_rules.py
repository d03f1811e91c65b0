"""Every field rule of the document: a 400 with fail: true and a message, nothing created or
moved. Amounts are exact: more decimals than the shop's currency is refused, never rounded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cashier.conftest import Desk
from tests.support import LoopThread
from wallet.ledger.database import LedgerDB


def _create(desk: Desk, raw: str = "", **body: Any) -> tuple[int, dict[str, Any]]:
    """raw: the body as JSON text (a number written as 10.000 or 1e3 stays so)."""
    if raw:
        answer = desk.call("POST", "/cashier/players", content=raw.encode())
    else:
        answer = desk.call("POST", "/cashier/players", json=body)
    return answer.status_code, answer.json()


def _players_of(ledger: LedgerDB, loop: LoopThread, desk: Desk) -> int:
    row = loop.run(ledger.one("SELECT count(*) FROM players WHERE shop_id = %s", (desk.shop.id,)))
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"password": "secret123"}, "The username field is required."),
        (
            {"username": "abc12", "password": "secret123"},
            "The username must be at least 6 characters.",
        ),
        (
            {"username": "abc-123", "password": "secret123"},
            "The username may only contain letters, numbers, and underscores.",
        ),
        ({"username": "valid_name"}, "The password field is required."),
        (
            {"username": "valid_name", "password": "12345"},
            "The password must be at least 6 characters.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "first_name": "abc"},
            "The first name must be at least 6 characters.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "first_name": "bad note!"},
            "The first name may only contain letters, numbers, and underscores.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "balance": 4.99},
            "The balance must be at least 5.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "balance": -5},
            "The balance must be greater than 0.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "balance": 10.001},
            "The balance must have at most 2 decimal places.",
        ),
        (
            {"raw": '{"username": "valid_name", "password": "secret123", "balance": 10.000}'},
            "The balance must have at most 2 decimal places.",
        ),
        (
            {"raw": '{"username": "valid_name", "password": "secret123", "balance": 1e3}'},
            "The balance must be a number.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "balance": "ten"},
            "The balance must be a number.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "wager": "yes"},
            "The wager field must be true or false.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "platform": "Thunder8"},
            "The selected platform is invalid.",
        ),
        (
            {"username": "valid_name", "password": "secret123", "platform": 3},
            "The selected platform is invalid.",
        ),
    ],
)
def test_create_rules(
    open_desk: Callable[..., Desk],
    ledger: LedgerDB,
    loop: LoopThread,
    body: dict[str, Any],
    message: str,
) -> None:
    desk = open_desk(mode="default")
    status, answer = _create(desk, **body)
    assert (status, answer) == (400, {"fail": True, "message": message})
    assert _players_of(ledger, loop, desk) == 0


def test_platforms_and_first_name(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(mode="river")
    for platform, stored in (
        ("River", "River"),
        ("Thunder7", "Thunder7"),
        (1, "River"),
        ("2", "Thunder7"),
        (None, "River"),
    ):
        body = {} if platform is None else {"platform": platform}
        status, answer = _create(desk, **body)
        assert status == 200, answer
        row = loop.run(
            ledger.one("SELECT platform FROM players WHERE id = %s", (answer["data"]["id"],))
        )
        assert row == (stored,)
    note = f"note_{desk.shop.id:06d}"
    status, answer = _create(desk, first_name=note)
    assert status == 200 and answer["data"]["first_name"] == note
    assert _create(desk, first_name=note) == (
        400,
        {"fail": True, "message": "The first name has already been taken."},
    )


def test_deposit_and_withdraw_amount_rules(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(mode="default")
    made = desk.call(
        "POST",
        "/cashier/players",
        json={"username": f"amt_{desk.shop.id:06d}", "password": "secret123", "balance": 20},
    ).json()["data"]
    add = f"/cashier/players/{made['id']}/balance/add"
    out = f"/cashier/players/{made['id']}/balance/out"
    for path, body, message in (
        (add, {}, "The sum field is required."),
        (add, {"sum": 0}, "The sum must be greater than 0."),
        (add, {"sum": -1}, "The sum must be greater than 0."),
        (add, {"sum": 1.234}, "The sum must have at most 2 decimal places."),
        (add, {"sum": 0.001}, "The sum must have at most 2 decimal places."),
        (add, {"sum": True}, "The sum must be a number."),
        (add, {"sum": 10, "wager": 2}, "The wager field must be true or false."),
        (out, {}, "The sum field is required when all is false."),
        (out, {"sum": 1.005}, "The sum must have at most 2 decimal places."),
        (out, {"sum": 10, "all": "maybe"}, "The all field must be true or false."),
    ):
        answer = desk.call("PUT", path, json=body)
        assert (answer.status_code, answer.json()) == (400, {"fail": True, "message": message}), (
            body
        )
    garbage = desk.call(
        "PUT", add, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert garbage.status_code == 400 and garbage.json()["fail"] is True
    exact = desk.deposit(made["id"], 0.1)  # a float-unfriendly amount, exact in the ledger
    assert exact.status_code == 200 and exact.json()["data"]["balance"] == 20.1
    assert desk.deposit(made["id"], "0.20").json()["data"]["balance"] == 20.3
    row = loop.run(
        ledger.one(
            "SELECT balance_minor FROM accounts"
            " WHERE owner_type = 'player' AND owner_id = %s AND purpose = 'main'",
            (made["id"],),
        )
    )
    assert row == (2030,)


def test_a_currency_without_decimals_refuses_any(
    ledger: LedgerDB, loop: LoopThread, api: Any
) -> None:
    from tests.cashier.conftest import login, make_cashier, make_key, make_shop

    shop = make_shop(ledger, loop, "default", 1_000_000, currency="KRW")
    _, username, password = make_cashier(ledger, loop, shop)
    key = make_key(ledger, loop, shop)
    token = login(api, key, username, password).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    made = api.post(
        "/api/cashier/players",
        params={"key": key},
        headers=headers,
        json={"username": f"krw_{shop.id:06d}", "password": "secret123", "balance": 1000},
    ).json()
    assert made["data"]["balance"] == 1000
    refused = api.put(
        f"/api/cashier/players/{made['data']['id']}/balance/add",
        params={"key": key},
        headers=headers,
        json={"sum": 10.5},
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "fail": True,
        "message": "The sum must have at most 0 decimal places.",
    }
