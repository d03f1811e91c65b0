"""Retail shops: shops, cashiers, API keys, revoked tokens, rate limits, shop players.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from wallet.migrations import run_sql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0006_shops.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
