"""Dates (ID issue date, birth date, contract date) -> ISO 'YYYY-MM-DD'.

Accepted, day first as Vietnamese write them: 12/03/2021, 12-3-2021, 12.03.2021, 12/03/21
(two-digit year: <= the current year's two digits -> 20yy, else 19yy: status fixed),
'ngày 12 tháng 3 năm 2021', 12032021 (8 digits, day first; yyyymmdd when day-first is
impossible), ISO 2021-03-12 (a time part is ignored), 2021/03/12, and Excel serial numbers of
5 digits ('44231' = 2021-02-04; fixed). A lone 4-digit year is DATE_YEAR_ONLY (invalid as a
date, but its year serves the CCCD check). No date before 1900 or after `today` is accepted.
Parsing runs once per distinct value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmis_migrate.transforms.common import (
    TEXT,
    as_text,
    clean_text,
    concat,
    distinct,
    finish,
    mask,
    where,
)
from cmis_migrate.transforms.vn_fold import fold

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})" + _TIME + "$")
_YMD = re.compile(r"^(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})" + _TIME + "$")
_COMPACT = re.compile(r"^\d{8}$")
_YEAR = re.compile(r"^\d{4}$")
_SERIAL = re.compile(r"^(\d{5})(?:[.,]\d+)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_WORDS = re.compile(r"^(?:ngay )?(\d{1,2}) (?:thang )?(\d{1,2}) (?:nam )?(\d{4})$")

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 = 1900-03-01 (Excel's 1900 leap-year bug)
_MIN = date(1900, 1, 1)


@dataclass(frozen=True)
class ParsedDate:
    iso: str | None  # the date when valid
    codes: tuple[str, ...]
    year: int  # the year when known (also for year-only values), else 0


def _check(y: int, m: int, d: int, today: date, codes: tuple[str, ...]) -> ParsedDate:
    try:
        value = date(y, m, d)
    except ValueError:
        return ParsedDate(None, (*codes, "DATE_IMPOSSIBLE"), 0)
    if value < _MIN:
        return ParsedDate(None, (*codes, "DATE_TOO_OLD"), y)
    if value > today:
        return ParsedDate(None, (*codes, "DATE_IN_FUTURE"), y)
    return ParsedDate(value.isoformat(), codes, y)


def parse_date(text: str, today: date) -> ParsedDate:
    """Parse one cleaned, non-empty text (see the module doc for the accepted forms)."""
    t = text.strip()
    if m := _DMY.match(t):
        d, mo, y = int(m[1]), int(m[2]), m[3]
        if len(y) == 2:
            yy = int(y)
            year = 2000 + yy if yy <= today.year % 100 else 1900 + yy
            return _check(year, mo, d, today, ("DATE_TWO_DIGIT_YEAR",))
        return _check(int(y), mo, d, today, ())
    if m := _YMD.match(t):
        return _check(int(m[1]), int(m[2]), int(m[3]), today, ())
    if _COMPACT.match(t):
        first = _check(int(t[4:]), int(t[2:4]), int(t[:2]), today, ())
        if first.iso is None and t[:2] in ("19", "20"):
            second = _check(int(t[:4]), int(t[4:6]), int(t[6:]), today, ())
            if second.iso is not None:
                return second
        return first
    if _YEAR.match(t):
        y = int(t)
        if _MIN.year <= y <= today.year:
            return ParsedDate(None, ("DATE_YEAR_ONLY",), y)
        return ParsedDate(None, ("DATE_UNREADABLE",), 0)
    if m := _SERIAL.match(t):
        value = _EXCEL_EPOCH + timedelta(days=int(m[1]))
        return _check(value.year, value.month, value.day, today, ("DATE_EXCEL_SERIAL",))
    if _MONTH_YEAR.match(t):
        return ParsedDate(None, ("DATE_INCOMPLETE",), int(_MONTH_YEAR.match(t)[2]))
    if m := _WORDS.match(fold(t)):
        return _check(int(m[3]), int(m[2]), int(m[1]), today, ())
    return ParsedDate(None, ("DATE_UNREADABLE",), 0)


DATE_CODES = (
    "VALUE_PLACEHOLDER",
    "DATE_EXCEL_SERIAL",
    "DATE_TWO_DIGIT_YEAR",
    "DATE_YEAR_ONLY",
    "DATE_INCOMPLETE",
    "DATE_IMPOSSIBLE",
    "DATE_TOO_OLD",
    "DATE_IN_FUTURE",
    "DATE_UNREADABLE",
)


@dataclass
class ParsedDates:
    """Column-wise result of parse_dates (row order of the input)."""

    cleaned: pa.Array  # the cleaned text (null when missing)
    iso: pa.Array  # ISO date or null
    year: np.ndarray  # int, 0 when unknown
    codes: dict[str, np.ndarray]
    missing: np.ndarray


_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_FAST = r"^(?P<d>[0-9]{1,2})[/.-](?P<m>[0-9]{1,2})[/.-](?P<y>[0-9]{4})$"
_FAST_ISO = r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})$"


def _fast_path(cleaned: pa.Array, today: date) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """The common shapes (dd/mm/yyyy and ISO) parsed vectorized: (valid rows, ISO, year).
    Rows not valid here (other shapes, impossible or out-of-range dates) go to parse_date."""
    n = len(cleaned)
    ok = np.zeros(n, dtype=bool)
    iso = pa.nulls(n, type=TEXT)
    year = np.zeros(n, dtype=np.int32)
    for pattern in (_FAST, _FAST_ISO):
        parts = pc.extract_regex(cleaned, pattern)
        hit = mask(pc.is_valid(parts)) & ~ok
        if not hit.any():
            continue
        y_s, m_s, d_s = (pc.struct_field(parts, k) for k in ("y", "m", "d"))
        y, m, d = (
            np.asarray(pc.fill_null(pc.cast(x, pa.int32()), 0).to_numpy(zero_copy_only=False))
            for x in (y_s, m_s, d_s)
        )
        leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
        month_ok = (m >= 1) & (m <= 12)
        dim = _DAYS[np.clip(m - 1, 0, 11)] + ((m == 2) & leap)
        text = concat(y_s, "-", pc.utf8_lpad(m_s, 2, "0"), "-", pc.utf8_lpad(d_s, 2, "0"))
        in_range = mask(pc.less_equal(text, today.isoformat())) & (y >= _MIN.year)
        good = hit & month_ok & (d >= 1) & (d <= dim) & in_range
        iso = where(good, text, iso)
        year = np.where(good, y, year).astype(np.int32)
        ok |= good
    return ok, iso, year


def parse_dates(values: pd.Series, *, today: date) -> ParsedDates:
    cleaned, placeholder = clean_text(as_text(values))
    fast, iso, year = _fast_path(cleaned, today)
    rest = where(fast, None, cleaned)
    codes_idx, uniques = distinct(rest)
    parsed = [parse_date(u, today) for u in uniques]
    take = np.where(codes_idx < 0, len(uniques), codes_idx)
    slow_iso = pa.array([p.iso for p in parsed] + [None], type=TEXT).take(pa.array(take))
    iso = pc.coalesce(iso, slow_iso)
    year = np.where(fast, year, np.asarray([p.year for p in parsed] + [0], dtype=np.int32)[take])
    codes: dict[str, np.ndarray] = {"VALUE_PLACEHOLDER": placeholder}
    for name in DATE_CODES[1:]:
        flags = np.asarray([name in p.codes for p in parsed] + [False], dtype=bool)
        codes[name] = flags[take]
    missing = mask(pc.is_null(cleaned))
    return ParsedDates(cleaned, iso, year, codes, missing)


def normalize_dates(values: pd.Series, *, today: date) -> pd.DataFrame:
    """normalized (ISO date, or the cleaned text when invalid), status, issues; same index."""
    p = parse_dates(values, today=today)
    return finish(values.index, pc.coalesce(p.iso, p.cleaned), p.codes, p.missing)
