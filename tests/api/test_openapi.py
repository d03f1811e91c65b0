"""The published document: valid OpenAPI 3.1, the same routes as the app's routing table (both
ways), a /docs page with nothing from outside, and real answers of every operation that match
it (the document's schema and the operation's own pydantic model)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.routing import Mount, Route

from tests.agents import conftest as agents
from tests.api.conftest import AgentDesk, CashierDesk, the_document
from tests.cashier import conftest as cashiers
from tests.support import LoopThread
from wallet.app import api_operations, build_routes
from wallet.ledger.database import LedgerDB
from wallet.web.openapi import Operation

DOCUMENT_ROUTES = {"/openapi.json", "/docs"}  # the document's own, under /api too
CATCH_ALL = "{path:path}"  # the agent API's 404 and the cashier API's CORS preflight
OPERATIONS: dict[tuple[str, str], Operation] = {
    (op.method, "/api" + op.path): op for op in api_operations()
}


def test_the_document_is_valid_openapi_3_1(client: httpx.Client) -> None:
    served = client.get("/openapi.json")
    assert served.status_code == 200 and served.headers["content-type"] == "application/json"
    document = served.json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert client.get("/api/openapi.json").json() == document == the_document()
    # Every schema has its plain name (two models of one name would be module-qualified).
    assert not [name for name in document["components"]["schemas"] if "__" in name]


def _api_routes() -> set[tuple[str, str]]:
    mount = next(r for r in build_routes() if isinstance(r, Mount) and r.path == "/api")
    found = set()
    for route in mount.routes:
        assert isinstance(route, Route), route
        if CATCH_ALL in route.path or route.path in DOCUMENT_ROUTES:
            continue
        for method in route.methods or ():
            if method != "HEAD":  # Starlette adds HEAD to every GET
                found.add((method, "/api" + route.path))
    return found


def test_every_route_is_in_the_document_and_every_operation_is_a_route() -> None:
    document = the_document()
    described = {
        (method.upper(), path) for path, methods in document["paths"].items() for method in methods
    }
    routes = _api_routes()
    assert routes == described
    assert len(routes) >= 29  # both APIs: 18 agent, 12 cashier operations, less none
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert operation["summary"] and operation["responses"]["200"], (method, path)
            # A path parameter of the route is one of the document's.
            names = re.findall(r"{(\w+)}", path)
            declared = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            assert names == declared, (method, path)


@pytest.mark.parametrize("page", ["/docs", "/api/docs"])
def test_docs_is_swagger_ui_from_the_package_with_nothing_from_outside(
    client: httpx.Client, page: str
) -> None:
    answer = client.get(page)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert "SwaggerUIBundle" in html and "validatorUrl: null" in html
    assert not re.search(r"https?:|//[a-z]", html, re.IGNORECASE), html
    spec = "/api/openapi.json" if page.startswith("/api") else "/openapi.json"
    assert f'url: "{spec}"' in html
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        loaded = client.get(asset)
        assert loaded.status_code == 200 and len(loaded.content) > 100, asset
    bundle = client.get("/docs/static/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    # Only the page's files are served from the package (not its demo page, say).
    assert client.get("/docs/static/index.html").status_code == 404
    assert client.get("/docs/static/..%2Fswagger-ui.css").status_code == 404


class Conformance:
    """Real answers, held against the document's schema for their status and (a success)
    against the operation's own `data` model."""

    def __init__(self) -> None:
        self.document = the_document()
        self.seen: set[tuple[str, str, int]] = set()

    def check(self, method: str, path: str, answer: httpx.Response) -> dict[str, Any]:
        described = self.document["paths"][path][method.lower()]["responses"]
        assert str(answer.status_code) in described, (method, path, answer.status_code)
        schema = described[str(answer.status_code)]["content"]["application/json"]["schema"]
        body: dict[str, Any] = answer.json()
        root = {**schema, "components": self.document["components"]}
        errors = [e.message for e in Draft202012Validator(root).iter_errors(body)]
        assert not errors, (method, path, errors, body)
        operation = OPERATIONS[(method, path)]
        if answer.status_code == 200 and operation.data is not None:
            data = body if operation.api.name == "cashier" else body["data"]
            operation.data.model_validate(data)
        self.seen.add((method, path, answer.status_code))
        return body


