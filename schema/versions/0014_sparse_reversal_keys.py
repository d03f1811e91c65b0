"""The reversal links' unique indexes only over the rows that have a link.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from wallet.migrations import run_sql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0014_sparse_reversal_keys.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
