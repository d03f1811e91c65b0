"""Issue #21: /metrics is not for everyone (METRICS_TOKEN, else loopback clients only), and
/docs is served with a Content-Security-Policy (nosniff on every answer: test_request_log.py)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable, Mapping

import httpx
import pytest

from tests.support import Server, offline_client
from wallet.config import Settings
from wallet.web.docs import INIT


def test_metrics_want_the_token_when_one_is_set(
    start_server: Callable[[Mapping[str, str]], Server],
) -> None:
    token = secrets.token_urlsafe(24)
    srv = start_server({"METRICS_TOKEN": token})
    url = f"{srv.base_url}/metrics"
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": token}):
        answer = httpx.get(url, headers=headers, timeout=10)
        assert answer.status_code == 401, headers
        assert "wallet_requests_total" not in answer.text
        assert answer.headers["www-authenticate"] == "Bearer"
    answer = httpx.get(url, headers={"authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200 and "wallet_requests_total" in answer.text
    assert token not in srv.settled_log()


@pytest.mark.parametrize(
    ("client", "status"),
    [(("127.0.0.1", 5000), 200), (("::1", 5000), 200), (("203.0.113.5", 5000), 401),
     (("10.0.0.7", 5000), 401), (("testclient", 5000), 401)],
)  # fmt: skip
def test_without_a_token_only_this_machine_reads_the_metrics(
    client: tuple[str, int], status: int
) -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    with offline_client(settings, client=client) as app:
        assert app.get("/metrics").status_code == status


@pytest.mark.parametrize("page", ["/docs", "/api/docs"])
def test_docs_is_served_with_a_csp_allowing_only_its_own_script(server: Server, page: str) -> None:
    answer = httpx.get(f"{server.base_url}{page}", timeout=10)
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
    inline = re.findall(r"<script>(.*?)</script>", answer.text, re.DOTALL)
    spec = "/api/openapi.json" if page.startswith("/api") else "/openapi.json"
    assert inline == [INIT.format(spec=spec)]
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
