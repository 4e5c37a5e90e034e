"""birth and contract dates become reviewed fields

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 04:10:00

The CMIS birth date (NGAY_SINH) and contract date (NGAY_HDONG) are checked like the ID issue
date: each gets the proposed value, status and issue codes a reviewed field has in `customers`.
Their `_original` columns exist since 0001; only the other three are added. No drafts column:
the draft contract prints neither.
"""

from __future__ import annotations

from alembic import op

from cmis_migrate.store.tables import field_columns

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FIELDS = ("birth_date", "contract_date")


def _added(field: str):
    return [c for c in field_columns(field) if not c.name.endswith("_original")]


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for field in FIELDS:
            for column in _added(field):
                batch_op.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for field in reversed(FIELDS):
            for column in reversed(_added(field)):
                batch_op.drop_column(column.name)
