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
            # a night writes ~3,300 station transactions of a few hundred rows: checkpoint the
            # WAL every ~40 MB instead of every 4 MB (a third less time in COMMIT, measured)
            cur.execute("PRAGMA wal_autocheckpoint = 10000")
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


def source_engine(
    url: str | URL,
    *,
    password: str | None = None,
    statement_timeout_seconds: float = 0,
    fetch_rows: int | None = None,
) -> Engine:
    """Engine for CMIS, read only: SQLite opened read only, PostgreSQL sessions in read-only
    transactions, Oracle transactions begun with SET TRANSACTION READ ONLY. A statement
    running past the time limit is cancelled (PostgreSQL, Oracle); Oracle fetches `fetch_rows`
    rows per round trip. The password is set on the URL object only, never rendered."""
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
    u = make_url(url)
    if password is not None:
        u = u.set(password=password)
    backend = u.get_backend_name()
    kwargs: dict = {"pool_pre_ping": True, "pool_size": 4, "max_overflow": 4}
    if backend == "oracle" and fetch_rows:
        kwargs["arraysize"] = fetch_rows
    engine = create_engine(u, **kwargs)
    ms = int(statement_timeout_seconds * 1000)
    if backend == "postgresql":
        _postgresql_read_only(engine, ms)
    elif backend == "oracle":
        _oracle_read_only(engine, ms)
    return engine


def _postgresql_read_only(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True  # a SET outside any transaction lasts for the session
        cur = dbapi_conn.cursor()
        cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cur.execute(f"SET statement_timeout = {int(timeout_ms)}")
        cur.close()
        dbapi_conn.autocommit = autocommit


def _oracle_read_only(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - needs an Oracle server
        dbapi_conn.call_timeout = int(timeout_ms)  # python-oracledb: per round trip, 0 = none
        cur = dbapi_conn.cursor()
        # keyset paging compares codes with < and sorts them: both byte-wise, as on the others
        cur.execute("ALTER SESSION SET NLS_SORT = BINARY NLS_COMP = BINARY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - needs an Oracle server
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn.info["read_only"] = True


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
