"""Webhook events written by the server, from the view the API answers with.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from wallet.migrations import run_sql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0016_webhook_events_in_python.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
