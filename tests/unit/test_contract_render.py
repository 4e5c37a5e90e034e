"""The HTML contract a customer signs: seller = the branch by its CMIS name + the company's
details from config, a signing block per party, the customer's full OTP number, internal
identifiers kept out of the visible text, and a page that fits a phone and prints on A4."""

from __future__ import annotations

from datetime import UTC, datetime

from cmis_migrate.config import CompanyConfig
from cmis_migrate.contracts.render import render_contract
from tests.html_text import parse

DRAFT = {
    "customer_code": "PA07050012345",
    "contract_no": "DT-PA07050012345",
    "branch": "PA0705",
    "station": "PA0705T0042",
    "ledger": "PA0705T0042A",
    "holder_name": "Lê Thị Hoa",
    "households": 2,
    "id_number": "038185001234",
    "id_type": "CCCD",
    "id_issue_date": "2021-04-12",
    "id_issue_place": "Cục Cảnh sát QLHC về TTXH",
    "address": "Thôn Đông, Xã Hoằng Quỳ, Tỉnh Thanh Hóa",
    "supply_address": "Thôn Đông, Xã Hoằng Quỳ, Tỉnh Thanh Hóa",
    "metering_point": "PA0705T0042A0001",
    "meter_no": "17012345",
    "reading_day": 31,
    "otp_phone": "+84912345678",
    "email": None,
    "paper_contract_no": "HH-2009/1234",
    "run_id": "20261201-220000-abc123",
    "drafted_at": datetime(2026, 12, 1, 15, 30, tzinfo=UTC),
}
COMPANY = CompanyConfig(
    address="Số 1 Phố Thử, phường Hạc Thành, tỉnh Thanh Hóa",
    tax_code="2800123456-001",
    representative="Trần Văn Bình",
    representative_title="Phó Giám đốc",
    bank_account="1122334455",
    bank_name="Ngân hàng Thử",
    hotline="1900 1234",
)


def test_the_seller_is_the_branch_by_its_cmis_name_with_the_company_details_from_config():
    page = parse(render_contract(DRAFT, unit_name="Điện lực Hoằng Hóa", company=COMPANY))
    text = page.text
    seller = text[text.index("BÊN BÁN ĐIỆN (Bên A)") : text.index("BÊN MUA ĐIỆN (Bên B)")]
    for value in (
        "Điện lực Hoằng Hóa",
        "Công ty Điện lực Thanh Hóa",
        "Số 1 Phố Thử, phường Hạc Thành, tỉnh Thanh Hóa",
        "2800123456-001",
        "Trần Văn Bình",
        "Phó Giám đốc",
        "1122334455 tại Ngân hàng Thử",
        "1900 1234",
    ):
        assert value in seller, value
    # Bên A comes first, then Bên B, as in the Circular 16/2023/TT-BCT form
    assert text.index("BÊN BÁN ĐIỆN (Bên A)") < text.index("BÊN MUA ĐIỆN (Bên B)")
    assert "Điện lực trực thuộc" not in text  # the old placeholder


def test_a_branch_cmis_did_not_name_is_shown_by_its_code():
    text = parse(render_contract(DRAFT, unit_name=None, company=COMPANY)).text
    assert "Điện lực mã PA0705" in text


def test_it_has_what_a_signature_needs():
    text = parse(render_contract(DRAFT, unit_name="Điện lực Hoằng Hóa", company=COMPANY)).text
    assert "Hôm nay, ngày" in text and "tại Thanh Hóa" in text  # the place-and-date line
    assert "ĐẠI DIỆN BÊN A" in text and "Vị trí chữ ký số của Điện lực Hoằng Hóa" in text
    # the customer sees their own full number, as they know it
    assert "Xác nhận bằng mã OTP gửi tới số 0912 345 678, lúc" in text
    assert "091****678" not in text
    assert "Thời hạn và chấm dứt hợp đồng" in text
    assert "ĐIỀU KIỆN CHUNG" in text
    assert "HH-2009/1234" in text  # the paper contract it replaces


def test_internal_identifiers_are_out_of_the_visible_text():
    html = render_contract(DRAFT, unit_name="Điện lực Hoằng Hóa", company=COMPANY)
    page = parse(html)
    assert DRAFT["run_id"] not in page.text
    assert "cmis-migrate" not in page.text and "lần chạy" not in page.text
    assert page.metas["cmis-run-id"] == DRAFT["run_id"]  # still there for us
    assert page.metas["generator"] == "cmis-migrate"


def test_it_fits_a_phone_and_prints_on_a4_with_page_numbers():
    html = render_contract(DRAFT, unit_name="Điện lực Hoằng Hóa", company=COMPANY)
    page = parse(html)
    assert page.metas["viewport"].startswith("width=device-width")
    assert "@media (max-width: 600px)" in html
    assert "size: A4" in html and "counter(page)" in html and "counter(pages)" in html
    assert "http" not in html  # nothing to fetch: opens offline


def test_values_are_escaped():
    hostile = {**DRAFT, "holder_name": "<script>alert(1)</script>"}
    html = render_contract(hostile, unit_name="<b>x</b>", company=COMPANY)
    assert "<script>alert" not in html and "<b>x</b>" not in html
