"""the day of each ledger's last whole read

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:00:00

ledger_reads.swept_on: an incremental run may read a ledger in part (only its customers with
rows dated since its last read); such a read keeps the day of the last whole read, from which
load.full_sweep_days counts. NULL (rows written before): the read's own day (as_of).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_reads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("swept_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_reads", schema=None) as batch_op:
        batch_op.drop_column("swept_on")
