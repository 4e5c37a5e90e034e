"""The branch review workbook as a clerk opens it (openpyxl, write-only; the review sheet's data
rows rendered as text and spliced in: xlsx_rows).

Sheets: `Hướng dẫn` (what to do), `Tổng hợp` (per station, numbers as numbers), `Rà soát`
(one row per issue, protected: only corrected_value and confirmed can be typed in) and the
veryHidden `_report` (the report's identity). Printable: A4 landscape, fit to width, the
header row repeated on every page.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import tzinfo
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from cmis_migrate.reports.branch_report import (
    SUMMARY_COLUMNS,
    SUMMARY_LABELS,
    TOTAL_LABEL,
    BranchReport,
    _local,
)
from cmis_migrate.reports.review_layout import (
    EDITABLE_COLUMNS,
    GUIDE_SHEET,
    IDENTITY_SHEET,
    ISSUE_COLUMNS,
    ISSUES_SHEET,
    NO,
    ROW_KEY,
    SEVERITY_LABELS,
    SUMMARY_SHEET,
    TEMPLATE_VERSION,
    YES,
    header,
    safe_text,
)
from cmis_migrate.reports.xlsx_rows import ROW_MARK, column_letters, inline_row, splice_rows
from cmis_migrate.statuses import Severity

WIDTHS = {
    "customer_code": 15,
    "full_name": 16,
    "address": 24,
    "station": 12,
    "station_name": 15,
    "ledger": 13,
    "phone": 12,
    "blockers": 10,
    "field": 11,
    "severity": 10,
    "rule": 15,
    "message": 34,
    "original_value": 17,
    "proposed_value": 17,
    "corrected_value": 17,
    "confirmed": 11,
    "row_key": 4,
}
SUMMARY_WIDTHS = (30, 13, 11, 12, 11, 13, 12, 30, 17)
BLOCKING = SEVERITY_LABELS[Severity.BLOCKING]
GUIDE_WIDTH = 78  # an A4 portrait page

GUIDE = (
    "Hướng dẫn rà soát dữ liệu khách hàng",
    "",
    "1. Mở sheet «Rà soát». Mỗi dòng là một vấn đề của một khách hàng; các dòng của cùng một "
    "khách hàng nằm liền nhau, xếp theo trạm, sổ GCS, mã khách hàng.",
    "2. Dòng tô đỏ (Mức độ «Chặn») phải xử lý thì mới lập được hợp đồng; dòng tô vàng "
    "(«Cảnh báo») cần chi nhánh xem và xác nhận. Cột «Số lỗi chặn» cho biết khách hàng còn "
    "bao nhiêu lỗi chặn.",
    "3. Giá trị sai: gõ giá trị đúng vào cột «Giá trị sửa (corrected_value)», ví dụ số điện "
    "thoại 0912 345 678, ngày 25/03/2021.",
    "4. Giá trị đề xuất đúng: chọn «có» ở cột «Xác nhận (confirmed)». «có» nghĩa là chi nhánh "
    "đã kiểm tra với khách hàng và đồng ý với giá trị (đề xuất, hoặc giá trị sửa nếu có "
    "điền). «không» hoặc để trống: vấn đề vẫn còn. Cũng nhận: x, yes, no.",
    "5. Chỉ hai cột đó gõ được; các cột khác được khoá (không cần mật khẩu để xem). "
    "Không thêm, xoá hay sửa dòng; không gõ công thức (bắt đầu bằng =).",
    "6. Lưu file (.xlsx, giữ nguyên tên) và gửi lại cho bộ phận chuyển đổi dữ liệu "
    "qua thư điện tử nội bộ.",
    "7. Tiếp theo: file được kiểm tra; các dòng hợp lệ được áp dụng ở lần chạy sau; các dòng "
    "không nhận được trả lại kèm cột «Lý do không nhận» để chi nhánh sửa và gửi lại.",
)


def _prototypes(ws) -> dict[str, WriteOnlyCell]:
    """One styled cell per look; a data cell copies its style array (cheaper than styling)."""
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(vertical="top", wrap_text=True)

    def proto(*, fill: str | None = None, bold: bool = False, locked: bool = True) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=None)
        c.number_format = "@"  # text: Excel must not turn IDs and phones into numbers
        c.alignment = top
        c.border = border
        c.protection = Protection(locked=locked)
        if fill:
            c.fill = PatternFill("solid", fgColor=fill)
        if bold:
            c.font = Font(bold=True)
        return c

    return {
        "head": proto(fill="DDEBF7", bold=True),
        "head_edit": proto(fill="FFF2CC", bold=True),
        "warn": proto(fill="FFF9E5"),
        "block": proto(fill="F8CBAD"),
        "block_bold": proto(fill="F8CBAD", bold=True),
        "edit": proto(fill="FFFFFF", locked=False),
    }


LINE_POINTS = 15  # one line of the 11-point default font
MAX_ROW_POINTS = 409  # Excel's highest row


def _lines(value: str, width: int) -> int:
    """Lines a wrapped text takes in a column `width` characters wide."""
    per_line = max(int(width * 1.05), 1)
    return sum(-(-max(len(part), 1) // per_line) for part in value.split("\n"))


def _height(lines: int) -> float | None:
    return min(lines * LINE_POINTS + 2, MAX_ROW_POINTS) if lines > 1 else None


def row_height(values, widths) -> float | None:
    """Points for a row whose text wraps: the tallest cell's line count (None: one line).
    LibreOffice does not resize rows of a file it opens, so the writer sets them."""
    lines = 1
    for v, w in zip(values, widths, strict=False):
        if w and isinstance(v, str) and len(v) > w:
            lines = max(lines, _lines(v, w))
    return _height(lines)


def row_heights(frame: pd.DataFrame, widths: Sequence[int]) -> list[float | None]:
    """row_height of every row of `frame` (columns in `widths`' order), a column at a time:
    a large branch's sheet has hundreds of thousands of rows."""
    lines = np.ones(len(frame), dtype=np.int64)
    for column, w in zip(frame.columns, widths, strict=True):
        if not w:
            continue
        values = frame[column].fillna("").astype(str)
        lengths = values.str.len().to_numpy()
        wraps = lengths > w
        if not wraps.any():
            continue
        per_line = max(int(w * 1.05), 1)
        n = np.where(wraps, -(-lengths // per_line), 1)
        broken = wraps & values.str.contains("\n", regex=False).to_numpy()
        for i in np.flatnonzero(broken):  # several paragraphs: counted one by one
            n[i] = _lines(values.iat[i], w)
        lines = np.maximum(lines, n)
    return [_height(int(n)) for n in lines]


def _cell(ws, proto: Cell, value: object) -> Cell:
    """A cell with the prototype's style; a text is always written as text (openpyxl would
    make '=…' a formula and '#N/A' an error), the value already made safe by safe_text."""
    c = Cell(ws, style_array=proto._style)
    if isinstance(value, str):
        if value:
            c._value, c.data_type = value, "s"
    elif value is not None:
        c.value = value
    return c


def _cells_to_row(cells, row_idx):
    """WriteOnlyWorksheet._values_to_row for rows made only of Cell objects: the stock one
    tries each cell as a value first and formats an exception message per cell (2x slower)."""
    for col_idx, cell in enumerate(cells, 1):
        cell.column, cell.row = col_idx, row_idx
        yield cell


def _print_setup(ws, *, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "Trang &P / &N"


def _guide(ws, report: BranchReport) -> None:
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    ws.sheet_view.showGridLines = False
    _print_setup(ws, title_rows=None)
    ws.page_setup.orientation = "portrait"
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, line in enumerate(
        (*GUIDE, "", f"Chi nhánh: {report.branch} · mã báo cáo: {report.report_id}")
    ):
        c = WriteOnlyCell(ws, value=safe_text(line) or None)
        c.alignment = wrap
        height = row_height([line], [GUIDE_WIDTH])
        if height:
            ws.row_dimensions[i + 1].height = height
        if i == 0:
            c.font = Font(bold=True, size=14)
        ws.append([c])


def _summary(wb: Workbook, report: BranchReport, tz: tzinfo) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    bold = Font(bold=True)
    for i, w in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    _print_setup(ws, title_rows=None)

    def cell(value, *, font=None, fill=None, fmt=None):
        c = WriteOnlyCell(ws, value=safe_text(value) if isinstance(value, str) else value)
        if font is not None:
            c.font = font
        if fill is not None:
            c.fill = PatternFill("solid", fgColor=fill)
        if fmt is not None:
            c.number_format = fmt
        return c

    ws.append([cell("Báo cáo rà soát dữ liệu khách hàng", font=Font(bold=True, size=14))])
    for label, value in (
        ("Chi nhánh (branch)", report.branch),
        ("Lần chạy (run)", report.run_id),
        ("Thời điểm chạy", _local(report.run_time, tz)),
        ("Lập báo cáo lúc", _local(report.generated_at, tz)),
        ("Phạm vi", report.stations_scope),
        ("Số dòng cần rà soát", len(report.rows)),
    ):
        ws.append([cell(label, font=bold), cell(value)])
    ws.append([])
    heads = [cell(f"{SUMMARY_LABELS[c]} ({c})", font=bold, fill="DDEBF7") for c in SUMMARY_COLUMNS]
    for h in heads:
        h.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[9].height = 3 * LINE_POINTS
    ws.append(heads)
    for row in report.summary.itertuples(index=False):
        font = bold if row[0] == TOTAL_LABEL else None
        ws.append(
            [
                cell(v, font=font, fmt="0.0%" if k == "pct_ready" else None)
                for k, v in zip(SUMMARY_COLUMNS, row, strict=True)
            ]
        )


def _issues(wb: Workbook, report: BranchReport, protos: dict) -> tuple[object, Iterator[bytes]]:
    """The sheet with its header row (openpyxl), and its data rows as SpreadsheetML text for
    write_workbook to splice in (xlsx_rows: a large branch has millions of cells), numbered
    from report.rows' rendered rows."""
    ws = wb.create_sheet(ISSUES_SHEET)
    ws._values_to_row = _cells_to_row  # the header row is made of Cell objects
    n = len(report.rows)
    last = max(n + 1, 2)
    ncols = len(ISSUE_COLUMNS)
    for i, c in enumerate(ISSUE_COLUMNS, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = WIDTHS[c]
        if c in EDITABLE_COLUMNS:  # cells below the data, should a clerk sort: still typable
            dim.protection = Protection(locked=False)
            dim.number_format = "@"
        if c == ROW_KEY:
            dim.hidden = True
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{last}"
    # sheet protection, no password: sorting and filtering stay allowed
    prot = ws.protection
    prot.sheet = True
    prot.autoFilter = False
    prot.sort = False
    prot.formatColumns = False
    prot.formatRows = False
    confirmed_col = get_column_letter(ISSUE_COLUMNS.index("confirmed") + 1)
    dv = DataValidation(
        type="list",
        formula1=f'"{YES},{NO}"',
        allow_blank=True,
        showErrorMessage=False,  # x, yes, no are accepted too: the importer reads them
        promptTitle="Xác nhận",
        prompt="có: chi nhánh đã kiểm tra và đồng ý với giá trị (đề xuất hoặc giá trị sửa)",
        showInputMessage=True,
    )
    dv.add(f"{confirmed_col}2:{confirmed_col}{last}")
    ws.data_validations.append(dv)
    _print_setup(ws, title_rows="1:1")
    ws.row_dimensions[1].height = 3 * LINE_POINTS
    ws.append(
        [
            _cell(ws, protos["head_edit" if c in EDITABLE_COLUMNS else "head"], header(c))
            for c in ISSUE_COLUMNS
        ]
    )

    mark = ROW_MARK.encode()

    def rows() -> Iterator[bytes]:
        for i, xml in enumerate(report.rows.xml_utf8(), start=2):
            yield xml.replace(mark, str(i).encode())

    return ws, rows()


@lru_cache(maxsize=1)
def look_ids() -> dict[str, int]:
    """The style id of each look of a data row. write_workbook registers the looks before any
    other style, so they are the same in every workbook, and a row rendered for one workbook
    (rendered_rows) is right in the next."""
    ws = Workbook(write_only=True).create_sheet(ISSUES_SHEET)
    return {look: proto.style_id for look, proto in _prototypes(ws).items()}


def rendered_rows(issues: pd.DataFrame) -> Iterator[str]:
    """Each row of `issues` (ISSUE_COLUMNS, every value made safe by safe_text, so none holds
    ROW_MARK) as the review sheet's SpreadsheetML, with ROW_MARK where its row number goes."""
    ids = look_ids()
    ncols = len(ISSUE_COLUMNS)
    sev = ISSUE_COLUMNS.index("severity")
    bold_at = {sev, ISSUE_COLUMNS.index("blockers")}
    editable = {ISSUE_COLUMNS.index(c) for c in EDITABLE_COLUMNS}

    def looks(blocking: bool) -> list[int]:
        plain = "block" if blocking else "warn"
        return [
            ids["edit"]
            if j in editable
            else ids["block_bold"]
            if blocking and j in bold_at
            else ids[plain]
            for j in range(ncols)
        ]

    styles = {True: looks(True), False: looks(False)}
    letters = column_letters(ncols)
    widths = [0 if c == ROW_KEY else WIDTHS[c] for c in ISSUE_COLUMNS]  # hidden: no height
    heights = row_heights(issues[list(ISSUE_COLUMNS)], widths)
    data = issues[list(ISSUE_COLUMNS)].itertuples(index=False, name=None)
    for row, height in zip(data, heights, strict=True):
        values = ["" if v is None else str(v) for v in row]
        yield inline_row(ROW_MARK, letters, styles[values[sev] == BLOCKING], values, height)


def _identity(wb: Workbook, report: BranchReport) -> None:
    ws = wb.create_sheet(IDENTITY_SHEET)
    ws.sheet_state = "veryHidden"  # not listed by Excel's Unhide
    ws.protection.sheet = True
    for key, value in (
        ("template_version", TEMPLATE_VERSION),
        ("report_id", report.report_id),
        ("branch", report.branch),
        ("run_id", report.run_id),
        ("generated_at", report.generated_at.isoformat()),
        ("issues_rows", str(len(report.rows))),
        ("checksum", report.checksum),
    ):
        ws.append([safe_text(key), safe_text(value)])


def write_workbook(report: BranchReport, path: Path, tz: tzinfo) -> None:
    wb = Workbook(write_only=True)
    guide = wb.create_sheet(GUIDE_SHEET)
    protos = _prototypes(guide)  # the data rows' looks first: their ids are look_ids()
    if {look: proto.style_id for look, proto in protos.items()} != look_ids():
        raise RuntimeError("the review sheet's styles are not those its rows were rendered with")
    _guide(guide, report)
    _summary(wb, report, tz)
    issues_sheet, rows = _issues(wb, report, protos)
    _identity(wb, report)
    shell = io.BytesIO()
    wb.save(shell)  # every sheet, the review sheet with its header only
    splice_rows(shell.getvalue(), issues_sheet.path.lstrip("/"), rows, path)
