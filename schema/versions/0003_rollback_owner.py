"""A rollback that names the wrong player stores nothing and answers not_found.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from wallet.migrations import run_sql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0003_rollback_owner.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
