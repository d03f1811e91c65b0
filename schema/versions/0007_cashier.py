"""The cashier API: generated signing keys, and an index of the cashiers' moves per player.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from wallet.migrations import run_sql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0007_cashier.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
