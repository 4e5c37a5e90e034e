from __future__ import annotations

import random

import pandas as pd
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmis_migrate.config import RulesConfig
from cmis_migrate.transforms.phone import (
    K_EITHER,
    K_FIXED,
    K_INVALID,
    K_MOBILE,
    K_SERVICE,
    normalize_phones,
    number_kinds,
)

from .helpers import codes, one


def phone(value, date: str | None = None, rules: RulesConfig | None = None) -> dict:
    dates = pd.Series([date], dtype=object)
    return one(normalize_phones(pd.Series([value], dtype=object), record_dates=dates, rules=rules))


# The 2018 renumbering (Ministry of Information and Communications): all 21 old prefixes.
PREFIX_2018 = [
    ("0162", "032"), ("0163", "033"), ("0164", "034"), ("0165", "035"), ("0166", "036"),
    ("0167", "037"), ("0168", "038"), ("0169", "039"),
    ("0120", "070"), ("0121", "079"), ("0122", "077"), ("0126", "076"), ("0128", "078"),
    ("0123", "083"), ("0124", "084"), ("0125", "085"), ("0127", "081"), ("0129", "082"),
    ("0186", "056"), ("0188", "058"), ("0199", "059"),
]  # fmt: skip


def test_prefix_table_has_the_21_prefixes():
    assert len(PREFIX_2018) == 21 and len({o for o, _ in PREFIX_2018}) == 21


@pytest.mark.parametrize(("old", "new"), PREFIX_2018)
def test_each_old_11_digit_mobile_is_mapped(old, new):
    r = phone(f"{old}9876543")
    assert r["normalized"] == f"+84{new[1:]}9876543"
    assert r["status"] == "fixed"
    assert "PHONE_PREFIX_2018" in codes(r["issues"])
    assert r["phone_type"] == "mobile"
    assert r["otp_ready"] is True


@pytest.mark.parametrize(("old", "new"), PREFIX_2018)
def test_old_mobile_with_lost_leading_zero(old, new):
    r = phone(f"{old[1:]}9876543")  # Excel dropped the 0: 10 digits
    assert r["normalized"] == f"+84{new[1:]}9876543"
    assert {"PHONE_PREFIX_2018", "PHONE_LEADING_ZERO_RESTORED"} <= codes(r["issues"])


def test_old_mobile_number_itself_is_rejected_by_phonenumbers():
    # the reason the prefix must be mapped first (docs/DOMAIN.md, "Phone numbers")
    assert not phonenumbers.is_valid_number(phonenumbers.parse("01689876543", "VN"))


@pytest.mark.parametrize(
    ("value", "expected", "type_"),
    [
        ("0912345678", "+84912345678", "mobile"),
        ("0912 345 678", "+84912345678", "mobile"),
        ("0912.345.678", "+84912345678", "mobile"),
        ("0912-345-678", "+84912345678", "mobile"),
        ("+84 912 345 678", "+84912345678", "mobile"),
        ("84912345678", "+84912345678", "mobile"),
        ("0084912345678", "+84912345678", "mobile"),
        ("+84 0912345678", "+84912345678", "mobile"),
        ("02373851234", "+842373851234", "fixed"),
        ("(0237) 385.1234", "+842373851234", "fixed"),
        ("0237 3 851 234", "+842373851234", "fixed"),
        ("'0912345678", "+84912345678", "mobile"),
    ],
)
def test_formatting_only_is_ok(value, expected, type_):
    r = phone(value)
    assert (r["normalized"], r["status"], r["phone_type"]) == (expected, "ok", type_)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("912345678", "PHONE_LEADING_ZERO_RESTORED"),
        ("912345678.0", "PHONE_EXCEL_DECIMAL"),
        ("0912345678.0", "PHONE_EXCEL_DECIMAL"),
        ("2373851234", "PHONE_LEADING_ZERO_RESTORED"),
    ],
)
def test_excel_damage_is_repaired(value, code):
    r = phone(value)
    assert r["normalized"] in ("+84912345678", "+842373851234")
    assert code in codes(r["issues"])


