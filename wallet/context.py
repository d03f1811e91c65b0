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
    # DATABASE_READ_URL's pool, when set: reads that may lag the primary, never money.
    replica: LedgerDB | None = None

    @property
    def read_db(self) -> LedgerDB:
        """Where the agent reports, the dashboard's reads and the paged lists read."""
        return self.replica or self.db


def context_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx
