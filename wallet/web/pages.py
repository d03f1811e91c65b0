"""Our browser pages (the cashier console, the agent dashboard): one HTML file each, its script,
style sheet and vendored libraries served from a directory of the package. No build step,
nothing from a CDN.

Every page carries a Content-Security-Policy that allows only our own script, style and API: no
inline script can run, so text from the API cannot turn into code, and the page cannot be
framed (clicks cannot be hijacked). No referrer leaves it, since API URLs may carry a key.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

SHARED_DIR = Path(__file__).parent / "page_files"  # pages.css: what every page's style shares

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


def page_route(path: str, html: Path) -> Route:
    """GET path answers the HTML file with the security headers."""

    async def page(request: Request) -> Response:
        return FileResponse(html, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    return Route(path, page, methods=["GET"])


class PageFiles(StaticFiles):
    """A page's scripts and style sheets: revalidated on each load (ETag), never sniffed (the
    request log's middleware adds X-Content-Type-Options to every answer)."""

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        return response


def shared_routes() -> list[BaseRoute]:
    """/static: the files every page shares."""
    return [Mount("/static", app=PageFiles(directory=SHARED_DIR))]
