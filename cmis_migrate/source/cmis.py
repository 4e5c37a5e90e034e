"""Reading CMIS: the ledger inventory once per run, then one ledger at a time in bounded chunks.

The only module that knows CMIS table and column names. Every query is counted (ReadStats), so
each station batch records how hard it leaned on CMIS.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal

import pandas as pd
from sqlalchemy import Date, DateTime, and_, func, inspect, literal, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from cmis_migrate.model import Ledger, ReadStats, Station, reading_day
from cmis_migrate.source.schema import (
    CHANGE_REQUEST_TYPES,
    DEFAULT_TABLES,
    CmisTables,
)

MAX_IN_LIST = 1000  # Oracle refuses an IN-list of more items (ORA-01795)

RAW_COLUMNS = (
    "customer_code",
    "branch",
    "station",
    "ledger",
    "metering_point",
    "meter_no",
    "full_name",
    "address",
    "supply_address",
    "phone",
    "email",
    "id_number",
    "id_issue_date",
    "id_issue_place",
    "birth_date",
    "households",
    "contract_no",
    "contract_date",
    "pending_change",
    "record_date",  # NGAY_HLUC: the row (phone included) was written no later than this
)


def in_list(column, values):
    """`column IN (values)` in lists of at most MAX_IN_LIST items (OR-ed), for Oracle."""
    values = list(values)
    parts = [column.in_(values[i : i + MAX_IN_LIST]) for i in range(0, len(values), MAX_IN_LIST)]
    return parts[0] if len(parts) == 1 else or_(*parts)


def open_request(y):
    """An HDG_YEU_CAU row that takes its customer out of the bulk flow: open, of a change type."""
    return and_(y.c.TINH_TRANG == "MOI", in_list(y.c.LOAI_YCAU, CHANGE_REQUEST_TYPES))


def _open_change_request(y, customer_code_col):
    """The customer's open request that takes it out of the bulk flow (indexed lookup per row)."""
    return (
        select(func.min(y.c.LOAI_YCAU))
        .where(customer_code_col == y.c.MA_KHANG, open_request(y))
        .scalar_subquery()
    )


