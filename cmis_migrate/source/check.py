"""What `check-source` proves before the first night: the mapped tables and columns exist with
types the reader can use, what each managing unit holds, which ledgers have impossible reading
days, how long one ledger's read takes, and that the session is read only.

Only the catalogue, counts and codes are read for the report; the timed ledger read goes
through the nightly reader and its rows are counted and dropped, never kept or shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, distinct, func, inspect, select, text
from sqlalchemy import types as st
from sqlalchemy.exc import SQLAlchemyError

from cmis_migrate.failures import describe
from cmis_migrate.source.cmis import CmisSource, ReadStats
from cmis_migrate.source.ledgers import ledgers_query
from cmis_migrate.source.schema import BINARY, DATE, NEEDED, NUMBER, TEXT, CmisTables


@dataclass(frozen=True)
class ColumnCheck:
    table: str  # CMIS names
    column: str
    site: str  # table.column as the source names it (in the configured schema)
    found_type: str | None  # None: not there
    status: str  # "ok", "no table", "no column", "unusable type"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class UnitCounts:
    unit: str
    stations: int
    ledgers: int
    customers: int


@dataclass(frozen=True)
class BadReadingDay:
    ledger: str
    station: str | None
    unit: str | None
    day: str | None  # as CMIS holds it (None: missing)


@dataclass(frozen=True)
class LedgerRead:
    ledger: str
    station: str
    rows: int
    queries: int
    seconds: float


@dataclass
class SourceCheck:
    columns: list[ColumnCheck] = field(default_factory=list)
    read_only: bool | None = None
    read_only_how: str = ""
    units: list[UnitCounts] = field(default_factory=list)
    bad_days: list[BadReadingDay] = field(default_factory=list)
    inventory_seconds: float | None = None
    ledger_read: LedgerRead | None = None
    problems: list[str] = field(default_factory=list)  # each one stops the first night

    @property
    def ready(self) -> bool:
        return not self.problems


def kind_of(type_: object) -> str | None:
    """A reflected column type as the kind of value it holds, None when it cannot be read."""
    if isinstance(type_, st.Date | st.DateTime):  # Oracle DATE is a DateTime
        return DATE
    if isinstance(type_, st.Integer | st.Numeric | st.Float):  # Oracle NUMBER
        return NUMBER
    if isinstance(type_, st.String):  # VARCHAR2, NVARCHAR2, CHAR, CLOB, TEXT
        return TEXT
    if isinstance(type_, st.LargeBinary | st._Binary):
        return BINARY
    return None


def impossible_day(value: object) -> bool:
    """A reading day that is missing or not a whole number in 1..31."""
    if value is None or isinstance(value, bool):
        return True
    try:
        raw = value.decode() if isinstance(value, bytes) else str(value)
        f = float(raw.strip())
    except ValueError:  # UnicodeDecodeError is one
        return True
    return not (f.is_integer() and 1 <= f <= 31)


def check_columns(engine: Engine, tables: CmisTables) -> list[ColumnCheck]:
    """Every needed column, from the database catalogue only (names compared without case:
    Oracle reports its upper-case names in lower case)."""
    insp = inspect(engine)
    schema = tables.metadata.schema
    # a read-only login often sees CMIS through views
    names = [*insp.get_table_names(schema=schema), *insp.get_view_names(schema=schema)]
    present = {n.lower(): n for n in names}
    out = []
    for cmis_table, needed in NEEDED.items():
        t = tables.table(cmis_table)
        real = present.get(t.name.lower())
        found = (
            {c["name"].lower(): c["type"] for c in insp.get_columns(real, schema=schema)}
            if real is not None
            else {}
        )
        for col, kinds in needed.items():
            site_col = t.c[col].name
            site = f"{t.name}.{site_col}"
            if real is None:
                out.append(ColumnCheck(cmis_table, col, site, None, "no table"))
                continue
            type_ = found.get(site_col.lower())
            if type_ is None:
                out.append(ColumnCheck(cmis_table, col, site, None, "no column"))
                continue
            usable = kind_of(type_) in kinds
            status = "ok" if usable else "unusable type"
            out.append(ColumnCheck(cmis_table, col, site, _type_label(type_), status))
    return out


def _type_label(type_: object) -> str:
    try:
        return str(type_)
    except Exception:  # some reflected types cannot render without a dialect
        return type(type_).__name__


def session_read_only(engine: Engine) -> tuple[bool | None, str]:
    """Whether a session of this engine is read only, and how that is known."""
    backend = engine.dialect.name
    if backend == "sqlite":
        ro = engine.url.query.get("mode") == "ro" or "mode=ro" in str(engine.url.database)
        return ro, "SQLite file opened read only" if ro else "SQLite file opened for writing"
    with engine.connect() as conn:
        if backend == "postgresql":
            value = conn.execute(text("SHOW transaction_read_only")).scalar()
            ro = str(value).lower() == "on"
            return ro, f"PostgreSQL transaction_read_only = {value}"
        if backend == "oracle":
            conn.execute(text("SELECT 1 FROM DUAL")).scalar()
            ro = bool(conn.info.get("read_only"))
            return ro, "Oracle SET TRANSACTION READ ONLY" + ("" if ro else " not issued")
    return None, f"{backend}: not known"


def unit_count_queries(tables: CmisTables) -> dict:
    """Stations, ledgers and customers (distinct customer codes of the metering points) per
    managing unit: three GROUP BY queries, counts only."""
    t, s, d = tables.D_TRAM, tables.D_SO_GCS, tables.HDG_DIEM_DO
    return {
        "stations": select(t.c.MA_DVIQLY, func.count()).group_by(t.c.MA_DVIQLY),
        "ledgers": select(s.c.MA_DVIQLY, func.count()).group_by(s.c.MA_DVIQLY),
        "customers": select(d.c.MA_DVIQLY, func.count(distinct(d.c.MA_KHANG))).group_by(
            d.c.MA_DVIQLY
        ),
    }


def unit_counts(engine: Engine, tables: CmisTables) -> list[UnitCounts]:
    counts: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for what, q in unit_count_queries(tables).items():
            for unit, n in conn.execute(q):
                key = "-" if unit is None else str(unit).strip()
                counts.setdefault(key, {})[what] = counts.get(key, {}).get(what, 0) + int(n)
    return [
        UnitCounts(u, c.get("stations", 0), c.get("ledgers", 0), c.get("customers", 0))
        for u, c in sorted(counts.items())
    ]


def bad_reading_days(engine: Engine, tables: CmisTables) -> list[BadReadingDay]:
    with engine.connect() as conn:
        rows = conn.execute(ledgers_query(tables)).all()

    def txt(v: object) -> str | None:
        return None if v is None else str(v).strip()

    return [
        BadReadingDay(str(lg), txt(st_), txt(unit), txt(day))
        for lg, st_, unit, day in rows
        if impossible_day(day)
    ]


def largest_ledger_query(tables: CmisTables):
    """(station, ledger) with the most metering points: the slowest read of a night."""
    d = tables.HDG_DIEM_DO
    return (
        select(d.c.MA_TRAM, d.c.MA_SOGCS)
        .group_by(d.c.MA_TRAM, d.c.MA_SOGCS)
        .order_by(func.count().desc(), d.c.MA_SOGCS)
        .limit(1)
    )


def largest_ledger(engine: Engine, tables: CmisTables) -> tuple[str, str] | None:
    with engine.connect() as conn:
        row = conn.execute(largest_ledger_query(tables)).first()
    return None if row is None else (row[0], row[1])


def time_ledger_read(source: CmisSource, *, as_of: date, chunk_rows: int) -> LedgerRead | None:
    """Read the largest ledger as the nightly run does; its rows are counted and dropped."""
    target = largest_ledger(source.engine, source.tables)
    if target is None:
        return None
    station, ledger = target
    stats = ReadStats()
    t0 = time.perf_counter()
    for _frame in source.read_ledger(
        station, ledger, as_of=as_of, chunk_rows=chunk_rows, stats=stats
    ):
        pass
    return LedgerRead(
        str(ledger), str(station), stats.rows, stats.queries, time.perf_counter() - t0
    )


def _step(check: SourceCheck, what: str, fn):
    """Run one step; a database error becomes a problem naming the step (no traceback)."""
    try:
        return fn()
    except SQLAlchemyError as exc:
        kind, message = describe(exc)
        check.problems.append(f"{what} failed: {kind}: {message}")
    except (ValueError, TypeError) as exc:  # dirty values the reader cannot take
        check.problems.append(f"{what} failed: {type(exc).__name__}: {describe(exc)[1]}")
    return None


def check_source(source: CmisSource, *, as_of: date, chunk_rows: int) -> SourceCheck:
    """Everything check-source reports; later steps run only when the mapping is complete."""
    check = SourceCheck()
    engine, tables = source.engine, source.tables
    ro = _step(check, "read-only check", lambda: session_read_only(engine))
    if ro is not None:
        check.read_only, check.read_only_how = ro
        if not check.read_only:
            check.problems.append(f"the session is not read only ({check.read_only_how})")
    columns = _step(check, "reading the catalogue", lambda: check_columns(engine, tables))
    if columns is None:
        return check
    check.columns = columns
    missing = [c for c in columns if not c.ok]
    for c in missing:
        if c.status == "no table":
            problem = f"{c.table} ({c.site.split('.')[0]}): no table"
        else:
            detail = f"type {c.found_type}" if c.status == "unusable type" else c.status
            problem = f"{c.table}.{c.column} ({c.site}): {detail}"
        if problem not in check.problems:
            check.problems.append(problem)
    if missing:
        return check
    check.units = _step(check, "counting per unit", lambda: unit_counts(engine, tables)) or []
    check.bad_days = _step(check, "reading days", lambda: bad_reading_days(engine, tables)) or []
    t0 = time.perf_counter()
    if _step(check, "the ledger inventory", lambda: source.inventory(ReadStats())) is not None:
        check.inventory_seconds = time.perf_counter() - t0
    check.ledger_read = _step(
        check,
        "reading one ledger",
        lambda: time_ledger_read(source, as_of=as_of, chunk_rows=chunk_rows),
    )
    return check
