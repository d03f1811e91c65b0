"""The agent dashboard: one page at /agent (dashboard_files/dashboard.html), its script, style
sheet and Chart.js (vendored from the npm package chart.js 4.6.2, MIT, unmodified but for its
source-map line) under /agent/static. The page speaks only to the agent API at /api on the same
origin, with the bearer token of its own login, kept in the page's memory (a reload logs out).
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount

from wallet.web.pages import PageFiles, page_route

DASHBOARD_DIR = Path(__file__).parent / "dashboard_files"


def routes() -> list[BaseRoute]:
    return [
        page_route("/agent", DASHBOARD_DIR / "dashboard.html"),
        Mount("/agent/static", app=PageFiles(directory=DASHBOARD_DIR)),
    ]