def test_excel_decimal_alone_is_formatting():
    r = phone("0912345678.0")
    assert r["status"] == "ok" and r["normalized"] == "+84912345678"


@pytest.mark.parametrize("value", ["9.12E+08", "9,12E+08", "9.1235e8"])
def test_scientific_notation_is_invalid(value):
    r = phone(value)
    assert r["status"] == "invalid"
    assert "PHONE_SCIENTIFIC_NOTATION" in codes(r["issues"])
    assert r["otp_ready"] is False


# ------------------------------------------------------------- the 037 trap


@pytest.mark.parametrize("value", ["0373851234", "037 3851234", "(037) 385 1234", "373851234"])
def test_037_trap_dated_before_renumbering_is_the_landline(value):
    r = phone(value, "2016-05-02")
    assert r["normalized"] == "+842373851234"
    assert r["status"] == "fixed"
    assert {"PHONE_AREA_CODE_2017", "PHONE_LANDLINE_BY_DATE"} <= codes(r["issues"])
    assert r["phone_type"] == "fixed"
    assert r["otp_ready"] is False


def test_037_trap_dated_after_renumbering_is_the_mobile():
    r = phone("0373851234", "2019-01-10")
    assert r["normalized"] == "+84373851234"
    assert r["status"] == "ok"
    assert r["phone_type"] == "mobile"
    assert r["otp_ready"] is True
    assert "PHONE_MOBILE_BY_DATE" in codes(r["issues"])


def test_037_trap_undated_is_ambiguous_and_never_otp_ready():
    r = phone("0373851234", None)
    assert r["status"] == "ambiguous"
    assert "PHONE_LANDLINE_OR_MOBILE" in codes(r["issues"])
    assert r["phone_type"] == "unknown"
    assert r["otp_ready"] is False


def test_unparseable_record_date_counts_as_undated():
    assert phone("0373851234", "not a date")["status"] == "ambiguous"


def test_trap_cutover_date_comes_from_rules():
    rules = RulesConfig(mobile_renumbering_date="2015-01-01")
    assert phone("0373851234", "2016-05-02", rules)["phone_type"] == "mobile"
    assert phone("0373851234", "2014-05-02", rules)["phone_type"] == "fixed"


def test_cutover_day_itself_is_after():
    assert phone("0373851234", "2018-09-15")["phone_type"] == "mobile"
    assert phone("0373851234", "2018-09-14")["phone_type"] == "fixed"


@pytest.mark.parametrize(
    ("value", "landline"),
    [
        ("0383851234", "+842383851234"),  # Nghe An 038
        ("0393851234", "+842393851234"),  # Ha Tinh 039
        ("0333851234", "+842033851234"),  # Quang Ninh 033
        ("0703851234", "+842703851234"),  # Vinh Long 070
        ("0793851234", "+842993851234"),  # Soc Trang 079
        ("0563851234", "+842563851234"),  # Binh Dinh 056
        ("0838251234", "+842838251234"),  # Ho Chi Minh City 08 + 8 digits
    ],
)
def test_other_provinces_old_codes_are_the_mobile_unless_the_row_predates_renumbering(
    value, landline
):
    # issue 13: another province's old code is implausible for a household here: the mobile,
    # whatever the contract date; only a CMIS row valid from before 2018 makes it the landline
    for contract in (None, "2010-01-01"):
        r = phone(value, contract)
        assert (r["normalized"], r["status"]) == ("+84" + value[1:], "ok")
        assert "PHONE_OTHER_PROVINCE_CODE" in codes(r["issues"]) and r["otp_ready"] is True
    dated = normalize_phones(
        pd.Series([value]), valid_from=pd.Series(["2010-01-01"]), record_dates=None
    ).iloc[0]
    assert dated["normalized"] == landline and dated["phone_type"] == "fixed"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0437251234", "+842437251234"),  # Hanoi 04 + 8 digits (no mobile reading)
        ("0203851234", "+842143851234"),  # Lao Cai 020 -> 0214
        ("06503851234", "+842743851234"),  # Binh Duong 0650 -> 0274
    ],
)
def test_old_landline_codes_without_a_clash_are_mapped_whatever_the_date(value, expected):
    for d in (None, "2010-01-01", "2020-01-01"):
        r = phone(value, d)
        assert r["normalized"] == expected and r["status"] == "fixed"
        assert "PHONE_AREA_CODE_2017" in codes(r["issues"])


