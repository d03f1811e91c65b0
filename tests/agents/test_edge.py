"""The edge toolkit on the agent API (wallet/web/): a field named twice, an amount with an
exponent (1E-2 is not 0.01 here: it was accepted before issue 24), a NUL or a lone surrogate,
and the one idempotency-key rule: each a clear 400, and nothing moved."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.agents.conftest import Desk
from tests.agents.test_auth import assert_envelope


def raw(desk: Desk, path: str, body: str, **headers: str) -> object:
    return desk.client.post(
        f"/api{path}",
        content=body.encode("utf-8", "surrogatepass"),
        headers={"Authorization": f"Bearer {desk.token}", "Content-Type": "application/json",
                 **headers},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{{"playerUsername": "{p}", "amount": 1, "amount": 500}}',
         "Request body must not name a field twice"),
        ('{{"playerUsername": "{p}", "playerUsername": "{p}", "amount": 1}}',
         "Request body must not name a field twice"),
        ('{{"playerUsername": "{p}", "amount": 1E-2}}', "amount must be a plain decimal number"),
        ('{{"playerUsername": "{p}", "amount": 1e2}}', "amount must be a plain decimal number"),
        ('{{"playerUsername": "{p}", "amount": 0.5E1}}', "amount must be a plain decimal number"),
        ('{{"playerUsername": "{p}", "amount": 1, "comment": "a\\u0000b"}}',
         "Request body has a NUL character or an unpaired surrogate"),
        ('{{"playerUsername": "{p}", "amount": 1, "comment": "\\ud800"}}',
         "Request body has a NUL character or an unpaired surrogate"),
    ],
)  # fmt: skip
def test_refused_bodies_move_nothing(
    open_desk: Callable[..., Desk], body: str, message: str
) -> None:
    desk = open_desk(1000_00)
    player = desk.register_player()
    for path in ("/deposit", "/transfer"):
        text = body.format(p=player)
        if path == "/transfer":
            text = text.replace('"amount"', '"type": "deposit", "amount"', 1)
        error = assert_envelope(raw(desk, path, text), 400, "BAD_REQUEST")  # type: ignore[arg-type]
        assert error["message"] == message, (path, error)
    assert desk.balance()["balance"] == 1000
    assert desk.ok("/player/search", {"playerUsername": player})["players"][0]["username"]


def test_percents_are_judged_as_written(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk()
    for body in ('{"action": "set", "surchargePercent": 2.5e0}', '{"percent": 1E1}'):
        path = "/bypass" if "surcharge" in body else "/agent/commission"
        error = assert_envelope(raw(desk, path, body), 400, "BAD_REQUEST")  # type: ignore[arg-type]
        assert "plain decimal number" in error["message"], error


def test_one_idempotency_key_rule(open_desk: Callable[..., Desk]) -> None:
    desk = open_desk(1000_00)
    player = desk.register_player()
    body = {"playerUsername": player, "amount": 1}
    long_key = "k" * 255  # the rule of every interface now (128 on this one before)
    assert desk.call("/deposit", body, headers={"X-Idempotency-Key": long_key}).status_code == 200
    again = desk.call("/deposit", {**body, "idempotencyKey": long_key})
    assert assert_envelope(again, 200)["_idempotent"] is True
    for bad in (b"k" * 256, "caf\u00e9".encode("latin-1")):
        answer = desk.call("/deposit", body, headers={"X-Idempotency-Key": bad})
        assert assert_envelope(answer, 400, "BAD_REQUEST")["message"].startswith(
            "The idempotency key must be 1 to 255"
        )
    assert desk.balance()["balance"] == 999
