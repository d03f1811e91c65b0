"""Agent reports: commission rates, the game -> product map, the reports' indexes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from wallet.migrations import run_sql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0012_reports.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
