"""Service basics through a real server: health, metrics, request ids."""

from __future__ import annotations

import httpx

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
    from starlette.testclient import TestClient

    from wallet.app import create_app
    from wallet.config import Settings
    from wallet.context import Context
    from wallet.db import make_async_engine
    from wallet.ledger.database import LedgerDB

    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    app = create_app(settings)
    app.state.ctx = Context(
        settings=settings,
        db=LedgerDB(make_async_engine(settings.database_url, settings)),
        operator_id=1,
        currencies={"THB": 2},
    )
    response = TestClient(app).get("/health")  # no lifespan: the context above is used
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
