"""What every request handler needs, built once per worker at startup."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from wallet.config import Settings
from wallet.ledger.database import LedgerDB


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    db: LedgerDB
    operator_id: int
    currencies: dict[str, int]  # ISO code -> exponent


def context_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx
