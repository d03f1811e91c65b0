"""iGamingAce's request signature (shared/protocols/igamingace.md, "Data Sign").

sign = UPPERCASE(hex(HMAC-SHA256(key=UTF-8(secret), message=UTF-8(v1 + v2 + ... + vn)))), the
values of the endpoint's signed fields concatenated without a separator. Which fields, and in
which order, is configuration (IGAMINGACE_SIGNED_FIELDS): the contract took the per-endpoint
order from a sister document, so an operator must be able to correct it without a release.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence

from wallet.ledger.money import AmountError, format_minor, parse_minor

# Only what the studio writes: 64 uppercase hex digits. A lowercase sign is refused, not
# normalized; the contract says uppercase, and accepting both would double what a guess can hit.
_SIGN = re.compile(r"[0-9A-F]{64}")
AMOUNT_EXPONENT = 2  # the protocol's amounts have at most two decimals, signed with exactly two


def compute(secret: str, values: Sequence[str]) -> str:
    """The sign of these values under this secret."""
    # surrogatepass: a value the parser did not vet (a configured extra field) cannot make us
    # fail; its sign simply will not match.
    message = "".join(values).encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest().upper()


def verify(secret: str, values: Sequence[str], given: object) -> bool:
    """True when `given` is the uppercase sign of the values; constant time in its content."""
    if not isinstance(given, str) or _SIGN.fullmatch(given) is None:
        return False
    return hmac.compare_digest(compute(secret, values).encode(), given.encode())


def signed_values(
    fields: Mapping[str, object], names: Sequence[str], amounts: Mapping[str, str]
) -> list[str]:
    """The text of each signed field, in the configured order.

    `amounts` holds the text of the endpoint's amount fields as sent: an amount is signed with
    exactly two decimals (12.3 is signed as "12.30"). One that does not parse is signed as sent,
    so the sign check still comes before the amount check, as the contract orders them.
    """
    return [
        _amount_value(amounts[name]) if name in amounts else _plain_value(fields.get(name))
        for name in names
    ]


def _amount_value(text: str) -> str:
    try:
        return format_minor(parse_minor(text, AMOUNT_EXPONENT), AMOUNT_EXPONENT)
    except AmountError:
        return text  # refused (2) by the amount check right after the sign check


def _plain_value(value: object) -> str:
    if value is None:
        return ""  # an absent or null field (a freeSpinID outside free spins) signs as nothing
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, separators=(",", ":"))