# ------------------------------------------------------------- several numbers, annotations


def test_several_numbers_first_mobile_is_primary():
    r = phone("0237 3851234 - 0912345678 / 0987654321")
    assert r["normalized"] == "+84912345678"
    assert r["phone_secondary"] == "+842373851234;+84987654321"
    assert "PHONE_SEVERAL_NUMBERS" in codes(r["issues"])
    # two mobiles, nothing says whose: the primary is a guess (issue 13)
    assert r["status"] == "ambiguous" and r["otp_ready"] is False


def test_two_numbers_separated_by_a_space_only():
    r = phone("0912345678 0987654321")
    assert (r["normalized"], r["phone_secondary"]) == ("+84912345678", "+84987654321")


def test_secondary_numbers_are_normalized_too():
    r = phone("0912345678; 01689876543")
    assert r["phone_secondary"] == "+84389876543"


def test_invalid_secondary_is_flagged_not_kept():
    r = phone("0912345678, 01234567")
    assert r["phone_secondary"] == ""
    assert "PHONE_SECONDARY_INVALID" in codes(r["issues"])


def test_short_digit_runs_beside_a_number_are_noise():
    r = phone("0912345678 (máy lẻ 12)")
    assert (r["normalized"], r["status"], r["phone_secondary"]) == ("+84912345678", "ok", "")


def test_landline_only_field_is_not_otp_ready():
    r = phone("0237 3851234")
    assert r["phone_type"] == "fixed"
    assert "PHONE_NOT_MOBILE" in codes(r["issues"])
    assert r["otp_ready"] is False


@pytest.mark.parametrize(
    "value",
    [
        "0912345678 (vợ)",
        "0912345678 - chồng",
        "SĐT con: 0912345678",
        "0912345678 con trai",
        "0912345678 (con gái)",
        "Bố: 0912345678",
        "0912345678 mẹ",
        "0912345678 (cháu)",
        "0912345678 (vo)",
        "0912345678 (Vợ)",
        "0912345678 (vơ\u0323)",  # NFD
    ],
)
def test_relative_annotation_on_the_primary(value):
    r = phone(value)
    assert r["normalized"] == "+84912345678"
    assert "PHONE_OF_RELATIVE" in codes(r["issues"])


def test_other_person_annotation():
    r = phone("0912345678 (hàng xóm)")
    assert "PHONE_OF_OTHER_PERSON" in codes(r["issues"])


def test_holders_own_mobile_is_preferred_over_a_relatives():
    r = phone("0912345678 (vợ) - 0987654321")
    assert r["normalized"] == "+84987654321"
    assert r["phone_secondary"] == "+84912345678"
    assert "PHONE_OF_RELATIVE" not in codes(r["issues"])


def test_annotation_before_colon_belongs_to_next_number():
    r = phone("0912345678, vợ: 0987654321")
    assert r["normalized"] == "+84912345678"
    assert "PHONE_OF_RELATIVE" not in codes(r["issues"])


@pytest.mark.parametrize("value", ["0912345678 ba", "0912345678 ma"])
def test_words_that_are_not_relations_without_tone_marks(value):
    assert "PHONE_OF_RELATIVE" not in codes(phone(value)["issues"])


# ------------------------------------------------------------- missing and invalid