class CmisSource:
    """Read-only access to a CMIS database (any SQLAlchemy engine) under a site's names.

    `validity_dates` says whether NGAY_HLUC/NGAY_HHLUC are date columns (Oracle DATE: compare
    with a date, never with text that Oracle would parse by NLS_DATE_FORMAT) or text (the demo);
    None looks it up in the database's catalogue on first use."""

    def __init__(
        self,
        engine: Engine,
        tables: CmisTables | None = None,
        *,
        validity_dates: bool | None = None,
    ):
        self.engine = engine
        self.tables = tables or DEFAULT_TABLES
        self.validity_dates = validity_dates
        self._date_columns: dict[tuple[str, str], bool] = {}

    def inventory_query(self):
        d, s, t = self.tables.HDG_DIEM_DO, self.tables.D_SO_GCS, self.tables.D_TRAM
        counts = (
            select(d.c.MA_TRAM, d.c.MA_SOGCS, func.count().label("n"))
            .group_by(d.c.MA_TRAM, d.c.MA_SOGCS)
            .subquery("n")
        )
        q = (
            select(
                t.c.MA_TRAM,
                t.c.MA_DVIQLY,
                t.c.CHUAN_HOA_TTKH,
                t.c.TEN_TRAM,
                s.c.MA_SOGCS,
                s.c.NGAY_GCS,
                counts.c.n,
            )
            .select_from(t)
            .join(s, s.c.MA_TRAM == t.c.MA_TRAM, isouter=True)
            .join(
                counts,
                and_(counts.c.MA_TRAM == t.c.MA_TRAM, counts.c.MA_SOGCS == s.c.MA_SOGCS),
                isouter=True,
            )
            .order_by(t.c.MA_TRAM, s.c.MA_SOGCS)
        )
        return q

    def inventory(self, stats: ReadStats | None = None) -> list[Station]:
        """Stations with their ledgers and customer counts: one aggregate query, no customer rows."""
        rows = self.fetch(self.inventory_query(), stats if stats is not None else ReadStats())
        stations: dict[str, tuple[str, bool, list[Ledger], str | None]] = {}
        for tram, unit, std, name, sogcs, day, n in rows:
            entry = stations.setdefault(tram, (unit, bool(std), [], name))
            if sogcs is not None:
                entry[2].append(Ledger(sogcs, tram, unit, reading_day(day), int(n or 0)))
        return [Station(k, v[0], v[1], tuple(v[2]), v[3]) for k, v in stations.items()]

    def _is_date(self, table: str, column: str) -> bool:
        """Whether the site's column holds dates (the catalogue says so; else it is text)."""
        if (table, column) not in self._date_columns:
            t = self.tables.table(table)
            try:
                cols = inspect(self.engine).get_columns(t.name, schema=t.schema)
            except SQLAlchemyError:
                cols = []
            wanted = t.c[column].name.lower()
            types = [c["type"] for c in cols if c["name"].lower() == wanted]
            self._date_columns[(table, column)] = bool(types) and isinstance(
                types[0], Date | DateTime
            )
        return self._date_columns[(table, column)]

    def _dates_are_dates(self) -> bool:
        if self.validity_dates is None:
            self.validity_dates = self._is_date("HDG_KHACH_HANG", "NGAY_HLUC")
        return self.validity_dates

    def date_literal(self, table: str, column: str, day: date):
        """`day` as the site's `table.column` compares with it: a date or ISO text."""
        if (table, column) in (("HDG_KHACH_HANG", "NGAY_HLUC"), ("HDG_KHACH_HANG", "NGAY_HHLUC")):
            return self.day_literal(day)
        return literal(day, Date) if self._is_date(table, column) else literal(day.isoformat())

    def day_literal(self, day: date):
        """`day` as the validity dates compare with it: a date, or ISO text (see the class)."""
        return literal(day, Date) if self._dates_are_dates() else literal(day.isoformat())

    def valid_on(self, day: date):
        """The HDG_KHACH_HANG rows valid on `day`: NGAY_HLUC <= day < NGAY_HHLUC (open ends)."""
        k, lit = self.tables.HDG_KHACH_HANG, self.day_literal(day)
        return and_(
            or_(k.c.NGAY_HLUC.is_(None), lit >= k.c.NGAY_HLUC),
            or_(k.c.NGAY_HHLUC.is_(None), lit < k.c.NGAY_HHLUC),
        )

    def customer_rows(self):
        """RAW_COLUMNS of every metering point's customer (no filter: the callers add one)."""
        d, k, y = self.tables.HDG_DIEM_DO, self.tables.HDG_KHACH_HANG, self.tables.HDG_YEU_CAU
        return (
            select(
                k.c.MA_KHANG.label("customer_code"),
                d.c.MA_DVIQLY.label("branch"),
                d.c.MA_TRAM.label("station"),
                d.c.MA_SOGCS.label("ledger"),
                d.c.MA_DDO.label("metering_point"),
                d.c.SO_CTO.label("meter_no"),
                k.c.TEN_KHANG.label("full_name"),
                k.c.DIA_CHI.label("address"),
                d.c.DIA_CHI_SDD.label("supply_address"),
                k.c.DTHOAI.label("phone"),
                k.c.EMAIL.label("email"),
                k.c.SO_CMND.label("id_number"),
                k.c.NGAY_CAP.label("id_issue_date"),
                k.c.NOI_CAP.label("id_issue_place"),
                k.c.NGAY_SINH.label("birth_date"),
                d.c.SO_HO.label("households"),
                k.c.SO_HDONG.label("contract_no"),
                k.c.NGAY_HDONG.label("contract_date"),
                _open_change_request(y, k.c.MA_KHANG).label("pending_change"),
                k.c.NGAY_HLUC.label("record_date"),
            )
            .select_from(d)
            .join(k, k.c.MA_KHANG == d.c.MA_KHANG)
        )

    def ledger_query(self, station: str, ledger: str, as_of: date):
        """The ledger's customers valid on `as_of`, ordered by metering point (not paged)."""
        d = self.tables.HDG_DIEM_DO
        return (
            self.customer_rows()
            .where(station == d.c.MA_TRAM, ledger == d.c.MA_SOGCS, self.valid_on(as_of))
            .order_by(d.c.MA_DDO)
        )

    def read_customers(self, codes: list[str], *, as_of: date, stats: ReadStats) -> pd.DataFrame:
        """These customers' rows valid on `as_of`, as a ledger read returns them (one row per
        metering point), MAX_IN_LIST codes per query."""
        d = self.tables.HDG_DIEM_DO
        base = self.customer_rows().where(self.valid_on(as_of)).order_by(d.c.MA_DDO)
        return self._of_codes(base, codes, stats)

    def read_ledger_customers(
        self, station: str, ledger: str, codes: list[str], *, as_of: date, stats: ReadStats
    ) -> pd.DataFrame:
        """These customers' rows in one ledger valid on `as_of`, as its read returns them: the
        ledger's query (its index) narrowed to the codes, MAX_IN_LIST codes per query."""
        return self._of_codes(self.ledger_query(station, ledger, as_of), codes, stats)

    def _of_codes(self, base, codes: list[str], stats: ReadStats) -> pd.DataFrame:
        """`base` narrowed to the customers `codes`, in lists of at most MAX_IN_LIST."""
        d, parts = self.tables.HDG_DIEM_DO, []
        for i in range(0, len(codes), MAX_IN_LIST):
            q = base.where(d.c.MA_KHANG.in_(codes[i : i + MAX_IN_LIST]))
            parts.append(to_raw_frame(self.fetch(q, stats)))
        if not parts:
            return to_raw_frame([])
        return pd.concat(parts, ignore_index=True)

    def read_ledger(
        self,
        station: str,
        ledger: str,
        *,
        as_of: date,
        chunk_rows: int,
        stats: ReadStats,
    ) -> Iterator[pd.DataFrame]:
        """Yield the ledger's customers as raw frames of at most `chunk_rows` rows (keyset paging)."""
        base = self.ledger_query(station, ledger, as_of)
        last: str | None = None
        while True:
            rows = self.fetch(self.page(base, last, chunk_rows), stats)
            if not rows:
                return
            yield to_raw_frame(rows)
            if len(rows) < chunk_rows:
                return
            last = rows[-1].metering_point

    def fetch(self, query, stats: ReadStats) -> list:
        """All rows of one query, counted in `stats` (queries, rows, seconds with the connect)."""
        t0 = time.perf_counter()
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        stats.queries += 1
        stats.rows += len(rows)
        stats.seconds += time.perf_counter() - t0
        return rows

    def page(self, base, after: str | None, rows: int):
        """One keyset page of a ledger query: the `rows` metering points after `after`."""
        q = base if after is None else base.where(after < self.tables.HDG_DIEM_DO.c.MA_DDO)
        return q.limit(rows)


