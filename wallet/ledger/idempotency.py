"""The request hash that tells a replay from a conflict under one idempotency key."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass


def request_hash(fields: Mapping[str, object]) -> bytes:
    """SHA-256 of a canonical rendering: key order and JSON spacing do not matter."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).digest()


@dataclass(frozen=True, slots=True)
class ScopedKey:
    """A client's idempotency key scoped by its owner (a shop, an agent), and the hash of its
    request; without a client key a fresh one, so the move is its own."""

    external_id: str
    request_hash: bytes

    @classmethod
    def of(cls, owner_id: int, client_key: str | None, request: Mapping[str, object]) -> ScopedKey:
        scoped = f"{owner_id}:key:{client_key}" if client_key else f"{owner_id}:auto:{uuid.uuid4()}"
        return cls(scoped, request_hash(dict(request)))
