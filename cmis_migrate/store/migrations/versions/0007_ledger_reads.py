"""each ledger's last committed read, stale-holder marks, ledgers left unread by a batch

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-12 09:00:00

ledger_reads: per ledger, its last read that committed (run, the CMIS validity day used, when
the read began, why it was read, what it saw: metering points, reading day, open change
requests, the pipeline fingerprint, its customers' outcomes). holder_marks: ledgers whose
customers' cross-station counts a later commit made stale. batches.ledgers_unchanged: ledgers
a batch did not read because nothing changed since their last read (load.incremental).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(_count("ledgers_unchanged"))
    op.create_table(
        "ledger_reads",
        sa.Column("ledger", sa.String(length=20), primary_key=True),
        sa.Column("station", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("full_sweep", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("reason", sa.String(length=20), nullable=False),
        _count("metering_points"),
        sa.Column("reading_day", sa.Integer(), nullable=True),
        _count("open_requests"),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        _count("customers"),
        _count("ready"),
        _count("needs_review"),
        _count("blocked"),
    )
    op.create_index("ix_ledger_reads_station", "ledger_reads", ["station"])
    op.create_table(
        "holder_marks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ledger", sa.String(length=20), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_holder_marks_ledger", "holder_marks", ["ledger"])


def downgrade() -> None:
    op.drop_index("ix_holder_marks_ledger", table_name="holder_marks")
    op.drop_table("holder_marks")
    op.drop_index("ix_ledger_reads_station", table_name="ledger_reads")
    op.drop_table("ledger_reads")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("ledgers_unchanged")
