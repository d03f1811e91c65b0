"""Schemathesis against both APIs, one test per operation of the published document: cases
generated from the document (positive: what it says is valid), sent to a real server with valid
auth (a logged-in agent's token; a cashier's key and JWT), and every answer checked: no 5xx, a
documented status, the documented content type, a body that matches the documented schema.

Half of the cases name the desk's real player, sub-agent or player id (else nearly every case
would be a 404), so money really moves (a real database; the audit runs after each test).
Bounded for CI: MAX_EXAMPLES cases per operation, derandomized (the same cases every run)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.agents import conftest as agents
from tests.api.conftest import AgentDesk, CashierDesk, the_document
from tests.support import Server

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
AMOUNTS = ("amount", "sum", "balance")  # a real case's amounts: 0.01 to 100.00
CENTS = st.integers(1, 10_000).map(lambda cents: cents / 100)  # 0.07, 25.5: shortest JSON
SCHEMA = schemathesis.openapi.from_dict(the_document())
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}
AGENT = sorted(label for label, op in OPERATIONS.items() if op.tags != ["cashier"])
CASHIER = sorted(label for label, op in OPERATIONS.items() if op.tags == ["cashier"])


def _run(label: str, server: Server, prepare: Callable[[Case, bool], None]) -> list[int]:
    """The operation's cases, each prepared (real names and amounts, or as generated) and
    checked; the statuses answered."""
    ran: list[int] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=OPERATIONS[label].as_strategy(), real=st.booleans(), cents=CENTS)
    def check(case: Case, real: bool, cents: float) -> None:
        body = _body(case)
        if real and body is not None:
            body.update({name: cents for name in AMOUNTS if name in body})
        prepare(case, real)
        response = case.call(base_url=server.base_url, timeout=30)
        case.validate_response(response, checks=CHECKS)
        ran.append(response.status_code)

    check()
    return ran


def _body(case: Case) -> dict[str, Any] | None:
    return case.body if isinstance(case.body, dict) else None


@pytest.mark.parametrize("label", AGENT)
def test_agent_api(label: str, api_server: Server, agent_desk: AgentDesk) -> None:
    desk = agent_desk
    with httpx.Client(base_url=api_server.base_url, timeout=30) as client:

        def prepare(case: Case, real: bool) -> None:
            body = _body(case)
            if real and body is not None:
                names = {
                    "playerUsername": desk.player,
                    "agentTarget": desk.sub_agent,
                    "subAgentUsername": desk.sub_agent,
                    "playerId": desk.player_id,
                }
                if label.endswith("/auth/login"):
                    names = {"agentUsername": desk.agent.username, "agentPassword": agents.PASSWORD}
                body.update({k: v for k, v in names.items() if k in body or "login" in label})
                if case.headers and "X-Idempotency-Key" in case.headers:
                    body.pop("idempotencyKey", None)  # else two keys that differ: a 400
            # A refresh or a logout kills the token it is given: each case uses a token of its own.
            own = label.endswith(("/auth/refresh", "/auth/logout"))
            token = desk.fresh_token(client) if own else desk.token
            if not label.endswith("/auth/login"):
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

        statuses = _run(label, api_server, prepare)
        # The token was accepted: only a login may be refused for its credentials.
        assert statuses and (401 not in statuses or label.endswith("/auth/login")), statuses


@pytest.mark.parametrize("label", CASHIER)
def test_cashier_api(label: str, api_server: Server, cashier_desk: CashierDesk) -> None:
    desk = cashier_desk
    with httpx.Client(base_url=api_server.base_url, timeout=30) as client:

        def prepare(case: Case, real: bool) -> None:
            case.query = {**(case.query or {}), "key": desk.key}
            body = _body(case)
            if real and case.path_parameters:
                case.path_parameters = {"user": str(desk.player_id)}
            if real and label.endswith(("/cashier/player", "/cashier/player/password")):
                case.query = {"key": desk.key, "id": str(desk.player_id)}
            if real and body is not None and label == "POST /api/cashier/players":
                body.update(username=f"u_{secrets.token_hex(6)}", password="secret123")
            if label.endswith("/api/login"):
                if real and body is not None:
                    body.update(username=desk.username, password=desk.password)
                return
            # A logout revokes the token it is given: each case logs in for its own.
            token = desk.fresh_token(client) if label.endswith("/logout") else desk.token
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

        statuses = _run(label, api_server, prepare)
        assert statuses and any(code not in (403, 429, 503) for code in statuses), statuses
