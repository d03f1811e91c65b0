"""How a random secret is stored and looked up (shop API keys, operator keys, agent tokens)."""

from __future__ import annotations

import hashlib


def key_digest(key: str) -> bytes:
    """SHA-256: enough for a secret of full entropy (it cannot be guessed, only stolen)."""
    return hashlib.sha256(key.encode()).digest()
