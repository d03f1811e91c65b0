"""Amount text to minor units: exact, or refused; never rounded."""

from __future__ import annotations

import pytest

from wallet.ledger.money import AmountError, format_minor, parse_minor


@pytest.mark.parametrize(
    ("text", "exponent", "minor"),
    [("0", 2, 0), ("0.00", 2, 0), ("12.3", 2, 1230), ("12.30", 2, 1230), ("7", 0, 7)],
)
def test_plain_decimals_become_exact_minor_units(text: str, exponent: int, minor: int) -> None:
    assert parse_minor(text, exponent) == minor


@pytest.mark.parametrize(
    "text",
    ["-1", "-0.01", "-0", "-0.00", "12.300", "1e2", "01", " 1", "1.", ".5", "+1", "NaN"],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(AmountError):
        parse_minor(text, 2)


def test_formatting_is_the_inverse_of_parsing() -> None:
    for minor in (0, 1, 99, 100, 123456789):
        assert parse_minor(format_minor(minor, 2), 2) == minor
