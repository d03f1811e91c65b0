"""Every studio endpoint the fuzzers hit: a valid body to mutate, how to write and sign it, how
to read the answer's code, and which codes must leave the balance untouched.

The bodies come from the studio simulators (loadtest/studios), which speak each protocol
independently of the server's code.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import strategies as st

from loadtest.studios import ambslot, igamingace

Body = dict[str, object]

# What the fuzz sent (per studio and kind of case) and the codes it got (per studio and code);
# printed at the end of the run (conftest.py).
CASES: Counter[tuple[str, str]] = Counter()
ANSWERS: Counter[tuple[str, int]] = Counter()


@dataclass(frozen=True, slots=True)
class Endpoint:
    studio: str
    path: str
    valid: Callable[[str], Body]  # username -> a body the studio could send
    encode: Callable[[Mapping[str, object]], bytes]  # the body on the wire, as the studio writes
    code_of: Callable[[Any], int]  # the answer's code; raises when the answer is malformed
    error_codes: frozenset[int]  # codes that must leave the balance untouched
    failure_code: int  # "our side failed": never the answer to a request, however bad
    signed: Callable[[Body], Body] | None = None  # the body with its sign computed again
    plausible: Mapping[str, st.SearchStrategy[object]] | None = None  # parseable field garbage
    delta_of: Callable[[Body], int | None] | None = None  # what a success moves (None: unknown)

    def __str__(self) -> str:
        return self.path


# --- AMBSlot ---------------------------------------------------------------------------------


def _amb_code(answer: Any) -> int:
    status = answer["status"]
    assert isinstance(status["code"], int) and isinstance(status["message"], str)
    assert answer["data"] is None or isinstance(answer["data"], dict)
    return int(status["code"])


def _amb(operation: str) -> Endpoint:
    def valid(username: str) -> Body:
        if operation == "balance":
            return {"username": username, "agentId": "ambdemo"}
        extra: dict[str, Any] = {"amount_minor": 100}
        if operation == "settle":
            extra["bet_minor"] = 100
        return ambslot.callback_fields(operation, username, secrets.token_hex(6), **extra)

    # The test server has no AMBSLOT_KEY: the signature is a header it does not ask for, so
    # every body already reaches the checks behind it.
    return Endpoint(
        "AMBSlot",
        f"/ambslot/{operation}",
        valid,
        ambslot.encode,
        _amb_code,
        frozenset({607, 800, 900, 908, 995, 997, 998, 999}),
        failure_code=999,
    )


# --- iGamingAce ------------------------------------------------------------------------------

IGA_CODES = frozenset({0, 1, 2, 3, 4, 5, 6, 8, 9, 11})
IGA_ANSWER_FIELDS = frozenset({"code", "message", "platformTransactionID", "balance"})


def _iga_code(answer: Any) -> int:
    """The code of an answer in iGamingAce's envelope (protocols/igamingace.md)."""
    assert isinstance(answer, dict) and set(answer) <= IGA_ANSWER_FIELDS, answer
    code = answer["code"]
    assert isinstance(code, int) and code in IGA_CODES, answer
    assert isinstance(answer["message"], str) and answer["message"], answer
    if "platformTransactionID" in answer:
        assert code in (0, 11) and isinstance(answer["platformTransactionID"], str), answer
    if "balance" in answer:
        assert isinstance(answer["balance"], int | float), answer
    return code


def _as_sent(fields: Mapping[str, object]) -> Body:
    """Top-level floats as the number text json writes (so the sign covers what is sent)."""
    return {
        name: igamingace.Num(repr(value)) if isinstance(value, float) else value
        for name, value in fields.items()
    }


def _minor(value: object) -> int:
    """Hundredths of an amount the server accepted (a JSON number or a numeric string)."""
    try:
        return int(Decimal(str(value)).scaleb(2))
    except InvalidOperation as error:
        raise AssertionError(f"an accepted amount that is no decimal: {value!r}") from error


def _iga_delta(endpoint: str) -> Callable[[Body], int | None]:
    def delta(fields: Body) -> int | None:
        if endpoint == "Withdraw":
            return -_minor(fields["amount"])
        if endpoint == "Deposit":
            return _minor(fields["amount"])
        if endpoint == "BetWin":
            return _minor(fields["winAmount"]) - _minor(fields["betAmount"])
        return 0 if endpoint == "GetBalance" else None  # a rollback moves what its target did

    return delta


# Values of the right JSON type with garbage content: they pass the parser's type checks (most
# of the time), get signed, and so reach the amount check, the player lookup and the ledger.
_id_text = st.text(min_size=0, max_size=140) | st.sampled_from(["x", "0", "-1", " ", "\u0000"])
_number_text = st.from_regex(
    r"-?(0|[1-9][0-9]{0,19})(\.[0-9]{1,4})?([eE][-+]?[0-9])?", fullmatch=True
)
_amount = (
    _number_text  # a numeric string: "12.30", "-5", "0.001", "1e5"
    | _number_text.map(igamingace.Num)  # the same written as a bare JSON number
    | st.sampled_from(["", "0.00", "-0.00", "1.", ".5", "00.10", " 5", "1_000", "١٢٣", "NaN"])
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.decimals(min_value=0, max_value=10**6, places=2).map(lambda d: igamingace.Num(str(d)))
)
_game_id = st.integers(min_value=-1, max_value=2**64) | st.from_regex(
    r"[0-9]{0,20}", fullmatch=True
)


IGA_PLAUSIBLE: dict[str, st.SearchStrategy[object]] = {
    "agentID": st.sampled_from(["Partner01", "partner01", "Partner01 ", ""]) | _id_text,
    "userID": st.from_regex(r"[A-Za-z0-9]{0,50}", fullmatch=True),
    "amount": _amount,
    "betAmount": _amount,
    "winAmount": _amount,
    "transactionID": _id_text,
    "roundID": _id_text,
    "refTransactionID": _id_text | st.none(),
    "gameID": _game_id,
    "freeSpinID": st.none() | _id_text,
    "isBonusBuy": st.sampled_from([0, 1, 2, -1]),
}


def _iga(endpoint: str) -> Endpoint:
    def valid(username: str) -> Body:
        one_amount = endpoint in ("Withdraw", "Deposit")
        both = endpoint == "BetWin"
        # A rollback of an id never seen: 8, nothing moves (and a tombstone is left).
        ref = secrets.token_hex(8) if endpoint in ("Deposit", igamingace.ROLLBACK) else None
        return igamingace.callback_fields(
            endpoint,
            username,
            amount_minor=100 if one_amount else None,
            bet_minor=100 if both else None,
            win_minor=50 if both else None,
            ref_id=ref,
        )

    def signed(fields: Body) -> Body:
        return igamingace.signed(endpoint, _as_sent(fields), igamingace.StudioSettings().secret)

    names = set(valid("fuzz0000"))
    return Endpoint(
        "iGamingAce",
        f"/igamingace/{endpoint}",
        valid,
        igamingace.encode,
        _iga_code,
        IGA_CODES - {0},
        failure_code=1,
        signed=signed,
        plausible={name: IGA_PLAUSIBLE[name] for name in sorted(names) if name in IGA_PLAUSIBLE},
        delta_of=_iga_delta(endpoint),
    )


ENDPOINTS: list[Endpoint] = [
    *(_amb(op) for op in ("balance", "bet", "payout", "settle", "cancel")),
    *(_iga(ep) for ep in igamingace.SIGNED_FIELDS),
]
SIGNED_ENDPOINTS = [e for e in ENDPOINTS if e.signed is not None]
