"""With the database away, every agent endpoint still answers the envelope: 500 SERVER_ERROR
with the requestId, never a stack trace, and nothing else of the server's insides."""

from __future__ import annotations

from tests.agents.test_auth import assert_envelope
from tests.support import offline_client


def test_a_database_outage_is_500_server_error_in_the_envelope() -> None:
    token = {"Authorization": "Bearer tok_" + "ab" * 24}
    credentials = {"agentUsername": "demo", "agentPassword": "secret-password"}
    with offline_client() as client:
        for method, path, kw in (
            ("GET", "/api/health", {}),
            ("POST", "/api/auth/login", {"json": credentials}),
            ("POST", "/api/auth/refresh", {"headers": token}),
            ("POST", "/api/balance", {"headers": token, "json": {}}),
            ("POST", "/api/deposit", {"json": {**credentials, "playerUsername": "x", "amount": 1}}),
            ("POST", "/api/transfer", {"headers": token, "json": {"type": "deposit"}}),
        ):
            answer = client.request(method, path, **kw)
            error = assert_envelope(answer, 500, "SERVER_ERROR")
            assert "Traceback" not in answer.text and "psycopg" not in answer.text, answer.text
            assert error["message"] in ("Service temporarily unavailable", "Database unavailable")
