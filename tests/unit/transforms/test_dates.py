from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmis_migrate.transforms.dates import normalize_dates, parse_date

from .helpers import TODAY, codes, one


def d(value, today: date = TODAY) -> dict:
    return one(normalize_dates(pd.Series([value], dtype=object), today=today))


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("12/03/2021", "2021-03-12"),  # day first: 12 March
        ("03/12/2021", "2021-12-03"),
        ("12-3-2021", "2021-03-12"),
        ("12.03.2021", "2021-03-12"),
        ("2/3/2021", "2021-03-02"),
        ("12 / 03 / 2021", "2021-03-12"),
        ("2021-03-12", "2021-03-12"),
        ("2021-03-12 00:00:00", "2021-03-12"),
        ("2021-03-12T08:30:00", "2021-03-12"),
        ("2021/03/12", "2021-03-12"),
        ("ngày 12 tháng 3 năm 2021", "2021-03-12"),
        ("Ngày 12 tháng 03 năm 2021", "2021-03-12"),
        ("12032021", "2021-03-12"),
        ("20210312", "2021-03-12"),
        ("29/02/2020", "2020-02-29"),
    ],
)
def test_accepted_formats_are_ok(value, iso):
    r = d(value)
    assert (r["normalized"], r["status"], r["issues"]) == (iso, "ok", "")


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("44231", "2021-02-04"),
        ("44231.0", "2021-02-04"),
        ("44231.75", "2021-02-04"),
        ("25569", "1970-01-01"),
        ("36526", "2000-01-01"),
    ],
)
def test_excel_serials_are_fixed(value, iso):
    r = d(value)
    assert (r["normalized"], r["status"], r["issues"]) == (iso, "fixed", "DATE_EXCEL_SERIAL")


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("12/03/98", "1998-03-12"),
        ("12/03/05", "2005-03-12"),
        ("1/1/26", "2026-01-01"),
        ("1/1/27", "1927-01-01"),
    ],
)
def test_two_digit_years_pivot_on_todays_year(value, iso):
    r = d(value)
    assert (r["normalized"], r["status"], r["issues"]) == (iso, "fixed", "DATE_TWO_DIGIT_YEAR")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("31/02/2020", "DATE_IMPOSSIBLE"),
        ("29/02/2021", "DATE_IMPOSSIBLE"),
        ("00/01/2020", "DATE_IMPOSSIBLE"),
        ("12/13/2020", "DATE_IMPOSSIBLE"),
        ("12/25/2021", "DATE_IMPOSSIBLE"),  # US order is not guessed
        ("02/03/2026", "DATE_IN_FUTURE"),
        ("01/01/2030", "DATE_IN_FUTURE"),
        ("99999", "DATE_IN_FUTURE"),
        ("01/01/1890", "DATE_TOO_OLD"),
        ("1975", "DATE_YEAR_ONLY"),
        ("03/2021", "DATE_INCOMPLETE"),
        ("abc", "DATE_UNREADABLE"),
        ("12/03", "DATE_UNREADABLE"),
        ("3000", "DATE_UNREADABLE"),
    ],
)
def test_invalid_dates(value, code):
    r = d(value)
    assert r["status"] == "invalid"
    assert code in codes(r["issues"])
    assert r["normalized"] == value  # the text as written stays the proposal


def test_today_is_accepted_and_tomorrow_is_future():
    assert d("01/03/2026")["status"] == "ok"
    assert d("02/03/2026")["status"] == "invalid"
    assert d("02/03/2026", today=date(2026, 3, 2))["status"] == "ok"


@pytest.mark.parametrize("value", [None, "", "  ", "-", "0", "không có", "n/a"])
def test_missing(value):
    assert d(value)["status"] == "missing"


def test_year_only_keeps_its_year_for_the_cccd_check():
    p = parse_date("1975", TODAY)
    assert (p.iso, p.year) == (None, 1975)
    assert parse_date("12/03/1985", TODAY).year == 1985


def test_index_kept_and_distinct_values_repeat():
    s = pd.Series(["12/03/2021", "12/03/2021", None, "44231"], index=list("abcd"))
    out = normalize_dates(s, today=TODAY)
    assert list(out.index) == list("abcd")
    assert list(out["normalized"].fillna("")) == ["2021-03-12", "2021-03-12", "", "2021-02-04"]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 35),
    st.integers(0, 14),
    st.integers(1850, 2100),
    st.sampled_from(["{d}/{m}/{y}", "{d:02d}-{m:02d}-{y}", "{d}.{m}.{y}", "{y}-{m:02d}-{d:02d}"]),
)
def test_vectorized_fast_path_agrees_with_parse_date(d, m, y, fmt):
    text = fmt.format(d=d, m=m, y=y)
    got = normalize_dates(pd.Series([text]), today=TODAY).iloc[0]
    expected = parse_date(text, TODAY)
    assert (got["normalized"] if got["status"] != "invalid" else None) == expected.iso
    assert got["issues"] == ";".join(expected.codes)
