"""The cashier console as a till: each cashier move's author, each shop's till settings.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from wallet.migrations import run_sql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0017_pages_cashier_till.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
