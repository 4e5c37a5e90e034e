from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cmis_migrate.config import RulesConfig
from cmis_migrate.transforms.identity import normalize_id_numbers

from .helpers import TODAY, codes, one


def ident(value, *, birth_year=0, place="", issued=None, today=TODAY, rules=None) -> dict:
    return one(
        normalize_id_numbers(
            pd.Series([value], dtype=object),
            today=today,
            birth_year=pd.Series([birth_year]),
            issue_place_kind=pd.Series([place]),
            issue_date=pd.Series([issued], dtype=object),
            rules=rules,
        )
    )


def test_cmnd9_is_valid_but_expired_after_2024():
    r = ident("172345678")
    assert (r["normalized"], r["status"], r["id_type"]) == ("172345678", "ambiguous", "CMND9")
    assert "ID_CMND_EXPIRED" in codes(r["issues"])


def test_cmnd_not_expired_before_the_cutoff_and_cutoff_is_config():
    assert "ID_CMND_EXPIRED" not in codes(ident("172345678", today=date(2024, 12, 31))["issues"])
    assert "ID_CMND_EXPIRED" in codes(ident("172345678", today=date(2025, 1, 1))["issues"])
    later = RulesConfig(cmnd_valid_until="2030-01-01")
    assert "ID_CMND_EXPIRED" not in codes(ident("172345678", rules=later)["issues"])


@pytest.mark.parametrize(
    "value",
    ["038085001234", "038 085 001 234", "038.085.001.234", "CCCD: 038085001234", "'038085001234"],
)
def test_cccd_formatting_is_ok(value):
    r = ident(value, place="central")
    assert (r["normalized"], r["status"], r["id_type"], r["issues"]) == (
        "038085001234",
        "ok",
        "CCCD",
        "",
    )


def test_lost_leading_zero_restored_when_it_makes_a_valid_cccd():
    r = ident("38085001234", birth_year=1985)
    assert (r["normalized"], r["status"], r["id_type"]) == ("038085001234", "fixed", "CCCD")
    assert "ID_LEADING_ZERO_RESTORED" in codes(r["issues"])


@pytest.mark.parametrize(
    ("value", "birth_year"),
    [
        ("99085001234", 0),  # province 099 does not exist
        ("38985001234", 0),  # century digit 9 -> 2385
        ("38085001234", 1990),  # birth year disagrees
    ],
)
def test_lost_zero_not_restored_when_the_result_is_not_a_valid_cccd(value, birth_year):
    r = ident(value, birth_year=birth_year)
    assert r["status"] == "invalid" and r["id_type"] == "unknown"
    assert "ID_BAD_LENGTH" in codes(r["issues"])


@pytest.mark.parametrize("value", ["3.8085E+10", "3,8085E+10", "3.8085e10", "1.72345E+08"])
def test_scientific_notation_is_never_repaired(value):
    r = ident(value)
    assert (r["status"], r["id_type"], r["normalized"]) == ("invalid", "unknown", value)
    assert "ID_SCIENTIFIC_NOTATION" in codes(r["issues"])


def test_excel_decimal_is_dropped():
    r = ident("172345678.0")
    assert r["normalized"] == "172345678" and "ID_EXCEL_DECIMAL" in codes(r["issues"])


@pytest.mark.parametrize(
    ("value", "code"),
    [("B1234567", "ID_NOT_DIGITS"), ("12345", "ID_BAD_LENGTH"), ("1234567891", "ID_BAD_LENGTH")],
)
def test_bad_shapes(value, code):
    r = ident(value)
    assert (r["status"], r["id_type"]) == ("invalid", "unknown")
    assert code in codes(r["issues"])


def test_cccd_province_code_must_exist():
    r = ident("099085001234", place="central")
    assert r["status"] == "invalid" and "ID_CCCD_PROVINCE_UNKNOWN" in codes(r["issues"])
    for province in ("001", "038", "096"):
        assert ident(f"{province}085001234", place="central")["status"] == "ok"


@pytest.mark.parametrize(
    ("digits", "birth_year"),
    [("0", 1985), ("1", 1985), ("2", 2005), ("3", 2005)],
)
def test_century_sex_digit_agrees_with_birth_year(digits, birth_year):
    value = f"038{digits}{birth_year % 100:02d}001234"
    assert ident(value, birth_year=birth_year, place="central")["status"] == "ok"
    r = ident(value, birth_year=birth_year + 1, place="central")
    assert r["status"] == "invalid" and "ID_BIRTH_YEAR_MISMATCH" in codes(r["issues"])


def test_century_digit_giving_a_future_year_is_impossible():
    r = ident("038430001234", place="central")  # 4 -> 21xx
    assert "ID_CCCD_BIRTH_YEAR_IMPOSSIBLE" in codes(r["issues"]) and r["status"] == "invalid"


def test_unknown_birth_year_skips_the_agreement_check():
    assert ident("038085001234", place="central")["status"] == "ok"


def test_12_digits_from_a_provincial_police_is_cmnd12():
    r = ident("038085001234", place="provincial", issued="2015-05-01")
    assert r["id_type"] == "CMND12" and "ID_CMND_EXPIRED" in codes(r["issues"])


def test_12_digits_issued_before_2016_without_place_is_cmnd12():
    assert ident("038085001234", issued="2014-05-01")["id_type"] == "CMND12"


def test_12_digits_central_authority_is_cccd_even_if_dated_early():
    assert ident("038085001234", place="central", issued="2014-05-01")["id_type"] == "CCCD"


def test_12_digits_without_place_after_2016_is_assumed_cccd():
    r = ident("038085001234", issued="2019-05-01")
    assert r["id_type"] == "CCCD" and "ID_TYPE_ASSUMED_CCCD" in codes(r["issues"])
    r = ident("038085001234")
    assert r["id_type"] == "CCCD" and "ID_TYPE_ASSUMED_CCCD" in codes(r["issues"])
    assert r["status"] == "ok"


@pytest.mark.parametrize("value", [None, "", "0", "000000000", "không có", "-"])
def test_missing(value):
    r = ident(value)
    assert (r["status"], r["id_type"], r["normalized"]) == ("missing", "unknown", None)


def test_companions_are_optional():
    out = normalize_id_numbers(pd.Series(["172345678", "038085001234"]), today=TODAY)
    assert list(out["id_type"]) == ["CMND9", "CCCD"]