MAX_HOUSEHOLDS = 1000  # SO_HO beyond this (or below 0) is not a count of households


def _text(v: object) -> str | None:
    """A CMIS value as text, whatever the column held: bytes in UTF-8, or else in an 8-bit
    code page (TCVN3 bytes then read as their Windows-1252 characters, which the transforms
    flag as legacy text); Oracle DATE/NUMBER values as ISO dates and digits. NUL, which the
    PostgreSQL store cannot hold, becomes U+FFFD so a branch sees that something was there."""
    if v is None:
        return None
    if isinstance(v, str):
        text = v
    elif isinstance(v, bytes | bytearray | memoryview):
        raw = bytes(v)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    elif isinstance(v, datetime):
        text = (
            v.date().isoformat()
            if v.time() == clock_time.min and v.tzinfo is None
            else v.isoformat()
        )
    elif isinstance(v, date):
        text = v.isoformat()
    elif isinstance(v, Decimal):
        text = format(v, "f")
    elif isinstance(v, float) and v.is_integer():  # an Oracle NUMBER fetched as float
        text = str(int(v))
    else:
        text = str(v)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def _households(v: object) -> int | None:
    try:
        n = int(v)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
    if isinstance(v, bool) or (isinstance(v, float | Decimal) and n != v):
        return None  # 2.5 households is no count (int() would make it 2)
    return n if 0 <= n <= MAX_HOUSEHOLDS else None


def to_raw_frame(rows: list) -> pd.DataFrame:
    """CMIS rows -> the raw customer frame: text as str or None, households as nullable Int64.

    Built column by column as object columns (no inference, no Arrow round trip): a ledger
    chunk is small, and per-call pandas overhead used to cost more than the rows. A column of
    plain strings (the usual case) is taken as is; anything else goes through _text."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(RAW_COLUMNS)
    data = {}
    for name, values in zip(RAW_COLUMNS, columns, strict=True):
        if name == "households":
            data[name] = pd.array([_households(v) for v in values], dtype="Int64")
        elif all(v is None or (v.__class__ is str and "\x00" not in v) for v in values):
            data[name] = pd.Series(values, dtype=object)
        else:
            data[name] = pd.Series([_text(v) for v in values], dtype=object)
    return pd.DataFrame(data, columns=list(RAW_COLUMNS))
