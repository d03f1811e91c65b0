"""A double-clicked deposit pays once: the Idempotency-Key header. And a reverse applies once,
also when 20 arrive together."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.cashier.conftest import Desk
from tests.support import LoopThread, Server
from wallet.ledger.database import LedgerDB

CONCURRENT = 20


def _main(ledger: LedgerDB, loop: LoopThread, player_id: int) -> int:
    row = loop.run(
        ledger.one(
            "SELECT balance_minor FROM accounts"
            " WHERE owner_type = 'player' AND owner_id = %s AND purpose = 'main'",
            (player_id,),
        )
    )
    assert row is not None
    return int(row[0])


def _at_once(
    desk: Desk, server: Server, method: str, path: str, **kw: object
) -> list[httpx.Response]:
    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            headers = {**desk.auth(), **kw.get("headers", {})}  # type: ignore[dict-item]
            return client.request(
                method,
                f"/api{path}",
                params={"key": desk.key},
                headers=headers,
                json=kw.get("json"),
            )

    with ThreadPoolExecutor(CONCURRENT) as pool:
        return list(pool.map(one, range(CONCURRENT)))


def test_the_same_key_and_body_answer_the_original(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(mode="default")
    made = desk.create_player(username=f"ik_{desk.shop.id:06d}", password="secret123")
    key = {"Idempotency-Key": secrets.token_hex(8)}
    first = desk.call(
        "PUT", f"/cashier/players/{made['id']}/balance/add", json={"sum": 10}, headers=key
    )
    assert first.status_code == 200
    assert desk.deposit(made["id"], 5).status_code == 200  # another deposit, no key
    again = desk.call(
        "PUT", f"/cashier/players/{made['id']}/balance/add", json={"sum": 10.00}, headers=key
    )
    assert again.status_code == 200
    assert again.json() == first.json()  # the original answer (balance 10), not today's 15
    assert _main(ledger, loop, made["id"]) == 1_500
    other = desk.call(
        "PUT", f"/cashier/players/{made['id']}/balance/add", json={"sum": 11}, headers=key
    )
    assert other.status_code == 409
    assert other.json() == {
        "fail": True,
        "message": "The Idempotency-Key was already used for another request.",
    }
    elsewhere = desk.call(
        "PUT", f"/cashier/players/{made['id']}/balance/out", json={"sum": 1}, headers=key
    )
    assert elsewhere.status_code == 409
    assert _main(ledger, loop, made["id"]) == 1_500


def test_withdraw_and_reverse_replay_under_their_key(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread
) -> None:
    desk = open_desk(mode="default")
    made = desk.create_player(username=f"ir_{desk.shop.id:06d}", password="secret123", balance=30)
    out_key = {"Idempotency-Key": secrets.token_hex(8)}
    out = f"/cashier/players/{made['id']}/balance/out"
    first = desk.call("PUT", out, json={"all": True}, headers=out_key)
    assert first.status_code == 200 and first.json()["data"]["withdrawal"] == 30
    again = desk.call("PUT", out, json={"all": True}, headers=out_key)
    assert again.json() == first.json()  # not "nothing to withdraw"
    assert desk.deposit(made["id"], 7).status_code == 200
    rev_key = {"Idempotency-Key": secrets.token_hex(8)}
    path = f"/cashier/players/{made['id']}/reverse"
    reversed_once = desk.call("POST", path, headers=rev_key)
    assert reversed_once.status_code == 200
    assert desk.call("POST", path, headers=rev_key).json() == reversed_once.json()
    assert _main(ledger, loop, made["id"]) == 0


def test_twenty_concurrent_deposits_with_one_key_pay_once(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread, cashier_server: Server
) -> None:
    desk = open_desk(mode="default")
    made = desk.create_player(username=f"cd_{desk.shop.id:06d}", password="secret123")
    key = {"Idempotency-Key": secrets.token_hex(8)}
    answers = _at_once(
        desk,
        cashier_server,
        "PUT",
        f"/cashier/players/{made['id']}/balance/add",
        json={"sum": 12.5, "wager": True},
        headers=key,
    )
    assert [a.status_code for a in answers] == [200] * CONCURRENT
    assert len({a.text for a in answers}) == 1
    assert answers[0].json()["data"]["balance"] == 12.5
    assert _main(ledger, loop, made["id"]) == 1_250
    row = loop.run(
        ledger.one(
            "SELECT count(*) FROM transactions WHERE caller = 'cashier' AND external_id LIKE %s",
            (f"%:key:{key['Idempotency-Key']}",),
        )
    )
    assert row == (1,)


def test_twenty_concurrent_reverses_apply_once(
    open_desk: Callable[..., Desk], ledger: LedgerDB, loop: LoopThread, cashier_server: Server
) -> None:
    desk = open_desk(mode="river")
    made = desk.create_player(balance=20)
    assert desk.deposit(made["id"], 30, apply_bounceback=True).status_code == 200
    answers = _at_once(desk, cashier_server, "POST", f"/cashier/players/{made['id']}/reverse")
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [400] * (CONCURRENT - 1)
    refused = {a.json()["message"] for a in answers if a.status_code == 400}
    assert refused == {"The latest deposit has already been reversed."}
    assert _main(ledger, loop, made["id"]) == 2_000
    shown = desk.call("GET", f"/cashier/players/{made['id']}").json()["data"]
    assert (shown["balance"], shown["bounce_back"]) == (20, 0)