def _agent(client: httpx.Client, token: str, conform: Conformance, path: str,
           body: dict[str, Any] | None = None, status: int = 200,
           headers: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    auth = {"Authorization": f"Bearer {token}", **(headers or {})}
    answer = client.post(f"/api{path}", json=body or {}, headers=auth)
    assert answer.status_code == status, answer.text
    checked: dict[str, Any] = conform.check("POST", f"/api{path}", answer)["data"]
    return checked


def test_every_agent_operation_answers_what_the_document_says(
    client: httpx.Client, agent_desk: AgentDesk
) -> None:
    conform, desk, token = Conformance(), agent_desk, agent_desk.token

    def call(path: str, body: dict[str, Any] | None = None, status: int = 200,
             headers: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
        return _agent(client, token, conform, path, body, status, headers)

    conform.check("GET", "/api/health", client.get("/api/health"))
    login = client.post(
        "/api/auth/login",
        json={"agentUsername": desk.agent.username, "agentPassword": agents.PASSWORD},
    )
    conform.check("POST", "/api/auth/login", login)
    fresh = login.json()["data"]["token"]
    refreshed = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {fresh}"})
    conform.check("POST", "/api/auth/refresh", refreshed)
    renewed = {"Authorization": f"Bearer {refreshed.json()['data']['token']}"}
    conform.check("POST", "/api/auth/logout", client.post("/api/auth/logout", headers=renewed))
    call("/balance")
    call("/agents", {"limit": 5})
    name = f"sub_{desk.player[3:]}"
    call("/agent/register", {"username": name, "email": f"{name}@example.com",
                             "password": "secret123", "firstName": "Sub"})  # fmt: skip
    call("/players", {"start": 0})
    call("/player/register", {"username": f"p2{desk.player[3:]}", "email": "p2@example.com",
                              "password": "secret123", "birthDate": "1990-02-28"})  # fmt: skip
    call("/player/search", {"playerUsername": desk.player})
    call("/player/balance", {"playerId": desk.player_id})
    move = {"playerUsername": desk.player, "amount": 25.5, "comment": "c"}
    call("/deposit", move, headers={"X-Idempotency-Key": "k1"})
    replay = call("/deposit", move, headers={"X-Idempotency-Key": "k1"})
    assert replay["_idempotent"] is True
    call("/deposit", {**move, "amount": 99}, 409, headers={"X-Idempotency-Key": "k1"})
    call("/withdraw", {"playerUsername": desk.player, "amount": 5})
    call("/withdraw", {"playerUsername": desk.player, "amount": 10**6}, 422)
    call("/agent/deposit", {"agentTarget": desk.sub_agent, "amount": 100})
    call("/agent/deposit", {"agentTarget": desk.sub_agent, "amount": 50, "moneyType": "CREDIT"})
    call("/agent/withdraw", {"agentTarget": desk.sub_agent, "amount": 10})
    call("/transfer", {"playerUsername": desk.player, "type": "deposit", "amount": 3,
                       "paymentMethod": "bank"})  # fmt: skip
    call("/transfer/history", {"type": "deposit", "dateFrom": "2020/01/01"})
    call("/rebate", {"action": "set", "subAgentUsername": desk.sub_agent, "rebatePercent": 2.5})
    call("/bypass", {"action": "set", "surchargePercent": 1.25, "windowHours": 24})
    call("/bypass")
    sub_id = call("/agents", {"username": desk.sub_agent})["agents"][0]["affiliateId"]
    call("/message/send", {"toAffiliateId": sub_id, "message": "hello"})
    call("/message/send", {"toAffiliateId": "999999999", "message": "hello"}, 404)
    call("/message/chats")
    call("/message/chat", {"affiliateId": sub_id})
    call("/message/recipients")
    call("/message/unread")
    call("/notifications", {"markRead": True})
    hook = call("/webhooks/register", {"url": "http://127.0.0.1:9/hook",
                                       "events": ["transfer.completed"]})  # fmt: skip
    call("/webhooks/list")
    call("/webhooks/delete", {"webhookId": hook["webhookId"]})
    call("/webhooks/delete", {"webhookId": hook["webhookId"]}, 404)
    call("/agent/commission", {"agentTarget": desk.sub_agent, "percent": 12.5})
    call("/agent/commission", {"agentTarget": desk.sub_agent})
    month = {"dateFrom": "2026/01/01", "dateTo": "2026/12/31"}
    for report in ("players", "agents", "daily", "products", "summary", "transfers"):
        call(f"/reports/{report}", {**month, "limit": 5} if report != "daily" else month)
    call("/reports/settlement", month)
    call("/reports/daily", {"dateFrom": "2026/02/30"}, 400)
    # Errors: the envelope with its status.
    call("/deposit", {"playerUsername": desk.player, "amount": 1.001}, 400)
    call("/player/balance", {"playerId": "999999999999"}, 404)
    call("/agent/deposit", {"agentTarget": desk.agent.username, "amount": 1}, 403)
    unauthorized = client.post("/api/balance", headers={"Authorization": "Bearer tok_nope"})
    conform.check("POST", "/api/balance", unauthorized)
    assert unauthorized.status_code == 401
    agent_paths = {
        (op.method, "/api" + op.path) for op in api_operations() if op.api.name == "agent"
    }
    assert agent_paths <= {(m, p) for m, p, status in conform.seen if status == 200}


def test_every_cashier_operation_answers_what_the_document_says(
    client: httpx.Client, cashier_desk: CashierDesk, ledger: LedgerDB, loop: LoopThread
) -> None:
    conform, desk = Conformance(), cashier_desk

    def call(method: str, path: str, status: int = 200, token: str | None = None,
             **kw: Any) -> dict[str, Any]:  # fmt: skip
        params = {"key": desk.key, **kw.pop("params", {})}
        headers = {"Authorization": f"Bearer {token or desk.token}", **kw.pop("headers", {})}
        concrete = path.replace("{user}", str(desk.player_id))
        answer = client.request(method, f"/api{concrete}", params=params, headers=headers, **kw)
        assert answer.status_code == status, answer.text
        return conform.check(method, f"/api{path}", answer)

    login = cashiers.login(client, desk.key, desk.username, desk.password)
    conform.check("POST", "/api/login", login)
    call("GET", "/cashier/me")
    call("GET", "/cashier/players", params={"per_page": "10", "search": "pl_"})
    call("POST", "/cashier/players", json={"username": "valid_name_x", "password": "secret123",
                                           "balance": 20, "wager": True})  # fmt: skip
    call("GET", "/cashier/player", params={"id": str(desk.player_id)})
    call("POST", "/cashier/player/password", params={"id": str(desk.player_id)},
         json={"password": "secret456"})  # fmt: skip
    call("GET", "/cashier/players/{user}")
    call("POST", "/cashier/players/{user}/password", json={"password": "secret789"})
    call("PUT", "/cashier/players/{user}/balance/add", json={"sum": 12.5},
         headers={"Idempotency-Key": "c1"})  # fmt: skip
    call("PUT", "/cashier/players/{user}/balance/add", 409, json={"sum": 13},
         headers={"Idempotency-Key": "c1"})  # fmt: skip
    call("POST", "/cashier/players/{user}/reverse")
    call("PUT", "/cashier/players/{user}/balance/add", json={"sum": 10})
    call("PUT", "/cashier/players/{user}/balance/out", json={"sum": 1})
    call("PUT", "/cashier/players/{user}/balance/out", json={"all": True})
    call("PUT", "/cashier/players/{user}/balance/out", 400, json={"all": True})
    call("GET", "/cashier/shift")
    call("GET", "/cashier/shift", 400, params={"since": "2020-01-01 00:00"})
    call("GET", "/cashier/players/{user}/transactions", params={"limit": "5"})
    call("GET", "/cashier/players/{user}/transactions", 400, params={"limit": "51"})
    call("GET", "/cashier/players", 400, params={"per_page": "7"})
    call("GET", "/cashier/player", 404, params={"username": "no_such_player_here"})
    call("GET", "/cashier/me", 403, token="not-a-jwt")
    river = cashiers.make_shop(ledger, loop, "river", 10**6)
    _, username, password = cashiers.make_cashier(ledger, loop, river)
    key = cashiers.make_key(ledger, loop, river)
    token = cashiers.login(client, key, username, password).json()["token"]
    made = client.post("/api/cashier/players", params={"key": key}, json={},
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert conform.check("POST", "/api/cashier/players", made)["data"]["password"]
    call("POST", "/logout")
    cashier_paths = {
        (op.method, "/api" + op.path) for op in api_operations() if op.api.name == "cashier"
    }
    assert cashier_paths <= {(m, p) for m, p, status in conform.seen if status == 200}
