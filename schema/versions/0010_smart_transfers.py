"""The agent platform's smart transfer: rebates, bypass policies, ST ids, notifications.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from wallet.migrations import run_sql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0010_smart_transfers.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
