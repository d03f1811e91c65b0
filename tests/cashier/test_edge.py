"""The edge toolkit on the cashier API (wallet/web/): a field named twice, a sum with an
exponent (1E-2 is not 0.01 here: it was accepted before issue 24), a NUL or a lone surrogate,
and the one idempotency-key rule: each a clear 400 in the document's wording, nothing moved."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.cashier.conftest import Desk


def put_raw(desk: Desk, player: object, body: str, **headers: str) -> object:
    return desk.call(
        "PUT", f"/cashier/players/{player}/balance/add",
        content=body.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": "application/json", **headers},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"sum": 1, "sum": 500}', "The request body must not name a field twice."),
        ('{"sum": 1E-2}', "The sum must be a number."),
        ('{"sum": 1e2}', "The sum must be a number."),
        ('{"sum": "1e2"}', "The sum must be a number."),
        ('{"sum": 1, "wager": "\\u0000"}',
         "The request body has a NUL character or an unpaired surrogate."),
        ('{"sum": 1, "x": "\\udc00"}',
         "The request body has a NUL character or an unpaired surrogate."),
    ],
)  # fmt: skip
def test_refused_bodies_move_nothing(
    open_desk: Callable[..., Desk], body: str, message: str
) -> None:
    desk = open_desk("default", 1000_00)
    player = desk.create_player(username=f"edge{desk.cashier_id}x", password="secret123")
    answer = put_raw(desk, player["id"], body)
    assert answer.status_code == 400, answer.text  # type: ignore[attr-defined]
    assert answer.json() == {"fail": True, "message": message}  # type: ignore[attr-defined]
    shown = desk.call("GET", f"/cashier/players/{player['id']}").json()["data"]
    assert shown["balance"] == 0


def test_a_player_with_a_nul_in_its_name_is_refused(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk()
    body = b'{"username": "abc\\u0000def", "password": "secret123"}'
    headers = {"Content-Type": "application/json"}
    answer = desk.call("POST", "/cashier/players", content=body, headers=headers)
    assert answer.status_code == 400, answer.text


def test_one_idempotency_key_rule(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk("default", 1000_00)
    player = desk.create_player(username=f"edgek{desk.cashier_id}", password="secret123")
    path = f"/cashier/players/{player['id']}/balance/add"

    def deposit(key: bytes) -> httpx.Response:
        return desk.call("PUT", path, json={"sum": 10}, headers={"Idempotency-Key": key})

    first = deposit(b"k" * 255)  # the rule of every interface now
    assert first.status_code == 200, first.text
    assert deposit(b"k" * 255).json() == first.json()
    for bad in (b"k" * 256, "caf\u00e9".encode("latin-1")):
        answer = deposit(bad)
        assert answer.status_code == 400, answer.text
        assert answer.json()["message"].startswith("The Idempotency-Key header must be 1 to 255")
    shown = desk.call("GET", f"/cashier/players/{player['id']}").json()["data"]
    assert shown["balance"] == 10
