"""The published description of the HTTP surface: the OpenAPI document (`/openapi.json`) and a
human page (`/docs`, Swagger UI served from the swagger-ui-bundle-v2 package: nothing from a
CDN), both also under /api as the agent platform's contract lists them (`/api/openapi.json`,
`/api/docs`). The document is made once per process from the operations (wallet/web/openapi.py).
The page is served with a Content-Security-Policy (CSP below).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import swagger_ui_bundle
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from wallet.web.openapi import Operation, document

PREFIX = "/api"
STATIC = "/docs/static"
SWAGGER_FILES = {  # the only files of the package served: what the page loads
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
DESCRIPTION = """Two APIs under /api, one ledger.

**Agent API** (`/api/auth/*`, `/api/balance`, `/api/transfer`, ...): online agents move money
and manage their players and sub-agents. Every answer is the envelope
`{success, data, error: {code, message} | null, meta: {requestId, timestamp}}`; authenticate with
`Authorization: Bearer tok_...` (POST /api/auth/login) or `agentUsername` + `agentPassword` in
the body. Amounts are JSON numbers in the agent's currency, never more decimals than it has.

**Cashier API** (`/api/login`, `/api/cashier/*`): a shop's cashier desk. Every request carries
the shop's key (`?key=`); all but login a JWT (`Authorization: Bearer`). Answers are
`{"success": true, ...}`, errors `{"fail": true, "message": ...}`.

Money moves take an idempotency key (`X-Idempotency-Key` for agents, `Idempotency-Key` for
cashiers): a retry with the same key and request answers the first answer and moves nothing.
"""
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wallet API</title>
<link rel="icon" type="image/png" href="{static}/favicon-32x32.png">
<link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script>{init}</script>
</body>
</html>
"""
INIT = """
SwaggerUIBundle({{url: "{spec}", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null}});
"""
# The page's Content-Security-Policy: scripts only from here and the one inline script above (by
# its hash), requests only to this server, no frames, no forms, no plugins. Swagger UI sets
# inline styles (React style attributes) and its CSS has data: images, hence those two.
CSP = (
    "default-src 'none'; script-src 'self' '{script}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; "
    "form-action 'none'; base-uri 'none'; object-src 'none'"
)


def _page(spec: str) -> tuple[str, dict[str, str]]:
    """The page for the document at spec, and its headers (the CSP allowing its own script)."""
    init = INIT.format(spec=spec)
    digest = base64.b64encode(hashlib.sha256(init.encode()).digest()).decode()
    headers = {
        "Content-Security-Policy": CSP.format(script=f"sha256-{digest}"),
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }
    return PAGE.format(static=STATIC, init=init), headers


class Published:
    """The document of these operations, and the routes that serve it and its page."""

    def __init__(self, operations: Callable[[], Sequence[Operation]]) -> None:
        self._operations = operations

    @cached_property
    def body(self) -> bytes:
        made = document(
            self._operations(),
            title="wallet: agent and cashier APIs",
            version=version("wallet"),
            description=DESCRIPTION,
            prefix=PREFIX,
        )
        return json.dumps(made, ensure_ascii=False).encode()

    async def openapi(self, request: Request) -> Response:
        return Response(self.body, media_type="application/json")

    async def page(self, request: Request) -> Response:
        spec = f"{PREFIX}/openapi.json" if request.url.path.startswith(PREFIX) else "/openapi.json"
        html, headers = _page(spec)
        return HTMLResponse(html, headers=headers)

    def routes(self) -> list[BaseRoute]:
        """At the root: the document, the page and the page's files."""
        return [
            Route("/openapi.json", self.openapi, methods=["GET"]),
            Route("/docs", self.page, methods=["GET"]),
            Route(STATIC + "/{name}", swagger_file, methods=["GET"]),
        ]

    def api_routes(self) -> list[BaseRoute]:
        """The same under the /api mount (before its fallback)."""
        return [
            Route("/openapi.json", self.openapi, methods=["GET"]),
            Route("/docs", self.page, methods=["GET"]),
        ]


async def swagger_file(request: Request) -> Response:
    name = request.path_params["name"]
    media_type = SWAGGER_FILES.get(name)
    if media_type is None:
        return Response("Not Found", status_code=404, media_type="text/plain")
    path = Path(swagger_ui_bundle.swagger_ui_path) / name
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "max-age=86400"})
