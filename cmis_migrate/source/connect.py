"""Opening CMIS as config describes it: the URL with the password from the environment or its
file, the session limits, and the site's schema, table and column names."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from cmis_migrate import db
from cmis_migrate.config import Config, source_password
from cmis_migrate.source.cmis import CmisSource
from cmis_migrate.source.schema import CmisTables, cmis_tables


def source_tables(cfg: Config) -> CmisTables:
    """The CMIS tables under the site's names (source.schema, source.tables, source.columns)."""
    s = cfg.source
    return cmis_tables(s.db_schema, s.tables, s.columns)


def open_source_engine(cfg: Config) -> Engine:
    """db.source_engine with the configured password, time limit and fetch size (read only).
    Raises ConfigError (password file unreadable) or FileNotFoundError (no SQLite file)."""
    return db.source_engine(
        cfg.source.url,
        password=source_password(cfg),
        statement_timeout_seconds=cfg.source.statement_timeout_seconds,
        fetch_rows=cfg.load.max_rows_per_query,
    )


def open_source(cfg: Config) -> CmisSource:
    """The source adapter the nightly run reads through (build_runtime opens it once per run)."""
    return CmisSource(open_source_engine(cfg), source_tables(cfg))
