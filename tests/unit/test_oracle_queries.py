"""Every query the source adapter issues, compiled for SQLAlchemy's Oracle dialect (no server
needed): paging, quoting of upper-case and mapped names, dates bound as dates, IN-lists of at
most 1,000 items; and Oracle's value types read as text."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import oracle

from cmis_migrate.source.changes import requests_query, validity_query
from cmis_migrate.source.check import (
    impossible_day,
    kind_of,
    largest_ledger_query,
    unit_count_queries,
)
from cmis_migrate.source.cmis import MAX_IN_LIST, CmisSource, in_list, to_raw_frame
from cmis_migrate.source.ledgers import ledgers_query
from cmis_migrate.source.schema import BINARY, DATE, NUMBER, TEXT, cmis_tables

SITE = cmis_tables(
    "CMIS",
    {"D_SO_GCS": "GCS_SO", "HDG_KHACH_HANG": "KHACH_HANG"},
    {"D_SO_GCS": {"NGAY_GCS": "NGAY_GHI"}, "HDG_DIEM_DO": {"MA_DDO": "MA_DIEMDO"}},
)
AS_OF = date(2026, 3, 10)


def _sql(stmt, dialect=None, literal=False) -> str:
    kw = {"compile_kwargs": {"literal_binds": True}} if literal else {}
    return str(stmt.compile(dialect=dialect or oracle.dialect(), **kw))


def _source(validity_dates: bool = True) -> CmisSource:
    return CmisSource(None, SITE, validity_dates=validity_dates)  # type: ignore[arg-type]


def all_queries():
    src = _source()
    ledger = src.ledger_query("TBA1", "SO1", AS_OF)
    return {
        "inventory": src.inventory_query(),
        "ledger first page": src.page(ledger, None, 500),
        "ledger next page": src.page(ledger, "PA0701000001001", 500),
        "ledgers": ledgers_query(SITE),
        "largest ledger": largest_ledger_query(SITE),
        "changed rows": validity_query(src, date(2026, 3, 1), AS_OF),
        "open requests": requests_query(src, date(2026, 3, 1), AS_OF),
        **{f"units {k}": q for k, q in unit_count_queries(SITE).items()},
    }


@pytest.mark.parametrize("name", list(all_queries()))
def test_each_query_compiles_for_oracle_with_quoted_mapped_names(name) -> None:
    sql = _sql(all_queries()[name], literal=True)
    # every table is qualified by the quoted schema; upper-case names are quoted (exact case)
    tables = re.findall(r'FROM ("?\w+"?)\.("?\w+"?)', sql)
    assert tables and all(schema == '"CMIS"' for schema, _ in tables)
    assert " LIMIT " not in sql  # Oracle has no LIMIT
    # the mapped names replace CMIS's, never both
    assert '"D_SO_GCS"' not in sql and '"HDG_KHACH_HANG"' not in sql
    assert '"NGAY_GCS"' not in sql and '"MA_DDO"' not in sql


def test_mapped_names_appear_in_the_sql() -> None:
    q = all_queries()
    assert '"CMIS"."GCS_SO"."NGAY_GHI"' in _sql(q["inventory"])
    assert '"CMIS"."HDG_DIEM_DO"."MA_DIEMDO"' in _sql(q["ledger first page"])
    assert '"CMIS"."KHACH_HANG"."TEN_KHANG"' in _sql(q["ledger first page"])


def test_ledger_pages_fetch_first_n_rows_after_the_last_key() -> None:
    q = all_queries()
    first = _sql(q["ledger first page"], literal=True)
    nxt = _sql(q["ledger next page"], literal=True)
    assert first.rstrip().endswith("FETCH FIRST 500 ROWS ONLY")
    assert 'ORDER BY "CMIS"."HDG_DIEM_DO"."MA_DIEMDO"' in first
    assert '"CMIS"."HDG_DIEM_DO"."MA_DIEMDO" > \'PA0701000001001\'' in nxt
    assert 'MA_DIEMDO" > ' not in first
    # an Oracle before 12c has no FETCH FIRST: SQLAlchemy pages with ROWNUM instead
    old = oracle.dialect()
    old._supports_offset_fetch = False
    assert "ROWNUM" in _sql(q["ledger next page"], dialect=old)


def test_validity_dates_are_compared_as_dates_on_oracle() -> None:
    sql = _sql(all_queries()["ledger first page"], literal=True)
    # a DATE column against text would be parsed by NLS_DATE_FORMAT (ORA-01861)
    assert sql.count("TO_DATE('2026-03-10', 'YYYY-MM-DD')") == 2
    assert "'2026-03-10' " not in sql.replace("TO_DATE('2026-03-10'", "")
    # a text validity column (the demo) is compared with ISO text
    text_sql = _sql(_source(False).ledger_query("T", "S", AS_OF), literal=True)
    assert "TO_DATE" not in text_sql and text_sql.count("'2026-03-10'") == 2


def test_the_change_queries_compare_validity_dates_as_dates_on_oracle() -> None:
    q = all_queries()
    rows = _sql(q["changed rows"], literal=True)
    # NGAY_HLUC and NGAY_HHLUC each between the first day and today, in the CASE and the WHERE
    assert rows.count("TO_DATE('2026-03-01', 'YYYY-MM-DD')") == 4
    assert rows.count("TO_DATE('2026-03-10', 'YYYY-MM-DD')") == 4
    assert 'GROUP BY "CMIS"."HDG_DIEM_DO"."MA_TRAM", "CMIS"."HDG_DIEM_DO"."MA_SOGCS"' in rows
    requests = _sql(q["open requests"], literal=True)
    assert "TO_DATE('2026-03-10', 'YYYY-MM-DD')" in requests  # valid today, as a read sees
    assert 'count(DISTINCT "CMIS"."HDG_DIEM_DO"."MA_KHANG")' in requests
    assert "'MOI'" in requests and "'DOI_CHU_THE'" in requests
    # NGAY_YCAU of unknown type (no catalogue here) is compared as ISO text
    assert "'2026-03-01'" in requests.replace("TO_DATE('2026-03-01'", "")


def test_in_lists_have_at_most_1000_items() -> None:
    for name, stmt in all_queries().items():
        for items in re.findall(r" IN \(([^)]*)\)", _sql(stmt, literal=True)):
            assert len(items.split(",")) <= MAX_IN_LIST, name
    col = SITE.HDG_YEU_CAU.c.LOAI_YCAU
    sql = str(
        in_list(col, [f"K{i}" for i in range(2500)]).compile(
            dialect=oracle.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    lists = re.findall(r" IN \(([^)]*)\)", sql)
    assert [len(x.split(",")) for x in lists] == [1000, 1000, 500]
    assert " OR " in sql


def test_oracle_values_are_read_as_text() -> None:
    # what python-oracledb hands back: NUMBER as int/Decimal, DATE as datetime, CLOB and
    # NVARCHAR2 as str (SQLAlchemy reads LOBs as str)
    row = (
        "PA0701000001",
        "PA0701",
        "TBA1",
        "SO1",
        "PA0701000001001",
        Decimal("123456"),  # SO_CTO typed as NUMBER
        "Nguyễn Văn A",  # NVARCHAR2
        "Thôn 1 " * 200,  # CLOB
        None,
        Decimal("912345678"),  # DTHOAI as NUMBER: digits, no exponent or ".0"
        None,
        38123456789.0,  # SO_CMND as a NUMBER fetched as float: no ".0"
        datetime(2015, 6, 1),  # DATE at midnight: an ISO date
        "CA Thanh Hóa",
        datetime(1980, 1, 2, 13, 5),  # a DATE with a time keeps it
        Decimal("2"),
        "HD-1",
        datetime(2010, 1, 1),
        None,
        datetime(2019, 3, 4),  # NGAY_HLUC (record_date) as an Oracle DATE
    )
    frame = to_raw_frame([row])
    r = frame.iloc[0]
    assert r["meter_no"] == "123456" and r["phone"] == "912345678"
    assert r["id_number"] == "38123456789"
    assert r["id_issue_date"] == "2015-06-01" and r["contract_date"] == "2010-01-01"
    assert r["birth_date"] == "1980-01-02T13:05:00"
    assert r["households"] == 2 and r["address"].startswith("Thôn 1")
    assert r["record_date"] == "2019-03-04"


def test_oracle_types_are_usable_kinds() -> None:
    assert kind_of(oracle.NUMBER(10, 0)) == NUMBER
    assert kind_of(oracle.DATE()) == DATE
    assert kind_of(oracle.CLOB()) == TEXT
    assert kind_of(oracle.NVARCHAR2(100)) == TEXT
    assert kind_of(oracle.VARCHAR2(20)) == TEXT
    assert kind_of(oracle.BLOB()) == BINARY
    assert kind_of(oracle.ROWID()) is None


@pytest.mark.parametrize(
    ("day", "impossible"),
    [(1, False), (31, False), (Decimal("15"), False), ("7", False), (12.0, False),
     (0, True), (32, True), (None, True), ("", True), ("abc", True), (3.5, True), (-1, True),
     (True, True), (b"12", False), (b"\xff", True)],
)  # fmt: skip
def test_impossible_reading_days(day, impossible) -> None:
    assert impossible_day(day) is impossible


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.text(),
        st.binary(),
    )
)
def test_any_reading_day_is_classified_without_crashing(day) -> None:
    impossible = impossible_day(day)
    assert isinstance(impossible, bool)
    if isinstance(day, int) and not isinstance(day, bool):
        assert impossible is not (1 <= day <= 31)