@pytest.mark.parametrize(
    "value",
    [
        None,
        float("nan"),
        "",
        "   ",
        "không có",
        "Không có",
        "n/a",
        "-",
        "0",
        "null",
        "none",
        ".",
        "không có số",
    ],
)
def test_missing_and_placeholders(value):
    r = phone(value)
    assert r["status"] == "missing"
    assert r["normalized"] is None
    assert r["otp_ready"] is False


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0123", "PHONE_INVALID"),
        ("09123456789012", "PHONE_INVALID"),
        ("0100000000", "PHONE_INVALID"),
        ("abc", "PHONE_NO_NUMBER"),
        ("+1 650 253 0000", "PHONE_FOREIGN"),
        ("1900 1234", "PHONE_SERVICE_NUMBER"),
        ("18001091", "PHONE_SERVICE_NUMBER"),
    ],
)
def test_invalid_numbers(value, code):
    r = phone(value)
    assert r["status"] == "invalid"
    assert code in codes(r["issues"])
    assert r["otp_ready"] is False
    assert r["phone_type"] == "unknown"


def test_invalid_keeps_the_cleaned_text_as_proposal():
    assert phone("  0123  ")["normalized"] == "0123"


def test_vectorized_result_keeps_index_and_order():
    s = pd.Series(["0912345678", None, "0373851234"], index=[10, 5, 7])
    out = normalize_phones(s, record_dates=pd.Series(["2010-01-01", None, None], index=[10, 5, 7]))
    assert list(out.index) == [10, 5, 7]
    assert list(out["status"]) == ["ok", "missing", "ambiguous"]


def test_empty_series():
    out = normalize_phones(pd.Series([], dtype=object))
    assert len(out) == 0 and "otp_ready" in out


# ------------------------------------------------------------- validity == phonenumbers

_KIND = {
    phonenumbers.PhoneNumberType.FIXED_LINE: K_FIXED,
    phonenumbers.PhoneNumberType.MOBILE: K_MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: K_EITHER,
    phonenumbers.PhoneNumberType.UNKNOWN: K_INVALID,
}


def _expected_kind(national: str) -> int:
    nsn = national[1:]
    if not nsn or nsn.startswith("0"):
        return K_INVALID
    num = phonenumbers.PhoneNumber(country_code=84, national_number=int(nsn))
    kind = _KIND.get(phonenumbers.number_type(num), K_SERVICE)
    assert (kind != K_INVALID) == phonenumbers.is_valid_number(num)
    return kind


def test_number_kinds_agree_with_phonenumbers_on_a_broad_sample():
    rng = random.Random(7)
    nums = []
    for prefix in ["", "2", "3", "5", "7", "8", "9", "1", "12", "18", "19", "69", "99", "672"]:
        for _ in range(1500):
            length = rng.randint(max(len(prefix), 5), 11)
            nums.append(
                "0"
                + prefix
                + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
            )
    got = number_kinds(pa.array(nums, type=pa.large_string()))
    expected = [_expected_kind(n) for n in nums]
    mismatches = [(n, g, e) for n, g, e in zip(nums, got.tolist(), expected, strict=True) if g != e]
    assert not mismatches[:5]
    assert {K_INVALID, K_FIXED, K_MOBILE, K_SERVICE} <= set(got.tolist())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=12))
def test_number_kinds_agree_with_phonenumbers_property(digits):
    national = "0" + digits
    assert number_kinds(pa.array([national], type=pa.large_string()))[0] == _expected_kind(national)


@pytest.mark.parametrize(
    ("year", "type_"), [("2005", "fixed"), ("2019", "mobile"), ("2018", "unknown")]
)
def test_a_record_year_alone_decides_the_trap_except_the_cutover_year(year, type_):
    assert phone("0373851234", year)["phone_type"] == type_


def test_ambiguous_secondary_number_is_kept_and_flagged():
    r = phone("0912345678 / 0373851234")
    assert r["phone_secondary"] == "+84373851234"
    assert "PHONE_SECONDARY_AMBIGUOUS" in codes(r["issues"])
    assert r["status"] == "ok" and r["otp_ready"] is True
