"""postings.transaction_id without a foreign key; `wallet audit` checks it instead.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from wallet.migrations import run_sql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0005_postings_no_fk.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
