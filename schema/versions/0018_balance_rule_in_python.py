"""wallet_player_balance dropped: the balance a studio sees is computed in Python.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from wallet.migrations import run_sql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0018_balance_rule_in_python.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
