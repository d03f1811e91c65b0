"""What every studio adapter needs: exact JSON and an endpoint that never fails (the IP
allowlists are wallet/web/clients.py).

A studio must get HTTP 200 and its own error code for every input, whatever happens on our
side; `always_answer` is the one place that guarantees it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from wallet.ledger.outcomes import LedgerUnavailable
from wallet.web.observability import get_logger
from wallet.web.requestlog import note

_log = get_logger("wallet.providers")

Handler = Callable[[Request], Awaitable[Response]]
Fallback = Callable[[Request, BaseException], Response]


class NumberText(str):
    """A JSON number written with a fraction or an exponent, kept as its source text."""

    __slots__ = ()


class BadJson(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise BadJson(f"{name} is not a number")


def loads_exact(body: bytes) -> Any:
    """JSON with every number exact: integers as int, others as NumberText (never float)."""
    try:
        return json.loads(body, parse_float=NumberText, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise BadJson(type(error).__name__) from error


def amount_text(value: object) -> str | None:
    """The decimal text of an amount given as a JSON number or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return str(value)
    return None


def json_response(body: bytes) -> Response:
    return Response(body, status_code=200, media_type="application/json")


def always_answer(handler: Handler, fallback: Fallback) -> Handler:
    """Wrap a studio endpoint: any exception becomes the studio's error answer, HTTP 200."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except LedgerUnavailable as error:  # an outage, not a bug: no trace, the request's line
            note(request, error=type(error).__name__, reason=str(error))
            return fallback(request, error)
        except Exception as error:  # the studio must get an answer; the log gets the details
            response = fallback(request, error)
            note(request, error=type(error).__name__)
            _log.error(
                "provider_exception",
                path=request.url.path,
                error=type(error).__name__,
                exc_info=error,
            )
            return response

    return endpoint
