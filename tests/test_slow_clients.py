"""A client that sends its body byte by byte holds only its own request: others are served at
once, and the slow one is cut off after REQUEST_BODY_TIMEOUT_S with the studio's error code."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Mapping

import httpx

from tests.support import Server


def _dribble(port: int, path: str, body: bytes, pause_s: float, result: dict[str, bytes]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        sock.sendall(head)
        try:
            for byte in body:
                sock.sendall(bytes([byte]))
                time.sleep(pause_s)
        except OSError:
            pass  # the server hung up on us: that is the point
        result["answer"] = sock.recv(65536)


def test_a_byte_by_byte_body_blocks_no_one_and_times_out(
    start_server: Callable[[Mapping[str, str]], Server],
) -> None:
    srv = start_server({"REQUEST_BODY_TIMEOUT_S": "1.5"})
    body = b'{"username":"slowpoke","agentId":"ambdemo"}'
    result: dict[str, bytes] = {}
    slow = threading.Thread(target=_dribble, args=(srv.port, "/ambslot/balance", body, 0.1, result))
    slow.start()
    time.sleep(0.3)
    with httpx.Client(base_url=srv.base_url, timeout=5) as client:
        for _ in range(20):
            started = time.monotonic()
            assert client.get("/health").status_code == 200
            assert time.monotonic() - started < 0.5, "a slow client held up another request"
    slow.join(30)
    answer = result.get("answer", b"")
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"code":999' in answer.replace(b" ", b""), answer[-300:]
