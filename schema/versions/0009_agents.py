"""The agent platform: agents in a tree, their tokens, their players, their moves.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from wallet.migrations import run_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0009_agents.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
