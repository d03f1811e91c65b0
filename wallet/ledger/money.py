"""Exact money at the edges: Decimal text in, int minor units inside, Decimal text out."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum

# Plain decimal notation only: no exponent, no sign other than a leading minus, no spaces.
_DECIMAL_TEXT = re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?")
AMOUNT_MINOR_MAX = 10**15  # far above any real stake; keeps every sum inside bigint


class AmountProblem(StrEnum):
    """Why an amount was refused: what each interface words its own way."""

    NOT_PLAIN = "not_plain"  # not plain decimal notation: an exponent, a sign, spaces, text
    NEGATIVE = "negative"
    TOO_PRECISE = "too_precise"  # more decimal places than the currency has
    TOO_LARGE = "too_large"


class AmountError(ValueError):
    """An amount that is not an exact, non-negative value in the allowed decimals; `problem`
    says which rule it broke (the message is for logs and operators)."""

    def __init__(self, problem: AmountProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def parse_minor(text: str, exponent: int) -> int:
    """The exact minor units of a decimal written as text.

    More decimal places than allowed is an error even when they are zeros ("12.300" at
    exponent 2): the protocol limits the places written, and we never round.
    """
    match = _DECIMAL_TEXT.fullmatch(text)
    if match is None:
        raise AmountError(AmountProblem.NOT_PLAIN, f"not a plain decimal: {text[:40]!r}")
    if text.startswith("-"):
        # "-0" and "-0.00" too: zero with a sign is not an amount a studio means, and accepting
        # it as "0" would sign and hash it as a different text than the one sent.
        raise AmountError(AmountProblem.NEGATIVE, "negative amount")
    fraction = match.group(2) or "."
    if len(fraction) - 1 > exponent:
        raise AmountError(AmountProblem.TOO_PRECISE, f"more than {exponent} decimals")
    minor = int(Decimal(text).scaleb(exponent))
    if minor > AMOUNT_MINOR_MAX:
        raise AmountError(AmountProblem.TOO_LARGE, "amount too large")
    return minor


def format_minor(minor: int, exponent: int) -> str:
    """Minor units as decimal text with exactly `exponent` decimals (1230, 2 -> "12.30")."""
    sign = "-" if minor < 0 else ""
    digits = str(abs(minor)).rjust(exponent + 1, "0")
    if exponent == 0:
        return sign + digits
    return f"{sign}{digits[:-exponent]}.{digits[-exponent:]}"
