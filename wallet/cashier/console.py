"""The cashier console: one page at /cashier (console_files/console.html) and its script and style
sheet under /cashier/static (wallet/web/pages.py serves them with the pages' security headers).
The page speaks only to the Cashier API at /api on the same origin.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount

from wallet.web.pages import PageFiles, page_route

CONSOLE_DIR = Path(__file__).parent / "console_files"


def routes() -> list[BaseRoute]:
    return [
        page_route("/cashier", CONSOLE_DIR / "console.html"),
        Mount("/cashier/static", app=PageFiles(directory=CONSOLE_DIR)),
    ]
