"""per-stage seconds of a station batch; the cross-station counts a customer was judged with

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 22:30:00

batches: seconds spent per stage (extract, normalize, validate, gx, draft, write), so a run
records where its time went. customers.context_counts: the cross-station counts (holders of
the phone, customers of the ID, customers of the person) the customer's rules saw; a customer
whose record and counts are both unchanged is skipped by the next run.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STAGES = ("extract", "normalize", "validate", "gx", "draft", "write")


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        for stage in STAGES:
            batch_op.add_column(
                sa.Column(
                    f"{stage}_seconds", sa.Float(), nullable=False, server_default=sa.text("0")
                )
            )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("context_counts", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("context_counts")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        for stage in reversed(STAGES):
            batch_op.drop_column(f"{stage}_seconds")
