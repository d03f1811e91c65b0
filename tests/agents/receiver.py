"""A real webhook receiver for the tests: an HTTP server in a thread that checks every
delivery's signatures with the registration's secret (hmac.compare_digest): of the body, and of
the timestamp with the body (a fresh timestamp), and its event id header; it records the events
it accepted. Modes: "ok" (200), "fail" (500), "hang" (holds the request until released,
answers nothing, records nothing)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support import free_port

TIMESTAMP_TOLERANCE_S = 300  # what a receiver accepts: a delivery sent in the last 5 minutes


@dataclass(frozen=True)
class Delivery:
    webhook_id: str
    event: str
    event_id: str
    attempt: str
    body: dict[str, Any]


class Receiver:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.mode = "ok"
        self.secrets: dict[str, str] = {}  # webhook id -> secret
        self.accepted: list[Delivery] = []
        self.requests = 0
        self.bad_signatures = 0
        self.hanging = threading.Event()  # set when a request is being held
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        raw = request.rfile.read(int(request.headers["Content-Length"]))
        headers = request.headers
        secret = self.secrets.get(headers["X-Webhook-Id"], "")
        signed = _signed(secret, raw, headers.get("X-Webhook-Signature", ""))
        # The replay-proof signature too: of the timestamp, a dot and the body, sent just now.
        timestamp = headers.get("X-Webhook-Timestamp", "")
        stamped = headers.get("X-Webhook-Timestamp-Signature", "")
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < TIMESTAMP_TOLERANCE_S
        signed = signed and fresh and _signed(secret, timestamp.encode() + b"." + raw, stamped)
        try:
            signed = signed and json.loads(raw)["eventId"] == headers.get("X-Webhook-Event-Id")
        except (ValueError, KeyError, TypeError):
            signed = False
        with self._lock:
            self.requests += 1
            self.bad_signatures += not signed
            mode = self.mode
        if mode == "hang":
            self.hanging.set()
            self.release.wait(60)
            return  # no answer: the sender's side is gone by now
        if mode == "fail" or not signed:
            request.send_response(500 if signed else 401)
            request.end_headers()
            return
        body = json.loads(raw)
        delivery = Delivery(
            headers["X-Webhook-Id"],
            headers["X-Webhook-Event"],
            body["eventId"],
            headers["X-Webhook-Attempt"],
            body,
        )
        with self._lock:
            self.accepted.append(delivery)
        request.send_response(200)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def unique(self) -> dict[str, Delivery]:
        """Accepted deliveries by (webhook id, event id): at least once may repeat some."""
        with self._lock:
            return {f"{d.webhook_id}/{d.event_id}": d for d in self.accepted}

    def events(self, webhook_id: str) -> list[Delivery]:
        return sorted(
            (d for d in self.unique().values() if d.webhook_id == webhook_id),
            key=lambda d: (d.body["createdAt"], d.event_id),
        )


def _signed(secret: str, message: bytes, signature: str) -> bool:
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def wait_until(check: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
