"""Engines for the two databases: CMIS (read only) and the migration store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url


def _sqlite_pragmas(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every SQLite test
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 60000")
        if wal:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def store_engine(url: str) -> Engine:
    """Engine for the migration store: many writers (threads, processes), short transactions."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        _sqlite_pragmas(engine, wal=True)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def source_engine(url: str) -> Engine:
    """Engine for CMIS. A SQLite source is opened read only: we never write to CMIS."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is None:
            return create_engine(url)
        if not path.exists():
            raise FileNotFoundError(
                f"CMIS source database not found: {path} (run `cmis-migrate seed-demo`)"
            )
        ro = f"sqlite:///file:{path}?mode=ro&uri=true"
        engine = create_engine(ro, connect_args={"timeout": 60, "check_same_thread": False})
        _sqlite_pragmas(engine, wal=False)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: everything we store is UTC, so re-attach it."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
