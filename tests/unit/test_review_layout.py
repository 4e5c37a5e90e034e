"""The review workbook's contract: masking, the values a row shows, the checksum, yes/no."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_migrate.reports.review_layout import (
    FIXED_COLUMNS,
    ISSUE_COLUMNS,
    changed_columns,
    display_values,
    header,
    header_key,
    issues_checksum,
    key_parts,
    local_form,
    mask_digits,
    parse_confirmed,
    row_key,
    safe_column,
    safe_text,
    text,
)


def customer(**over) -> dict:
    c = {
        "pending_change": None,
        "phone_original": "0912 345 678 (vợ)",
        "phone_proposed": "+84912345678",
        "phone_status": "ok",
        "id_number_original": "172345678",
        "id_number_proposed": "172345678",
        "id_number_status": "ok",
        "address_original": "Thôn 1, xã Quảng Phú",
        "address_proposed": "Thôn 1, Xã Quảng Phú, Tỉnh Thanh Hóa",
        "address_status": "ambiguous",
        "full_name_original": "Lê Văn A",
        "full_name_proposed": "Lê Văn A",
        "full_name_status": "ok",
    }
    c.update(over)
    return c


def test_mask_digits_keeps_three_digits_at_each_end_of_every_number() -> None:
    assert mask_digits("0912 345 678 (vợ)") == "091* *** 678 (vợ)"
    assert mask_digits("+84912345678") == "+849*****678"
    assert mask_digits("038085001234") == "038******234"
    assert mask_digits("0912345678 - 0237 3851234") == "091****678 - 023* ****234"
    assert mask_digits("Thôn 12, tổ 3") == "Thôn 12, tổ 3"  # short numbers stay
    assert mask_digits(None) == ""


@pytest.mark.parametrize(
    ("rule", "field", "over", "expected"),
    [
        # the branch sees its own customers: the digits it must check, in full; the proposal
        # in the local form a clerk writes
        ("PHONE_RELATIVE_CONSENT", "phone", {}, ("0912 345 678 (vợ)", "0912 345 678")),
        ("PHONE_SHARED", "phone", {}, ("0912 345 678 (vợ)", "0912 345 678")),
        (
            "OTP_PHONE_AMBIGUOUS",
            "phone",
            {"phone_status": "ambiguous", "phone_proposed": "+84373851234"},
            ("0912 345 678 (vợ)", "0373 851 234"),
        ),
        (
            "ID_INVALID",
            "id_number",
            {"id_number_status": "invalid", "id_number_proposed": "3.8E+10"},
            ("172345678", "3.8E+10"),
        ),
        ("ID_CMND_EXPIRED", "id_number", {}, ("172345678", "172345678")),
        ("ID_DUPLICATE", "customer", {}, ("172345678", "172345678")),
        (
            "ADDRESS_AMBIGUOUS",
            "address",
            {},
            ("Thôn 1, xã Quảng Phú", "Thôn 1, Xã Quảng Phú, Tỉnh Thanh Hóa"),
        ),
        ("PERSON_DUPLICATE", "customer", {}, ("Lê Văn A", "Lê Văn A")),
        ("CHANGE_OUT_OF_BULK", "customer", {"pending_change": "DOI_SO_HO"}, ("DOI_SO_HO", "")),
    ],
)
def test_a_row_shows_its_subject_in_full_and_local_form(rule, field, over, expected) -> None:
    assert display_values(rule, field, customer(**over)) == expected


def test_local_form_of_phones_and_dates() -> None:
    assert local_form("+84912345678") == "0912 345 678"
    assert local_form("+842373851234") == "0237 385 1234"
    assert local_form("2021-03-25") == "25/03/2021"
    assert local_form("Công an tỉnh Thanh Hóa") == "Công an tỉnh Thanh Hóa"


def test_headers_end_with_their_key_and_the_key_is_read_back() -> None:
    assert header("corrected_value") == "Giá trị sửa (corrected_value)"
    assert header("confirmed") == "Xác nhận (confirmed)"
    for key in ISSUE_COLUMNS:
        assert header_key(header(key)) == key


def test_safe_text_writes_what_excel_can_hold_and_never_a_formula() -> None:
    assert safe_text('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert safe_text("a\x00b\x1fc") == "a\ufffdb\ufffdc"
    assert safe_text("a\r\nb\rc") == "a\nb\nc"
    long = safe_text("x" * 100_000)
    assert len(long) == 32_767 and long.endswith("quá dài cho Excel]")
    assert safe_text(None) == ""


def test_row_key_names_the_changed_column() -> None:
    cells = [f"v{i}" for i in range(len(FIXED_COLUMNS))]
    key = row_key(cells)
    assert changed_columns(cells, key) == []
    edited = list(cells)
    edited[FIXED_COLUMNS.index("severity")] = "Cảnh báo"
    assert changed_columns(edited, key) == ["severity"]
    assert changed_columns(cells, key[:-1]) is None


def test_a_row_never_shows_another_fields_personal_value() -> None:
    original, proposed = display_values("ADDRESS_AMBIGUOUS", "address", customer())
    for shown in (original, proposed):
        assert "345" not in shown and "172" not in shown


def test_checksum_ignores_row_order_but_not_any_cell_or_the_identity() -> None:
    rows = [["A", "1", "x"], ["B", "2", "y"]]
    ident = {"template_version": "t", "report_id": "r", "branch": "PA0701", "run_id": "run"}
    base = issues_checksum(**ident, rows=rows)
    assert issues_checksum(**ident, rows=list(reversed(rows))) == base
    assert issues_checksum(**ident, rows=[["A", "1", "x"], ["B", "2", "z"]]) != base
    assert issues_checksum(**ident, rows=rows[:1]) != base
    assert issues_checksum(**{**ident, "branch": "PA0702"}, rows=rows) != base
    # a cell read back as None equals an empty cell written as ''
    assert issues_checksum(**ident, rows=[["A", None]]) == issues_checksum(
        **ident, rows=[["A", ""]]
    )


def test_confirmed_accepts_yes_no_and_nothing_else() -> None:
    assert parse_confirmed("yes") is True
    assert parse_confirmed(" Có ") is True
    assert parse_confirmed("x") is True
    assert parse_confirmed("không") is False
    assert parse_confirmed("no") is False
    assert parse_confirmed("") is None
    with pytest.raises(ValueError):
        parse_confirmed("maybe")


def test_cell_values_read_back_as_text() -> None:
    assert text(912345678.0) == "912345678"
    assert text(38085001234) == "38085001234"
    assert text(None) == "" and text(float("nan")) == ""


cell = st.one_of(
    st.none(), st.sampled_from(["=1+1", "Chặn", "a\rb", "PA0701"]), st.text(max_size=12)
)


@given(st.lists(st.tuples(*[cell] * len(FIXED_COLUMNS)), max_size=8))
def test_a_sheet_made_a_column_at_a_time_is_made_as_row_by_row(rows):
    """issues_frame makes cells and row keys a column at a time: the same as per row."""
    columns = [list(c) for c in zip(*rows, strict=True)] or [[] for _ in FIXED_COLUMNS]
    safe = [safe_column(c) for c in columns]
    assert [list(r) for r in zip(*safe, strict=True)] == [[safe_text(v) for v in r] for r in rows]
    keys = ["".join(p) for p in zip(*(key_parts(c) for c in safe), strict=True)]
    assert keys == [row_key([safe_text(v) for v in r]) for r in rows]
