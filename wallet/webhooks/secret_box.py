"""Webhook secrets: generated at registration, answered once, kept sealed.

The secret must stay readable to the server (it signs every delivery with it), so it cannot be
hashed like a token or a password. It is sealed with AES-256-GCM (a fresh nonce each, the
agent's id as associated data, so a sealed secret copied to another agent's row does not open)
under WEBHOOK_SECRET_KEY, or, when that is empty, under a key the server generates once into
signing_keys (as the cashier's JWT key is): then a dump of the webhook table alone does not
reveal the secrets, and an operator who keeps the key outside the database (the setting) gets a
database dump that reveals none. The secret never goes to a log; only registration answers it.
"""

from __future__ import annotations

import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wallet.access.signing_keys import signing_secret
from wallet.config import Settings
from wallet.ledger.database import LedgerDB

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SECRET_BYTES = 32
NONCE_BYTES = 12
KEY_NAME = "webhook_secrets"


class SecretUnreadable(Exception):
    """A sealed secret that this key does not open (the key changed, or the row was altered)."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(SECRET_BYTES)


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, agent_id: int, secret: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret.encode(), _context(agent_id))

    def open(self, agent_id: int, sealed: bytes) -> str:
        try:
            plain = self._aead.decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _context(agent_id)
            )
        except (InvalidTag, ValueError) as error:
            raise SecretUnreadable("the webhook secret does not open with this key") from error
        return plain.decode()


def _context(agent_id: int) -> bytes:
    return f"webhook-secret:agent:{agent_id}".encode()


async def secret_box(db: LedgerDB, settings: Settings) -> SecretBox:
    """The box of the configured key (64 hex digits as is; other text stretched by SHA-256),
    else of the server's generated key."""
    configured = settings.webhook_secret_key.get_secret_value()
    if not configured:
        return SecretBox(await signing_secret(db, KEY_NAME))
    try:
        raw = bytes.fromhex(configured) if len(configured) == 64 else b""
    except ValueError:
        raw = b""
    return SecretBox(raw or hashlib.sha256(configured.encode()).digest())
