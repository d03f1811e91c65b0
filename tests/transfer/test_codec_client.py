"""The codec and the client's reading of the studio's answers (no server needed)."""

from __future__ import annotations

import json

import pytest

from wallet.transfer.client import Verdict, backoff_s, classify
from wallet.transfer.codec import AesGcmCodec, CodecError, make_codec


def test_aesgcm_round_trip_and_refusals() -> None:
    codec = make_codec("aesgcm", "0f" * 32)
    fields = {"username": "alice", "amount": "12.50", "transaction_id": "tw1"}
    text = codec.encode("agent", fields)
    assert "alice" not in text
    assert codec.decode("agent", text) == fields
    with pytest.raises(CodecError):
        AesGcmCodec("another key").decode("agent", text)
    with pytest.raises(CodecError):
        codec.decode("another-agent", text)  # the agent is authenticated
    with pytest.raises(CodecError):
        codec.decode("agent", text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB"))
    assert codec.encode("agent", fields) != text  # a fresh nonce each time


def test_plain_codec_and_unknown_codec() -> None:
    plain = make_codec("plain", "")
    assert plain.decode("a", plain.encode("a", {"x": 1})) == {"x": 1}
    with pytest.raises(CodecError):
        plain.decode("a", "[1]")
    with pytest.raises(ValueError, match="unknown codec"):
        make_codec("rot13", "")
    with pytest.raises(ValueError, match="needs a key"):
        make_codec("aesgcm", "")


def _body(code: int) -> bytes:
    return json.dumps({"code": code, "data": {"amount": "1.00"}}).encode()


@pytest.mark.parametrize(
    ("status", "body", "verdict"),
    [
        (200, _body(0), Verdict.OK),
        (202, _body(102), Verdict.FAILED),  # insufficient balance
        (202, _body(9), Verdict.FAILED),  # blocked user
        (202, _body(3), Verdict.FAILED),  # invalid key: not applied
        (202, _body(1), Verdict.UNKNOWN),  # "error occurred": says nothing of what applied
        (202, _body(103), Verdict.UNKNOWN),
        (500, _body(1), Verdict.UNKNOWN),
        (200, _body(102), Verdict.UNKNOWN),  # contradictory
        (200, b"not json", Verdict.UNKNOWN),
        (502, b"", Verdict.UNKNOWN),
        (202, b"{}", Verdict.UNKNOWN),  # failed, but without a code
    ],
)
def test_classify(status: int, body: bytes, verdict: Verdict) -> None:
    assert classify(status, body).verdict == verdict


def test_backoff_is_capped() -> None:
    assert [backoff_s(n, 0.1, 0.5) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]


def test_amounts_in_answers_are_exact() -> None:
    answer = classify(200, json.dumps({"code": 0, "data": {"amount": "1.005"}}).encode())
    assert answer.amount_minor("amount", 2) is None  # more decimals than THB has: refused
    answer = classify(200, json.dumps({"code": 0, "data": {"amount": "1.05"}}).encode())
    assert answer.amount_minor("amount", 2) == 105
