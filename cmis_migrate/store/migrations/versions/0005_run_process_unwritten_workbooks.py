"""the process behind a run; review workbooks that could not be written

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 00:30:00

runs.host, runs.pid, runs.process_start: where a run's process lives, so the next run on the same
machine sees at once that a crashed run's process is gone (process_start tells a reused pid
from the run's own). unwritten_workbooks: a branch whose review workbook failed to be written
(disk full), shown by the run summary and status and written again by the next run or rerun.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("process_start", sa.String(length=80), nullable=True))
    op.create_table(
        "unwritten_workbooks",
        sa.Column("branch", sa.String(length=40), primary_key=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("unwritten_workbooks")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("process_start")
        batch.drop_column("pid")
        batch.drop_column("host")
