"""The store's migrations give every reviewed field its columns, and the helper a migration
for a new field calls adds (and drops) them on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from cmis_migrate.store.migrations.field_columns import add_field_columns, drop_field_columns
from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.tables import customers, drafts

TAX = ["tax_code_original", "tax_code_proposed", "tax_code_status", "tax_code_rules"]


def _columns(engine, table: str) -> list[str]:
    return [c["name"] for c in inspect(engine).get_columns(table)]


def test_migrations_create_the_columns_the_field_specs_declare(db_urls):
    engine = create_engine(db_urls["store"])
    try:
        upgrade(engine)
        assert set(_columns(engine, "customers")) == set(customers.c.keys())
        assert set(_columns(engine, "drafts")) == set(drafts.c.keys())
    finally:
        engine.dispose()


def test_a_new_fields_migration_adds_and_drops_its_columns(db_urls):
    engine = create_engine(db_urls["store"])
    try:
        upgrade(engine)
        with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
            add_field_columns("tax_code", contract_column="tax_code")
        assert set(TAX) <= set(_columns(engine, "customers"))
        assert "tax_code" in _columns(engine, "drafts")
        with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
            drop_field_columns("tax_code", contract_column="tax_code")
        assert set(_columns(engine, "customers")) == set(customers.c.keys())
        assert set(_columns(engine, "drafts")) == set(drafts.c.keys())
    finally:
        engine.dispose()
