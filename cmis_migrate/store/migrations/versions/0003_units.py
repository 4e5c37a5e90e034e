"""CMIS managing-unit names, so a draft contract names its seller (the district branch)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:20:00

units: MA_DVIQLY -> TEN_DVIQLY as read from CMIS when a run plans; drafts are rendered from
the store, never from CMIS.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("units")
