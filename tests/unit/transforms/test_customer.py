from __future__ import annotations

import pandas as pd
import pytest

from cmis_migrate.transforms import FIELDS, normalize_customers, output_columns

from .helpers import TODAY, codes

COLUMNS = ["customer_code", *FIELDS]  # FIELDS ends with birth_date, contract_date

ROWS = [
    # code, name, address, phone, email, id, issue date, issue place, birth, contract
    ("PA07010000001", "đỗ đức thắng", "Thôn 3, Xã Hà Bình, Huyện Hà Trung, Tỉnh Thanh Hóa", "0373851234", "thang@gmail.con", "38085001234", "12/03/2021", "Cục CS QLHC về TTXH", "01/02/1985", "02/05/2016"),
    ("PA07010000002", "NGUYỄN VĂN AN", "SN 12 Lê Lợi, P. Điện Biên, TP Thanh Hóa", "0373851234", "", "038085001234", "12/03/2014", "CA Thanh Hóa", "1985", ""),
    ("PA07010000003", "Lê Thị Hoà", "không có", "01689876543 (vợ) - 0912345678", "n/a", "172345678", "44231", "CA T.Hóa", "", "2019-01-01"),
    ("PA07010000004", "Hùng", "", "9.12E+8", "a@@b", "3.8085E+10", "31/02/2020", "xyz", "", ""),
    ("PA07010000005", "Trần  Văn   B", "Xóm 1, X. Hoằng Quang, H. Hoằng Hóa, T. Thanh Hóa", "912345678.0", "b@yahoo.com", "038090001234", "01/01/1980", "Bộ Công an", "05/05/1990", "01/01/2010"),
]  # fmt: skip


def messy_frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS, dtype="str")


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    return normalize_customers(messy_frame(), today=TODAY)


def test_columns_are_exactly_the_contract(result):
    assert list(result.columns) == output_columns(supply_address=False)
    expected = [f"{f}_{p}" for f in FIELDS for p in ("normalized", "status", "issues")]
    expected += [
        "phone_type",
        "phone_secondary",
        "id_type",
        "address_ward",
        "address_province",
        "otp_ready",
    ]
    assert list(result.columns) == expected


def test_statuses_are_from_the_shared_set_and_issues_are_strings(result):
    for f in FIELDS:
        assert set(result[f"{f}_status"]) <= {"ok", "fixed", "ambiguous", "invalid", "missing"}
        assert all(isinstance(v, str) for v in result[f"{f}_issues"])
    assert result["otp_ready"].dtype == bool


def test_input_is_not_mutated_and_index_kept():
    raw = messy_frame().set_axis([50, 40, 30, 20, 10])
    before = raw.copy()
    out = normalize_customers(raw, today=TODAY)
    pd.testing.assert_frame_equal(raw, before)
    assert list(out.index) == [50, 40, 30, 20, 10]


def test_contract_date_decides_the_037_trap(result):
    assert result.loc[0, "phone_normalized"] == "+842373851234"  # contract 2016: landline
    assert result.loc[0, "phone_type"] == "fixed"
    assert result.loc[1, "phone_status"] == "ambiguous"  # undated
    assert not result.loc[1, "otp_ready"]


def test_birth_date_checks_the_cccd_and_zero_is_restored(result):
    assert result.loc[0, "id_number_normalized"] == "038085001234"
    assert result.loc[0, "id_number_status"] == "fixed"
    # 038 0 90 ...: a man born in 1990, and the birth date says 1990
    assert result.loc[4, "id_type"] == "CCCD"
    assert "ID_BIRTH_YEAR_MISMATCH" not in codes(result.loc[4, "id_number_issues"])
    # ... but 'Bộ Công an' issued no card in 1980 (it issues căn cước from 1/7/2024)
    assert codes(result.loc[4, "id_number_issues"]) == {"ID_ISSUER_NOT_YET_ISSUING"}


def test_cccd_disagreeing_with_the_birth_date_is_invalid():
    raw = messy_frame().iloc[[4]].copy()
    raw["birth_date"] = "05/05/1991"
    out = normalize_customers(raw, today=TODAY)
    assert out["id_number_status"].iloc[0] == "invalid"
    assert "ID_BIRTH_YEAR_MISMATCH" in codes(out["id_number_issues"].iloc[0])


def test_year_only_birth_date_still_checks_the_cccd():
    raw = messy_frame().iloc[[1]].copy()
    raw["birth_date"] = "1986"
    raw["id_issue_place"] = "Cục CS QLHC về TTXH"
    out = normalize_customers(raw, today=TODAY)
    assert "ID_BIRTH_YEAR_MISMATCH" in codes(out["id_number_issues"].iloc[0])


