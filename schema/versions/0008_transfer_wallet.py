"""Transfer-wallet studios: the moves out and in, and the operator lobby's keys.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from wallet.migrations import run_sql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0008_transfer_wallet.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
