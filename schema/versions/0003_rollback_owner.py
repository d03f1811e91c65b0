"""A rollback that names the wrong player stores nothing and answers not_found.

Nothing left here: the revision replaced wallet_game_call, which is now an object file
(schema/functions/wallet_game_call.sql, applied by wallet.migrations.migrate).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only; restore from backup instead")
