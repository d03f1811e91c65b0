"""Locust users that are the studios: realistic rounds for many players, with retries.

Run through `make load` (headless, a summary of answers by code at the end; `make load UI=1`
serves locust's web UI instead). Players are `bench0000001` ... `bench{LOAD_PLAYERS}`, created
by loadtest/load.py.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from typing import Any

import httpx
from locust import User, between, events, task
from locust.env import Environment

from loadtest.studios import ambslot, igamingace

PLAYERS = int(os.environ.get("LOAD_PLAYERS", "10000"))
Studio = ambslot.AmbSlotStudio | igamingace.IGamingAceStudio
CODES: Counter[tuple[str, int | None]] = Counter()  # (callback, code) -> answers


class LocustTransport(httpx.HTTPTransport):
    """Reports every HTTP exchange to locust, and tallies the studio codes it carries."""

    def __init__(self, environment: Environment) -> None:
        super().__init__()
        self.environment = environment

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        name = request.url.path
        try:
            response = super().handle_request(request)
            response.read()
        except httpx.HTTPError as error:
            self._fire(name, started, 0, error)
            raise
        self._fire(name, started, len(response.content), None)
        CODES[(name, _code(response))] += 1
        return response

    def _fire(self, name: str, started: float, size: int, error: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type="POST",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=size,
            exception=error,
            context={},
        )


def _code(response: httpx.Response) -> int | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    status = body.get("status") if isinstance(body, dict) else None
    if isinstance(status, dict):
        return status.get("code")  # AMBSlot
    return body.get("code") if isinstance(body, dict) else None


class StudioUser(User):
    """One game server thread of a studio: plays rounds for random players."""

    abstract = True
    wait_time = between(0.0, 0.05)

    def on_start(self) -> None:
        transport = LocustTransport(self.environment)
        self.http = httpx.Client(base_url=self.host or "", transport=transport, timeout=10)
        self.studio = self.make_studio(self.http)

    def make_studio(self, http: httpx.Client) -> Studio:
        raise NotImplementedError

    def on_stop(self) -> None:
        self.http.close()

    @task
    def play_round(self) -> None:
        self.studio.play(f"bench{random.randint(1, PLAYERS):07d}")


class AmbSlotStudioUser(StudioUser):
    """AMBSlot: spins, settles, cancels and orphan cancels; retries on 999."""

    def make_studio(self, http: httpx.Client) -> ambslot.AmbSlotStudio:
        settings = ambslot.StudioSettings(attempts_max=10)
        return ambslot.AmbSlotStudio(http, settings, random.Random())


class IGamingAceStudioUser(StudioUser):
    """iGamingAce: signed Withdraw/Deposit/BetWin/Rollback rounds, some calls sent twice at once
    or again after their round; retries on code 1. Rounds are not kept (a long run)."""

    def make_studio(self, http: httpx.Client) -> igamingace.IGamingAceStudio:
        settings = igamingace.StudioSettings(
            attempts_max=10, copies_max=2, late_resend=0.01, record_history=False
        )
        return igamingace.IGamingAceStudio(http, settings, random.Random())


@events.quitting.add_listener
def summary(environment: Environment, **_: Any) -> None:
    print("answers by callback and code:")
    for (name, code), count in sorted(CODES.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {name:32} {code!s:>5} {count:>9}")
