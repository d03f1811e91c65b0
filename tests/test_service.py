"""Service basics through a real server: health, metrics, request ids."""

from __future__ import annotations

import httpx

from tests.support import offline_client
from wallet.ledger.database import LedgerDB


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
