"""Messaging between agents of one tree; notification dedupe and unread index.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from wallet.migrations import run_sql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0013_messages.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
