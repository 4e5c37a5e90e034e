"""What a migration adding (or dropping) a reviewed field does: its four `customers` columns
and, when its spec names one, its `drafts` column. See docs/ARCHITECTURE.md, "Adding a field"."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cmis_migrate.store.tables import field_columns


def add_field_columns(field: str, contract_column: str | None = None) -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for column in field_columns(field):
            batch_op.add_column(column)
    if contract_column:
        with op.batch_alter_table("drafts", schema=None) as batch_op:
            batch_op.add_column(sa.Column(contract_column, sa.Text(), nullable=True))


def drop_field_columns(field: str, contract_column: str | None = None) -> None:
    if contract_column:
        with op.batch_alter_table("drafts", schema=None) as batch_op:
            batch_op.drop_column(contract_column)
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for column in reversed(field_columns(field)):
            batch_op.drop_column(column.name)