def test_issue_place_tells_cmnd12_from_cccd(result):
    assert result.loc[1, "id_type"] == "CMND12"  # 'CA Thanh Hóa'
    assert result.loc[0, "id_type"] == "CCCD"
    assert result.loc[2, "id_type"] == "CMND9"


def test_issue_date_before_birth_is_invalid(result):
    assert result.loc[4, "id_issue_date_status"] == "invalid"
    assert "ID_ISSUE_BEFORE_BIRTH" in codes(result.loc[4, "id_issue_date_issues"])


def test_field_values(result):
    assert result.loc[0, "full_name_normalized"] == "Đỗ Đức Thắng"
    assert result.loc[0, "email_normalized"] == "thang@gmail.com"
    assert result.loc[0, "id_issue_date_normalized"] == "2021-03-12"
    assert result.loc[2, "id_issue_date_normalized"] == "2021-02-04"
    assert (
        result.loc[0, "id_issue_place_normalized"]
        == "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
    )
    assert result.loc[2, "phone_normalized"] == "+84912345678"
    assert result.loc[2, "phone_secondary"] == "+84389876543"
    assert result.loc[4, "phone_normalized"] == "+84912345678"
    assert result.loc[4, "otp_ready"]
    assert result.loc[3, "phone_status"] == "invalid"
    assert result.loc[3, "id_number_status"] == "invalid"
    assert result.loc[2, "address_status"] == "missing"
    assert result.loc[0, "address_province"] == "Tỉnh Thanh Hóa"
    assert isinstance(result.loc[0, "address_ward"], str) and result.loc[0, "address_ward"]


def test_missing_optional_columns_count_as_empty():
    raw = pd.DataFrame({"customer_code": ["PA0701"], "phone": ["0912345678"]})
    out = normalize_customers(raw, today=TODAY)
    assert out.loc[0, "phone_normalized"] == "+84912345678"
    assert out.loc[0, "full_name_status"] == "missing"
    assert out.loc[0, "id_type"] == "unknown"


def test_supply_address_outputs_when_present():
    raw = messy_frame()
    raw["supply_address"] = raw["address"]
    out = normalize_customers(raw, today=TODAY)
    assert list(out.columns) == output_columns(supply_address=True)
    assert list(out.columns[-4:]) == [
        "supply_address_normalized",
        "supply_address_status",
        "supply_address_issues",
        "supply_address_ward",
    ]
    pd.testing.assert_series_equal(
        out["supply_address_normalized"], out["address_normalized"], check_names=False
    )


def test_object_dtype_and_numbers_in_cells():
    raw = pd.DataFrame(
        {"phone": [912345678, None], "id_number": [38085001234, 172345678.0]}, dtype=object
    )
    out = normalize_customers(raw, today=TODAY)
    assert list(out["phone_normalized"].fillna("")) == ["+84912345678", ""]
    assert list(out["id_number_normalized"]) == ["038085001234", "172345678"]


def test_empty_frame():
    out = normalize_customers(pd.DataFrame({"phone": pd.Series([], dtype="str")}), today=TODAY)
    assert len(out) == 0 and list(out.columns) == output_columns()


def test_contract_year_alone_decides_the_trap():
    raw = pd.DataFrame(
        {"phone": ["0373851234", "0373851234"], "contract_date": ["2005", "12/2005"]}
    )
    out = normalize_customers(raw, today=TODAY)
    assert list(out["phone_type"]) == ["fixed", "unknown"]  # '12/2005' is incomplete: undated


def test_birth_and_contract_dates_are_checked_like_the_issue_date(result):
    """Each ends ok/fixed/invalid/missing with its codes, as the ID issue date does."""
    by_code = result.set_axis(messy_frame()["customer_code"])
    assert by_code.loc["PA07010000001", "birth_date_normalized"] == "1985-02-01"
    assert by_code.loc["PA07010000001", "birth_date_status"] == "ok"
    assert by_code.loc["PA07010000002", "birth_date_status"] == "invalid"  # a year alone
    assert by_code.loc["PA07010000002", "birth_date_issues"] == "DATE_YEAR_ONLY"
    assert by_code.loc["PA07010000003", "birth_date_status"] == "missing"
    assert by_code.loc["PA07010000003", "contract_date_normalized"] == "2019-01-01"


def test_a_contract_signed_before_the_holders_birth_is_invalid():
    raw = messy_frame().head(1).copy()
    raw["birth_date"] = "01/02/1995"
    raw["contract_date"] = "02/05/1990"
    out = normalize_customers(raw, today=TODAY).iloc[0]
    assert out["contract_date_status"] == "invalid"
    assert "CONTRACT_BEFORE_BIRTH" in out["contract_date_issues"]
    assert out["birth_date_status"] == "ok"
    raw["contract_date"] = "31/02/2016"
    again = normalize_customers(raw, today=TODAY).iloc[0]
    assert codes(again["contract_date_issues"]) == {"DATE_IMPOSSIBLE"}
