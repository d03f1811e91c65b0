"""Signatures are compared in constant time: every verdict, right or wrong, comes from
hmac.compare_digest over the whole expected and given signature, never from `==`, which
stops at the first differing byte and so tells an attacker how much of a guess was right."""

from __future__ import annotations

import hmac

import pytest

from loadtest.studios import ambslot as amb_studio
from loadtest.studios.igamingace import compute_sign
from wallet.providers import ambslot, igamingace_sign

KEY = "a-test-key-of-some-length"


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    return seen


def test_the_ambslot_signature_is_compared_in_constant_time(
    comparisons: list[tuple[bytes, bytes]],
) -> None:
    body = b'{"username":"member001"}'
    right = amb_studio.sign(body, KEY)
    wrong = right[:-2] + ("AA" if not right.endswith("AA") else "BB")
    assert ambslot.signature_ok(body, KEY, right)
    assert not ambslot.signature_ok(body, KEY, wrong)
    assert comparisons == [(right.encode(), right.encode()), (right.encode(), wrong.encode())]


def test_the_igamingace_sign_is_compared_in_constant_time(
    comparisons: list[tuple[bytes, bytes]],
) -> None:
    values = ["Partner01", "Player01", "12.30"]
    right = compute_sign(KEY, values)
    wrong = ("0" if right[0] != "0" else "1") + right[1:]
    assert igamingace_sign.verify(KEY, values, right)
    assert not igamingace_sign.verify(KEY, values, wrong)
    assert comparisons == [(right.encode(), right.encode()), (right.encode(), wrong.encode())]
