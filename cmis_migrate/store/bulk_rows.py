"""A station batch's rows in and out of the store in bulk, inside the caller's transaction:
rows go in with COPY on PostgreSQL (psycopg 3), with one prepared executemany on SQLite, with
SQLAlchemy Core's executemany on any other database; rows keyed by a list of customer codes are
looked up and deleted with statements built once (an expanding IN parameter, at most
chunks.IN_LIST_SIZE keys each), not rebuilt for every station.

Each value goes through its column's own bind processing (the store's moments in UTC: see
tables.UTCDateTime), as Core would send it, so what is stored does not depend on the way it was
written (tests/integration/test_store_writes_equal.py compares the stores)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter

from sqlalchemy import Column, Integer, Table, bindparam, delete, select
from sqlalchemy.engine import Connection, Dialect

from cmis_migrate.store.chunks import chunked

_STATEMENTS: dict[tuple[str, ...], object] = {}


def _delete_keyed(column: Column):
    name = ("delete", column.table.name, column.name)
    if name not in _STATEMENTS:
        keys = bindparam("keys", expanding=True)
        _STATEMENTS[name] = delete(column.table).where(column.in_(keys))
    return _STATEMENTS[name]


def _select_keyed(key: Column, *columns: Column):
    name = ("select", key.table.name, key.name, *(c.name for c in columns))
    if name not in _STATEMENTS:
        keys = bindparam("keys", expanding=True)
        _STATEMENTS[name] = select(key, *columns).where(key.in_(keys))
    return _STATEMENTS[name]


def delete_keyed(conn: Connection, column: Column, keys: Sequence[str]) -> None:
    """DELETE the rows of column's table whose `column` is one of `keys`."""
    for part in chunked(keys):
        conn.execute(_delete_keyed(column), {"keys": part})


def select_keyed(conn: Connection, key: Column, keys: Sequence[str], *columns: Column) -> list:
    """(key, *columns) of the rows whose `key` is one of `keys`."""
    out: list = []
    for part in chunked(keys):
        out += conn.execute(_select_keyed(key, *columns), {"keys": part}).all()
    return out


def _as_int(value):
    # a count that went through a float column in pandas (3.0): COPY's text form must be 3
    return None if value is None else int(value)


def _processor(column: Column, dialect: Dialect, *, copy: bool) -> Callable | None:
    process = column.type._cached_bind_processor(dialect)
    if copy and isinstance(column.type, Integer):
        return _as_int if process is None else (lambda v: _as_int(process(v)))
    return process


def _processed(values: list, process: Callable) -> list:
    """process(value) for each value, once per distinct value (a batch's rows share its
    moment: one `changed_at`, one `drafted_at`)."""
    done: dict = {None: None}
    out = []
    for v in values:
        try:
            out.append(done[v])
        except KeyError:
            done[v] = p = process(v)
            out.append(p)
        except TypeError:  # unhashable: processed as it comes
            out.append(process(v))
    return out


def _tuples(
    rows: Sequence[dict], columns: list[Column], dialect: Dialect, *, copy: bool
) -> tuple[list[Column], list[tuple]]:
    """The rows as tuples, and the columns in their order: columns sent as they are first
    (taken from each row in one C call), then those with a processor."""
    procs = {c.name: _processor(c, dialect, copy=copy) for c in columns}
    plain = [c for c in columns if procs[c.name] is None]
    worked = [c for c in columns if procs[c.name] is not None]
    if len(plain) > 1:
        tuples = list(map(itemgetter(*(c.name for c in plain)), rows))
    else:
        tuples = [tuple(r[c.name] for c in plain) for r in rows]
    if worked:
        extra = zip(
            *(_processed([r[c.name] for r in rows], procs[c.name]) for c in worked), strict=True
        )
        tuples = [a + b for a, b in zip(tuples, extra, strict=True)]
    return plain + worked, tuples


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> None:
    """Insert `rows` (dicts keyed by column name, all with the same keys) into `table` on
    `conn`'s open transaction. A column left out gets its server default (an autoincrement key)
    or NULL: Python-side defaults are not applied."""
    if not rows:
        return
    present = set(rows[0])
    dialect = conn.dialect
    copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
    if not (copy or dialect.name == "sqlite"):
        conn.execute(table.insert(), list(rows))
        return
    columns, tuples = _tuples(
        rows, [c for c in table.columns if c.name in present], dialect, copy=copy
    )
    prep = dialect.identifier_preparer
    names = ", ".join(prep.quote(c.name) for c in columns)
    target = prep.format_table(table)
    if copy:
        driver = conn.connection.driver_connection  # the same transaction as `conn`
        with driver.cursor() as cur, cur.copy(f"COPY {target} ({names}) FROM STDIN") as out:
            for row in tuples:
                out.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})", tuples)
