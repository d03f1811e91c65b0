"""Batched seamless callbacks: many calls, one statement, one commit, one outcome each.

Nothing left here: the revision added a function, wallet_game_calls, which is now an object file
(schema/functions/wallet_game_calls.sql, applied by wallet.migrations.migrate).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
