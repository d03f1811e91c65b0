"""The cashier console: one page at /cashier (console_files/console.html) and its script and style
sheet under /cashier/static, all served by us (no build step, nothing from a CDN). The page
speaks only to the Cashier API at /api on the same origin.

The page carries a Content-Security-Policy that allows only our own script, style and API: no
inline script can run, so text from the API cannot turn into code, and the page cannot be
framed (a cashier's clicks cannot be hijacked). No referrer leaves it, since API URLs carry the
shop's key.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

CONSOLE_DIR = Path(__file__).parent / "console_files"
PAGE = CONSOLE_DIR / "console.html"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


async def page(request: Request) -> Response:
    return FileResponse(PAGE, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


class ConsoleFiles(StaticFiles):
    """The page's script and style sheet: revalidated on each load (ETag), never sniffed."""

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
        return response


def static_files() -> StaticFiles:
    return ConsoleFiles(directory=CONSOLE_DIR)
