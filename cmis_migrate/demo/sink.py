"""Writing the demo into the CMIS tables of any SQLAlchemy database (the only I/O of the demo)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.engine import make_url

from cmis_migrate.source.schema import (
    D_DVIQLY,
    D_SO_GCS,
    D_TRAM,
    HDG_DIEM_DO,
    HDG_KHACH_HANG,
    HDG_YEU_CAU,
)

DEMO_TABLES: tuple[Table, ...] = (
    D_DVIQLY,
    D_TRAM,
    D_SO_GCS,
    HDG_KHACH_HANG,
    HDG_DIEM_DO,
    HDG_YEU_CAU,
)


class DemoExistsError(RuntimeError):
    """The target database already holds CMIS tables and force was not given."""


def demo_engine(url: str) -> Engine:
    """An engine for the target; a SQLite file's folder is created, and writes go fast."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u)

        @event.listens_for(engine, "connect")
        def _fast(dbapi_conn, _record) -> None:  # a demo file is re-seeded, not recovered
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            cur.close()

        return engine
    return create_engine(u)


def existing_tables(engine: Engine) -> list[str]:
    names = set(inspect(engine).get_table_names())
    return [t.name for t in DEMO_TABLES if t.name in names]


def prepare(engine: Engine, *, force: bool, where: str) -> None:
    """Create the demo tables; refuse (DemoExistsError) if some exist, unless force (drop them)."""
    present = existing_tables(engine)
    if present and not force:
        raise DemoExistsError(
            f"{where} already holds CMIS tables ({', '.join(present)}); "
            "refusing to overwrite it (use --force to drop and re-create the demo tables)"
        )
    from cmis_migrate.source.schema import metadata

    with engine.begin() as conn:
        if present:
            metadata.drop_all(conn, tables=list(reversed(DEMO_TABLES)), checkfirst=True)
        metadata.create_all(conn, tables=list(DEMO_TABLES))


def insert_rows(conn: Connection, table: Table, rows: Sequence[tuple]) -> None:
    """Insert tuples in the table's column order: COPY on PostgreSQL/psycopg, else executemany.

    COPY is ~3x faster than executemany on PostgreSQL (bench/bench_seed.py).
    """
    if not rows:
        return
    cols = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        dbapi = conn.connection.driver_connection
        quoted = ", ".join(f'"{c}"' for c in cols)
        with dbapi.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    if conn.dialect.positional:  # SQLite: the compiled INSERT with tuples is ~2x Core's dicts
        sql = str(table.insert().compile(dialect=conn.dialect))
        conn.exec_driver_sql(sql, list(rows))
        return
    conn.execute(table.insert(), [dict(zip(cols, row, strict=True)) for row in rows])
