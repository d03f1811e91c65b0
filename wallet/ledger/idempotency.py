"""The request hash that tells a replay from a conflict under one idempotency key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping


def request_hash(fields: Mapping[str, object]) -> bytes:
    """SHA-256 of a canonical rendering: key order and JSON spacing do not matter."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).digest()
