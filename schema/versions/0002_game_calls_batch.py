"""Batched seamless callbacks: many calls, one statement, one commit, one outcome each.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from wallet.migrations import run_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0002_game_calls_batch.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
