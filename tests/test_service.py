"""Service basics through a real server: health, metrics, request ids."""

from __future__ import annotations

import json
import secrets

import httpx

from tests.support import Server, offline_client
from wallet.ledger.database import LedgerDB
from wallet.web.direct import direct_routes


def test_health_answers_200_with_the_database_up(http: httpx.Client, ledger: LedgerDB) -> None:
    response = http.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(response.headers["x-request-id"]) == 32


def test_metrics_expose_requests_and_latency(http: httpx.Client) -> None:
    http.get("/health")
    text = http.get("/metrics").text
    assert "wallet_requests_total" in text
    assert "wallet_request_seconds_bucket" in text


def test_request_id_is_echoed(http: httpx.Client) -> None:
    response = http.get("/health", headers={"x-request-id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"


def test_health_answers_503_when_the_database_is_unreachable() -> None:
    with offline_client() as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_studio_callbacks_take_the_direct_lane_and_keep_their_log_and_metrics(
    http: httpx.Client, server: Server
) -> None:
    """The lane (wallet/web/direct.py) serves every studio POST route of the routing table, with
    the request id, the log line and the route label Starlette's router would have given."""
    from wallet.app import STUDIO_MOUNTS, build_routes

    table = direct_routes(build_routes(), STUDIO_MOUNTS)
    assert set(table) == {
        f"/ambslot/{op}" for op in ("balance", "bet", "payout", "settle", "cancel")
    } | {
        f"/igamingace/{name}"
        for name in ("GetBalance", "Withdraw", "Deposit", "BetWin", "RollbackTransaction")
    }
    marker = "lane-" + secrets.token_hex(6)
    response = http.post("/ambslot/balance", content=b"[]", headers={"x-request-id": marker})
    assert response.status_code == 200 and response.json()["status"]["code"] == 997
    assert response.headers["x-request-id"] == marker
    (line,) = [json.loads(x) for x in server.settled_log().splitlines() if marker in x]
    assert (line["path"], line["caller"], line["code"]) == ("/ambslot/balance", "ambslot", 997)
    assert 'route="/ambslot/balance"' in http.get("/metrics").text


def test_what_the_lane_does_not_serve_goes_to_the_router(http: httpx.Client) -> None:
    assert http.get("/ambslot/bet").status_code == 405  # another method: Starlette answers
    assert http.post("/ambslot/nothing", content=b"{}").status_code == 404
    assert http.post("/igamingace/withdraw", content=b"{}").status_code == 404  # exact paths
