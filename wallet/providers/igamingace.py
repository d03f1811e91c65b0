"""Placeholder until the igamingace adapter lands: it mounts no route yet."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
