"""Checks before a run starts Prefect: each database reachable, with a message a user can act on."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from cmis_migrate.config import Config
from cmis_migrate.db import safe_url, source_engine, sqlite_path, store_engine
from cmis_migrate.source.schema import metadata as cmis_metadata


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
    try:
        engine = source_engine(cfg.source.url)
        try:
            names = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        raise PreflightError(f"cannot reach the CMIS source {url}: {type(exc).__name__}") from None
    missing = sorted(set(cmis_metadata.tables) - names)
    if missing:
        raise PreflightError(f"the CMIS source {url} lacks table(s) {', '.join(missing)}")


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
