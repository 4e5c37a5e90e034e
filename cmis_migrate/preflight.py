"""Checks before a run starts Prefect: each database reachable, with a message a user can act on."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from cmis_migrate.config import Config, ConfigError
from cmis_migrate.db import safe_url, sqlite_path, store_engine
from cmis_migrate.source.connect import open_source_engine, source_tables
from cmis_migrate.source.schema import NEEDED


class PreflightError(RuntimeError):
    pass


def source_exists(cfg: Config) -> bool:
    """True when the CMIS source has the tables we read (SQLite file present and populated)."""
    try:
        check_source(cfg)
    except PreflightError:
        return False
    return True


def check_source(cfg: Config) -> None:
    url = safe_url(cfg.source.url)
    path = sqlite_path(cfg.source.url)
    if path is not None and not path.exists():
        raise PreflightError(
            f"CMIS source not found: {path} (create a demo one with `cmis-migrate seed-demo`)"
        )
    tables = source_tables(cfg)
    schema = cfg.source.db_schema
    try:
        engine = open_source_engine(cfg)
        try:
            # Oracle reports case-insensitive names in lower case: compare without case;
            # a read-only login often sees CMIS through views
            insp = inspect(engine)
            found = [*insp.get_table_names(schema=schema), *insp.get_view_names(schema=schema)]
            names = {n.lower() for n in found}
        finally:
            engine.dispose()
    except ConfigError as exc:
        raise PreflightError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise PreflightError(f"cannot reach the CMIS source {url}: {type(exc).__name__}") from None
    needed = (tables.table(name).name for name in NEEDED)  # what the nightly run reads
    missing = sorted(n for n in needed if n.lower() not in names)
    if missing:
        where = f"{url} (schema {schema})" if schema else url
        raise PreflightError(
            f"the CMIS source {where} lacks table(s) {', '.join(missing)} "
            "(`cmis-migrate check-source` shows what the mapping in config needs)"
        )


def check_store(cfg: Config) -> None:
    try:
        engine = store_engine(cfg.store.url)
        try:
            with engine.connect():
                pass
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        raise PreflightError(
            f"cannot reach the migration store {safe_url(cfg.store.url)}: {type(exc).__name__}"
        ) from None
