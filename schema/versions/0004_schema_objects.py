"""Functions, views and triggers as object files, each applied again when it changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from wallet.migrations import run_sql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0004_schema_objects.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
