"""The agent platform's webhooks: registrations, the event outbox, deliveries and attempts.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from wallet.migrations import run_sql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0011_webhooks.sql")


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
