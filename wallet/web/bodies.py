"""Reading request bodies with a hard cap on size and time, so one caller cannot make us buffer
without limit or hold a request open by sending its body byte by byte."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

BODY_TIMEOUT_S_DEFAULT = 10.0


class BodyTooLarge(Exception):
    pass


async def read_capped(
    request: Request, max_bytes: int, timeout_s: float = BODY_TIMEOUT_S_DEFAULT
) -> bytes:
    """The whole body, or BodyTooLarge past max_bytes, or TimeoutError past timeout_s."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(declared)
    async with asyncio.timeout(timeout_s):
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise BodyTooLarge(str(size))
            chunks.append(chunk)
        return b"".join(chunks)


def storable(value: object) -> bool:
    """Whether every string in a parsed JSON value can be stored as PostgreSQL text: no NUL
    character (text cannot hold one) and no unpaired surrogate (not encodable as UTF-8). Such a
    string is bad input (400), never a database error (500)."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode()
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(storable(key) and storable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(storable(item) for item in value)
    return True
