"""The request codec: how a request's fields travel to a studio (its "Encryption Guide").

The studio's guide is not public, so the cipher is one replaceable piece chosen per studio by
configuration: `aesgcm` (AES-256-GCM from `cryptography`, the agent as associated data) or
`plain` (JSON as is; the simulator's default). A request body is always
{"agent": AGENT, "data": TEXT}; TEXT is what the codec makes of the fields' JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class CodecError(ValueError):
    """A request that this codec cannot read (wrong key, tampered, not JSON)."""


class Codec(Protocol):
    name: str

    def encode(self, agent: str, fields: dict[str, Any]) -> str: ...

    def decode(self, agent: str, text: str) -> dict[str, Any]: ...


def _fields(raw: bytes) -> dict[str, Any]:
    try:
        fields = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CodecError("not JSON") from error
    if not isinstance(fields, dict):
        raise CodecError("not a JSON object")
    return fields


class PlainCodec:
    name = "plain"

    def encode(self, agent: str, fields: dict[str, Any]) -> str:
        return json.dumps(fields, separators=(",", ":"), sort_keys=True)

    def decode(self, agent: str, text: str) -> dict[str, Any]:
        return _fields(text.encode())


class AesGcmCodec:
    """base64(nonce || AES-256-GCM(fields JSON)), the agent authenticated as associated data.

    The key is the shared secret: 64 hex digits are used as the 32 bytes they spell; any other
    text is stretched to 32 bytes with SHA-256 (so an operator can paste the studio's key as is).
    """

    name = "aesgcm"

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("the aesgcm codec needs a key")
        try:
            raw = bytes.fromhex(key) if len(key) == 64 else b""
        except ValueError:
            raw = b""
        self._aead = AESGCM(raw or hashlib.sha256(key.encode()).digest())

    def encode(self, agent: str, fields: dict[str, Any]) -> str:
        nonce = os.urandom(NONCE_BYTES)
        body = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
        sealed = self._aead.encrypt(nonce, body, agent.encode())
        return base64.b64encode(nonce + sealed).decode()

    def decode(self, agent: str, text: str) -> dict[str, Any]:
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError as error:
            raise CodecError("not base64") from error
        if len(raw) <= NONCE_BYTES:
            raise CodecError("too short")
        try:
            body = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], agent.encode())
        except InvalidTag as error:
            raise CodecError("wrong key or tampered") from error
        return _fields(body)


CODECS = ("plain", "aesgcm")


def make_codec(name: str, key: str) -> Codec:
    if name == "plain":
        return PlainCodec()
    if name == "aesgcm":
        return AesGcmCodec(key)
    raise ValueError(f"unknown codec {name!r}; known: {', '.join(CODECS)}")
