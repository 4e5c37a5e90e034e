"""station names for the review workbook; once-only imports of a returned workbook

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:45:00

station_names: D_TRAM.TEN_TRAM by station code, written when a run plans, so the branch review
workbook names the station a clerk knows. returned_workbooks: (report id, file checksum) of
every applied returned workbook; its primary key makes two concurrent imports apply once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_names",
        sa.Column("station", sa.String(length=20), primary_key=True),
        sa.Column("name", sa.Text(), nullable=True),
    )
    op.create_table(
        "returned_workbooks",
        sa.Column("report_id", sa.String(length=40), primary_key=True),
        sa.Column("checksum", sa.String(length=64), primary_key=True),
        sa.Column("import_id", sa.String(length=40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("returned_workbooks")
    op.drop_table("station_names")
