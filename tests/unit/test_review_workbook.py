"""The branch review workbook as written: read back with openpyxl (no store, no pipeline)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cmis_migrate.config import ReturnedFilesConfig
from cmis_migrate.reports.branch_report import BranchReport, issues_frame, summary_frame
from cmis_migrate.reports.corrections_import import RefusedWorkbook, read_returned_workbook
from cmis_migrate.reports.review_layout import (
    FIXED_COLUMNS,
    IDENTITY_SHEET,
    ISSUE_COLUMNS,
    ISSUES_SHEET,
    SUMMARY_SHEET,
    TEMPLATE_VERSION,
    header,
    issues_checksum,
)
from cmis_migrate.reports.review_rows import sheet_rows
from cmis_migrate.reports.review_workbook import row_height, row_heights, write_workbook

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
COL = {c: i for i, c in enumerate(ISSUE_COLUMNS)}
HOSTILE_NAME = '=HYPERLINK("http://evil.example","Bấm vào đây")'


def customer(code: str, **over) -> dict:
    c = {
        "customer_code": code,
        "branch": "PA0701",
        "station": "PA0701T0001",
        "ledger": "PA0701T0001A",
        "outcome": "blocked",
        "pending_change": None,
        "full_name_original": "Lê Văn An",
        "address_original": "Thôn 1, xã Quảng Phú",
        "phone_original": "0912345678",
        "phone_proposed": "+84912345678",
        "phone_status": "ok",
        "id_number_original": "172345678",
        "id_number_proposed": "172345678",
        "id_number_status": "ok",
    }
    c.update(over)
    return c


def make_report(customers: list[dict], issues: list[tuple]) -> BranchReport:
    cust = pd.DataFrame(customers, dtype=object)
    iss = pd.DataFrame(
        issues, columns=["customer_code", "field", "rule", "severity", "message"], dtype=object
    )
    frame = issues_frame(cust, iss, {"PA0701T0001": "TBA Đông Tân 1"})
    counts = pd.DataFrame(
        [("PA0701T0001", 3, 1, 1, 1, 1, "run-1", NOW)],
        columns=[
            "station",
            "customers",
            "ready",
            "needs_review",
            "blocked",
            "drafted",
            "last_run",
            "last_finished",
        ],
    )
    checksum = issues_checksum(
        template_version=TEMPLATE_VERSION,
        report_id="r1",
        branch="PA0701",
        run_id="run-1",
        rows=frame[list(FIXED_COLUMNS)].itertuples(index=False),
    )
    return BranchReport(
        report_id="r1",
        branch="PA0701",
        run_id="run-1",
        run_time=NOW,
        generated_at=NOW,
        stations_scope="tất cả các trạm",
        summary=summary_frame(counts, TZ, {"PA0701T0001": "TBA Đông Tân 1"}),
        rows=sheet_rows(frame),
        checksum=checksum,
    )


@pytest.fixture
def written(tmp_path):
    report = make_report(
        [
            customer("PA07010000002", full_name_original=HOSTILE_NAME),
            customer("PA07010000001", phone_status="ambiguous", phone_proposed="+84373851234"),
            customer("PA07010000003", address_original="x" * 100_000 + "\x01\r\n@end"),
        ],
        [
            ("PA07010000002", "phone", "PHONE_SHARED", "warning", "Số dùng chung."),
            ("PA07010000001", "customer", "ID_DUPLICATE", "warning", "Trùng số CMND."),
            ("PA07010000001", "phone", "OTP_PHONE_AMBIGUOUS", "blocking", "Số không rõ."),
            ("PA07010000001", "id_number", "ID_CMND_EXPIRED", "blocking", "CMND hết hạn."),
            ("PA07010000003", "address", "ADDRESS_AMBIGUOUS", "warning", "=cmd|' /C calc'!A0"),
        ],
    )
    path = tmp_path / "review.xlsx"
    write_workbook(report, path, TZ)
    return report, path


def test_sheets_headers_and_who_each_row_is_about(written) -> None:
    report, path = written
    wb = load_workbook(path)
    assert wb.sheetnames == ["Hướng dẫn", SUMMARY_SHEET, ISSUES_SHEET, IDENTITY_SHEET]
    guide = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    assert "corrected_value" in guide and "có" in guide and "gửi lại" in guide
    ws = wb[ISSUES_SHEET]
    heads = [c.value for c in ws[1]]
    assert heads == [header(c) for c in ISSUE_COLUMNS]
    assert "Giá trị sửa (corrected_value)" in heads and "Xác nhận (confirmed)" in heads
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    # sorted by station, ledger, customer; one customer's rows together, blockers first
    assert [r[COL["customer_code"]] for r in rows] == [
        "PA07010000001",
        "PA07010000001",
        "PA07010000001",
        "PA07010000002",
        "PA07010000003",
    ]
    first = rows[0]
    assert first[COL["full_name"]] == "Lê Văn An"
    assert first[COL["station_name"]] == "TBA Đông Tân 1"
    assert first[COL["phone"]] == "0912345678"
    assert first[COL["severity"]] == "Chặn" and first[COL["blockers"]] == "2"
    assert rows[2][COL["severity"]] == "Cảnh báo"
    # the proposal in the local form, beside the original, digits in full
    assert first[COL["proposed_value"]] == "0373 851 234"
    assert first[COL["original_value"]] == "0912345678"


def test_protection_validation_print_and_fills(written) -> None:
    _, path = written
    ws = load_workbook(path)[ISSUES_SHEET]
    assert ws.protection.sheet and not ws.protection.password
    for r in ws.iter_rows(min_row=2):
        for c in r:
            editable = ISSUE_COLUMNS[c.column - 1] in ("corrected_value", "confirmed")
            assert c.protection.locked is (not editable), (c.coordinate, c.value)
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"có,không"' and "P2" in str(dv.sqref)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:Q6"
    assert ws.column_dimensions["Q"].hidden  # the row key
    fills = {r[0].row: r[COL["message"]].fill.fgColor.rgb for r in ws.iter_rows(min_row=2)}
    sev = {r[0].row: r[COL["severity"]].value for r in ws.iter_rows(min_row=2)}
    blocking = {fills[i] for i in fills if sev[i] == "Chặn"}
    warning = {fills[i] for i in fills if sev[i] == "Cảnh báo"}
    assert len(blocking) == 1 and len(warning) == 1 and blocking != warning
    assert all(r[COL["message"]].alignment.wrap_text for r in ws.iter_rows(min_row=2))


def test_summary_numbers_are_numbers(written) -> None:
    _, path = written
    rows = list(load_workbook(path)[SUMMARY_SHEET].iter_rows(values_only=True))
    station = next(r for r in rows if r[0] == "PA0701T0001 · TBA Đông Tân 1")
    assert station[1:6] == (3, 1, 1, 1, 1)
    assert station[6] == pytest.approx(1 / 3)
    total = next(r for r in rows if r[0] == "TỔNG CỘNG")
    assert total[1] == 3


def test_no_formula_goes_out_and_hostile_values_round_trip(written) -> None:
    report, path = written
    wb = load_workbook(path)
    ws = wb[ISSUES_SHEET]
    cells = [c for r in ws.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    names = {c.value for c in cells if c.column == COL["full_name"] + 1}
    assert "'" + HOSTILE_NAME in names  # visible text, not a link
    long = next(c.value for c in cells if c.value and str(c.value).startswith("xxxx"))
    assert len(long) == 32_767 and "\x01" not in long
    # read back as the importer does: the same checksum, so an untouched file is never refused
    back = read_returned_workbook(path)
    assert len(back.rows) == len(report.rows)
    again = issues_checksum(
        template_version=back.identity["template_version"],
        report_id=back.identity["report_id"],
        branch=back.identity["branch"],
        run_id=back.identity["run_id"],
        rows=([r.cells[c] for c in FIXED_COLUMNS] for r in back.rows),
    )
    assert again == report.checksum == back.identity["checksum"]


def test_a_formula_in_an_editable_cell_is_read_as_a_formula(written, tmp_path) -> None:
    _, path = written
    wb = load_workbook(path)
    wb[ISSUES_SHEET].cell(row=2, column=COL["corrected_value"] + 1, value="=1+1")
    wb.save(path)
    back = read_returned_workbook(path)
    row = next(r for r in back.rows if r.row_number == 2)
    assert row.formulas == ("corrected_value",) and row.cells["corrected_value"] == ""


def test_oversized_returns_are_refused_before_parsing(written, tmp_path) -> None:
    _, path = written
    size = path.stat().st_size
    with pytest.raises(RefusedWorkbook, match="max_file_bytes"):
        read_returned_workbook(path, ReturnedFilesConfig(max_file_bytes=size - 1))
    with pytest.raises(RefusedWorkbook, match="max_rows"):
        read_returned_workbook(path, ReturnedFilesConfig(max_rows=2))
    with pytest.raises(RefusedWorkbook, match="characters"):
        read_returned_workbook(path, ReturnedFilesConfig(max_cell_chars=1000))
    # a zip bomb: one part that unpacks to far more than it weighs
    bomb = tmp_path / "bomb.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    bomb.write_bytes(buf.getvalue())
    with pytest.raises(RefusedWorkbook, match="zip bomb"):
        read_returned_workbook(bomb)
    with pytest.raises(RefusedWorkbook, match="max_unzipped_bytes"):
        read_returned_workbook(bomb, ReturnedFilesConfig(max_unzipped_bytes=10_000_000))


_CELL_TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("aẫ \n-,"), max_size=90),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(_CELL_TEXT, _CELL_TEXT, _CELL_TEXT), max_size=12),
    st.tuples(*(st.sampled_from([0, 4, 11, 34]) for _ in range(3))),
)
def test_row_heights_column_by_column_equal_the_row_by_row_rule(rows, widths) -> None:
    """The review sheet sizes its rows a column at a time (row_heights); each row must get
    what the one-row rule (row_height, also used by the guide sheet) gives it."""
    frame = pd.DataFrame(list(rows), columns=["a", "b", "c"], dtype=object)
    one_by_one = [row_height(["" if v is None else v for v in r], widths) for r in rows]
    assert row_heights(frame, widths) == one_by_one
