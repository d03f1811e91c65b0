"""Logins locked per account after repeated failures; a cashier's sessions ended at once.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from wallet.migrations import run_sql

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0019_operator_lifecycle.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
