"""The double-entry ledger, players, the seamless hot path and general transfers: their tables and
types. Their functions and triggers are object files (schema/functions/, schema/triggers/).

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from wallet.migrations import run_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0001_ledger.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
