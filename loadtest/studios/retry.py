"""Sending a callback the way a studio does: the same body again until an answer is seen."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the studio finally saw: the answer (None if it never got one) and how many tries."""

    answer: dict[str, Any] | None
    attempts: int


def deliver(
    client: httpx.Client,
    path: str,
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    attempts_max: int = 5,
    backoff_s: float = 0.05,
    unsettled: Callable[[dict[str, Any]], bool] | None = None,
) -> Delivery:
    """POST body until an HTTP 200 with a JSON answer arrives, resending the identical bytes.

    A timeout, a dropped connection or a non-200 is "no answer": the studio cannot know
    whether we applied the call, so it sends the very same call again (same transaction id).
    So is an answer for which `unsettled` is true (the protocol's "service not available":
    the call may or may not have been applied before our side failed).
    """
    assert attempts_max >= 1
    send_headers = {"content-type": "application/json", **(headers or {})}
    for attempt in range(1, attempts_max + 1):
        try:
            response = client.post(path, content=body, headers=send_headers)
            if response.status_code == 200:
                answer = response.json()
                if unsettled is None or not unsettled(answer) or attempt == attempts_max:
                    return Delivery(answer, attempt)
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(backoff_s * attempt)
    return Delivery(None, attempts_max)
