"""ledgers read in part: the day of each ledger's last whole read, the customers of a mark

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:00:00

An incremental run may read a ledger in part: only its customers with rows dated since its last
read, or marked since it (their cross-station counts moved). ledger_reads.swept_on: the day of
the ledger's last whole read, which a read in part keeps and from which load.full_sweep_days
counts (NULL, rows written before: the read's own day, as_of). holder_marks.customer_code: the
customer whose counts the mark is about (NULL, marks made before: the ledger is read whole).
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
    with op.batch_alter_table("holder_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_code", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("holder_marks", schema=None) as batch_op:
        batch_op.drop_column("customer_code")
    with op.batch_alter_table("ledger_reads", schema=None) as batch_op:
        batch_op.drop_column("swept_on")
