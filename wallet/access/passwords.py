"""Password hashes (argon2id) of cashiers and shop players, computed off the event loop.

Parameters: OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane), about 40 ms a hash on
this project's machine; argon2-cffi's own default (64 MiB, 3 passes, 4 lanes) took 300 ms, which
two cores cannot spend per login. A hash carries its parameters, so raising them later still
verifies every stored hash.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against when the username is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)
