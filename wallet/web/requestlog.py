"""One log line and the metrics per request; handlers add what they know of the call."""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wallet.web.observability import LATENCY, OUTCOMES, REQUESTS, get_logger

_LOG_KEY = "wallet.log"
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_ID_KEY = "wallet.request_id"
_log = get_logger("wallet.request")
# The log line's own keys (and structlog's): a note of the same name is kept as note_<name>, so
# no note can fail the log call after the answer, nor overwrite what the line says.
_OWN_KEYS = frozenset(
    {"event", "request_id", "method", "path", "status", "duration_ms", "client"}
    | {"level", "timestamp", "logger", "exc_info", "stack_info"}
)


def request_id_of(request: Request) -> str:
    """This request's id: the one its log line and X-Request-Id header carry."""
    return str(request.scope.get(_ID_KEY, ""))


def note(request: Request, **fields: Any) -> None:
    """Attach call details (caller, operation, external_id, code, ...) to this request's log line.

    Never pass a secret, a signature or a password here. A field named as one of the line's
    own keys (status, path, ...) is logged as note_<name>.
    """
    noted = request.scope.setdefault(_LOG_KEY, {})
    for name, value in fields.items():
        noted["note_" + name if name in _OWN_KEYS else name] = value


class RequestLogMiddleware:
    """Pure ASGI (no per-request task or body copy): request id, access log, metrics, and the
    headers every answer carries (X-Request-Id, X-Content-Type-Options: nosniff)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        scope[_ID_KEY] = request_id
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                headers.append((b"x-request-id", request_id.encode()))
                headers.append(_NOSNIFF)  # every answer: never read as another type
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_label(scope)
            _requests(route, status).inc()
            _latency(route).observe(elapsed)
            fields: dict[str, Any] = scope.get(_LOG_KEY, {})
            if "code" in fields and "caller" in fields:
                _outcomes(fields["caller"], fields.get("operation", ""), fields["code"]).inc()
            _log.info(
                "request",
                request_id=request_id,
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                duration_ms=round(elapsed * 1000, 3),
                client=(scope.get("client") or ("", 0))[0],
                **fields,
            )


# Each metric's child per label set, resolved once: the label sets are bounded (routes, not URLs;
# the interfaces' codes), and labels() costs a lock and a look-up on every request otherwise.
@functools.lru_cache(maxsize=1024)
def _requests(route: str, status: int) -> Any:
    return REQUESTS.labels(route, str(status))


@functools.lru_cache(maxsize=256)
def _latency(route: str) -> Any:
    return LATENCY.labels(route)


@functools.lru_cache(maxsize=1024)
def _outcomes(caller: str, operation: str, code: object) -> Any:
    return OUTCOMES.labels(caller, operation, str(code))


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id" and 0 < len(value) <= 64:
            return str(value.decode("latin-1"))
    return "req_" + uuid.uuid4().hex[:28]  # 112 random bits, the agent API's "req_..." form


def _route_label(scope: Scope) -> str:
    """A bounded label set: the matched route's path, never the raw URL."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    root = scope.get("root_path", "")
    return f"{root}{path}"
