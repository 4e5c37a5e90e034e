"""Issue 13, phones: one row per example of the issue, and the reverse cases that must not change."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from cmis_migrate.config import RulesConfig
from cmis_migrate.transforms import normalize_customers
from cmis_migrate.transforms.phone import local_area_codes, normalize_phones

from .helpers import codes


def phone(value, contract=None, valid_from=None, rules=None) -> dict:
    out = normalize_phones(
        pd.Series([value], dtype=object),
        record_dates=pd.Series([contract], dtype=object),
        valid_from=pd.Series([valid_from], dtype=object),
        rules=rules,
    ).iloc[0]
    row = {k: (None if isinstance(v, float) else v) for k, v in out.items()}
    return {**row, "otp_ready": bool(row["otp_ready"])}


# value, contract date, row validity start -> normalized, status, phone_type, code, otp_ready
CLASH = [
    # the province's own old code (Thanh Hóa 037)
    ("0373851234", None, None, "+84373851234", "ambiguous", "unknown", "PHONE_LANDLINE_OR_MOBILE", False),
    ("0373851234", "2010-01-01", None, "+842373851234", "fixed", "fixed", "PHONE_LANDLINE_BY_DATE", False),
    ("0373851234", "2020-01-01", None, "+84373851234", "ok", "mobile", "PHONE_MOBILE_BY_DATE", True),
    ("0373851234", None, "2015-01-01", "+842373851234", "fixed", "fixed", "PHONE_LANDLINE_BY_DATE", False),
    # the validity start is preferred to the contract date
    ("0373851234", "2005-01-01", "2020-01-01", "+84373851234", "ok", "mobile", "PHONE_MOBILE_BY_DATE", True),
    ("0373851234", "2020-01-01", "2015-01-01", "+842373851234", "fixed", "fixed", "PHONE_LANDLINE_BY_DATE", False),
    # another province's old code: the mobile, whatever the contract date...
    ("0383851234", None, None, "+84383851234", "ok", "mobile", "PHONE_OTHER_PROVINCE_CODE", True),
    ("0383851234", "2005-01-01", None, "+84383851234", "ok", "mobile", "PHONE_OTHER_PROVINCE_CODE", True),
    ("0333851234", "2005-01-01", None, "+84333851234", "ok", "mobile", "PHONE_OTHER_PROVINCE_CODE", True),
    ("0838251234", "2005", None, "+84838251234", "ok", "mobile", "PHONE_OTHER_PROVINCE_CODE", True),
    ("0793851234", None, "2019-02-01", "+84793851234", "ok", "mobile", "PHONE_OTHER_PROVINCE_CODE", True),
    # ... unless the row was written before the renumbering
    ("0383851234", None, "2016-05-01", "+842383851234", "fixed", "fixed", "PHONE_LANDLINE_BY_DATE", False),
    ("0838251234", None, "2012-01-01", "+842838251234", "fixed", "fixed", "PHONE_LANDLINE_BY_DATE", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "contract", "valid", "norm", "status", "type_", "code", "otp"), CLASH
)
def test_the_landline_mobile_clash_is_province_aware(
    value, contract, valid, norm, status, type_, code, otp
):
    r = phone(value, contract, valid)
    assert (r["normalized"], r["status"], r["phone_type"]) == (norm, status, type_)
    assert code in codes(r["issues"])
    assert r["otp_ready"] is otp


def test_local_area_codes_come_from_the_province_or_the_config():
    assert local_area_codes(RulesConfig()) == (("037",), "0237")
    assert local_area_codes(RulesConfig(province="Nghệ An"))[0] == ("038",)
    only_038 = RulesConfig(local_area_codes=("038",))
    assert phone("0383851234", rules=only_038)["status"] == "ambiguous"
    assert "PHONE_OTHER_PROVINCE_CODE" in codes(phone("0373851234", rules=only_038)["issues"])


@pytest.mark.parametrize(
    ("value", "norm", "status", "type_"),
    [
        ("3851234", "+842373851234", "fixed", "fixed"),
        ("385 1234", "+842373851234", "fixed", "fixed"),
        ("38512345", "38512345", "invalid", "unknown"),  # 8 digits: no such number
        ("02373851234", "+842373851234", "ok", "fixed"),  # reverse: written with its code
    ],
)
def test_a_bare_7_digit_number_is_the_provinces_landline(value, norm, status, type_):
    r = phone(value)
    assert (r["normalized"], r["status"], r["phone_type"], r["otp_ready"]) == (
        norm,
        status,
        type_,
        False,
    )
    assert ("PHONE_LOCAL_AREA_CODE_ADDED" in codes(r["issues"])) is (
        len(value.replace(" ", "")) == 7
    )


@pytest.mark.parametrize(
    "value",
    [
        "0084 912 637 485",
        "0084912637485",
        "0084.91.263.7485",
        "(0084) 912 637 485",
        "(+84) 91-263-7485",
        "+84 912 637 485",
        "84-912-637-485",
        "(84) 912.637.485",
        "0912637485",  # the plain form itself
    ],
)
def test_international_prefixes_with_any_separators_normalize_like_the_plain_form(value):
    r = phone(value)
    assert (r["normalized"], r["status"], r["issues"], r["otp_ready"]) == (
        "+84912637485",
        "ok",
        "",
        True,
    )


@pytest.mark.parametrize(
    ("value", "norm", "status", "code"),
    [
        ("9.15286431E+08", "+84915286431", "fixed", "PHONE_SCIENTIFIC_COMPLETE"),
        ("9,15286431E+08", "+84915286431", "fixed", "PHONE_SCIENTIFIC_COMPLETE"),
        ("9.12E+08", "9.12E+08", "invalid", "PHONE_SCIENTIFIC_NOTATION"),
        ("9.1528643E+08", "9.1528643E+08", "invalid", "PHONE_SCIENTIFIC_NOTATION"),
    ],
)
def test_scientific_notation_is_unusable_only_when_digits_were_lost(value, norm, status, code):
    r = phone(value)
    assert (r["normalized"], r["status"]) == (norm, status)
    assert code in codes(r["issues"])


@pytest.mark.parametrize(
    ("value", "primary", "secondary", "status", "otp"),
    [
        ("0912345678 - 0987654321", "+84912345678", "+84987654321", "ambiguous", False),
        ("0912345678; 0987654321; 0933333333", "+84912345678", "+84987654321;+84933333333", "ambiguous", False),
        # an annotation says whose: not a guess
        ("0912345678 (chủ hộ) - 0987654321", "+84912345678", "+84987654321", "ok", True),
        ("0987654321 - 0912345678 (vợ)", "+84987654321", "+84912345678", "ok", True),
        # reverse: one mobile and a landline
        ("0912345678 - 0237 3851234", "+84912345678", "+842373851234", "ok", True),
    ],
)  # fmt: skip
def test_several_mobiles_without_a_note_are_a_guess(value, primary, secondary, status, otp):
    r = phone(value)
    assert (r["normalized"], r["phone_secondary"], r["status"], r["otp_ready"]) == (
        primary,
        secondary,
        status,
        otp,
    )
    assert ("PHONE_PRIMARY_GUESSED" in codes(r["issues"])) is (status == "ambiguous")


@pytest.mark.parametrize(
    ("value", "code", "otp"),
    [
        ("0912345678 (hàng xóm)", "PHONE_OF_OTHER_PERSON", False),
        ("nhờ 0912345678", "PHONE_OF_OTHER_PERSON", False),
        ("0912345678 (vợ)", "PHONE_OF_RELATIVE", False),
        ("SĐT con: 0912345678", "PHONE_OF_RELATIVE", False),
        ("0912345678 bố", "PHONE_OF_RELATIVE", False),
        ("0912345678", None, True),  # reverse: the holder's own number
        ("0912345678 (chủ hộ)", None, True),
    ],
)
def test_someone_elses_number_is_not_otp_ready(value, code, otp):
    r = phone(value)
    assert r["otp_ready"] is otp and r["phone_type"] == "mobile"
    if code:
        assert code in codes(r["issues"])
    else:
        assert not codes(r["issues"]) & {"PHONE_OF_OTHER_PERSON", "PHONE_OF_RELATIVE"}


def test_a_corrected_phone_is_dated_by_the_correction_not_the_cmis_row():
    from cmis_migrate.transforms.corrections import apply_corrections

    raw = pd.DataFrame(
        [
            {
                "customer_code": "C1",
                "phone": "0912345678",
                "contract_date": "",
                "record_date": "2015-01-01",
            }
        ]
    )
    fix = pd.DataFrame(
        [{"customer_code": "C1", "field": "phone", "new_value": "0373851234",
          "applied_at": datetime(2026, 2, 1, 9, 30)}],
        dtype=object,
    )  # fmt: skip
    inputs, _ = apply_corrections(raw, fix)
    r = normalize_customers(inputs, today=date(2026, 3, 1)).iloc[0]
    assert inputs.loc[0, "record_date"] == "01/02/2026"
    assert (r["phone_type"], bool(r["otp_ready"])) == ("mobile", True)
    # without the correction, the same number on a row valid from 2015 is the landline
    before = normalize_customers(inputs.assign(record_date="2015-01-01"), today=date(2026, 3, 1))
    assert before.iloc[0]["phone_type"] == "fixed"
