"""Logins locked per account after repeated failures; a cashier's sessions ended at once.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from wallet.migrations import run_sql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0018_operator_lifecycle.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
