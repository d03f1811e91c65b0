"""Studio callbacks straight to their endpoint, past Starlette's middleware stack and router.

The routing table in app.py stays the one description of the HTTP surface; this lane serves the
POST routes of the mounts it is given (the studio adapters) by an exact-path look-up, and hands
everything else (other paths, other methods, lifespan) to Starlette unchanged.

Why: on the callback hot path, Starlette's ServerErrorMiddleware, ExceptionMiddleware, Router and
Mount matching and the request_response wrapper cost about a sixth of the worker's CPU per call
(py-spy under `make bench`), and a studio endpoint needs none of them: `always_answer` already
turns every exception into the studio's own answer, HTTP 200.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send


def direct_routes(routes: Iterable[BaseRoute], mounts: Iterable[str]) -> dict[str, Route]:
    """Full path -> route, for the POST routes of the named mounts (the route's path is the full
    one, so the request log labels it as Starlette would)."""
    wanted = set(mounts)
    table: dict[str, Route] = {}
    for mount in routes:
        if not isinstance(mount, Mount) or mount.path not in wanted:
            continue
        for route in mount.routes:
            assert isinstance(route, Route) and route.methods is not None
            if "POST" in route.methods:
                full = mount.path + route.path
                table[full] = Route(full, route.endpoint, methods=["POST"])
    return table


class DirectRoutes:
    """Pure ASGI: an exact POST path of the table goes to its endpoint, the rest to `app`."""

    def __init__(self, app: ASGIApp, table: Mapping[str, Route]) -> None:
        self.app = app
        self.table = dict(table)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            route = self.table.get(scope["path"])
            if route is not None:
                scope["route"] = route
                response = await route.endpoint(Request(scope, receive))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
